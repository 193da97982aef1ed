"""``keras.ops``: Keras 3's backend-independent ops over tinytf ops (so each has tinytf's gradient):
``core.py`` (conversion, dtypes, structure), ``numpy.py`` (elementwise math, reductions, products),
``arrays.py`` (creation, shape, joining, indexing, sorting), ``nn.py`` (activations, convolution,
pooling, losses, moments) and ``image.py`` (``keras.ops.image``). Every op here also takes the
functional API's KerasTensors (``core.symbolic``)."""
from . import image  # noqa: F401
from .arrays import (  # noqa: F401
    append, arange, argsort, array, broadcast_to, concatenate, copy, expand_dims, eye, flip, full, full_like,
    get_item, hstack, identity, linspace, meshgrid, moveaxis, ndim, nonzero, ones, ones_like, pad, ravel,
    repeat, reshape, roll, rot90, select, size, sort, split, squeeze, stack, swapaxes, take, take_along_axis,
    tile, top_k, transpose, tril, triu, vstack, zeros, zeros_like)
from .core import (  # noqa: F401
    cast, cond, convert_to_numpy, convert_to_tensor, dtype, fori_loop, is_tensor, map, result_type, shape,
    slice, stop_gradient, unstack, vectorized_map, while_loop)
from .nn import (  # noqa: F401
    average_pool, batch_normalization, binary_crossentropy, categorical_crossentropy, celu, conv,
    conv_transpose, depth_to_space, depthwise_conv, elu, gelu, glu, hard_shrink, hard_sigmoid, hard_silu,
    hard_swish, hard_tanh, in_top_k, leaky_relu, log_sigmoid, log_softmax, max_pool, moments, multi_hot,
    normalize, one_hot, psnr, relu, relu6, selu, separable_conv, sigmoid, silu, soft_shrink, softmax, softplus,
    softsign, space_to_depth, sparse_categorical_crossentropy, sparse_plus, sparse_sigmoid, squareplus, swish,
    tanh, tanh_shrink, threshold)
from .numpy import (  # noqa: F401
    abs, absolute, add, all, allclose, amax, amin, any, argmax, argmin, average, ceil, clip, cos, count_nonzero,
    cumsum, deg2rad, divide, divide_no_nan, dot, einsum, equal, erf, erfc, exp, expm1, floor, floor_divide,
    greater, greater_equal, inner, isclose, isfinite, isinf, isnan, less, less_equal, log, log10, log1p, log2,
    logaddexp, logical_and, logical_not, logical_or, logical_xor, logsumexp, matmul, max, maximum, mean, min,
    minimum, mod, multiply, nan_to_num, negative, norm, not_equal, outer, power, prod, rad2deg, reciprocal,
    round, rsqrt, sign, sin, sqrt, square, std, subtract, sum, tan, tensordot, true_divide, var, where)

from .core import symbolic as _symbolic  # noqa: E402

for _name, _fn in list(globals().items()):
    if callable(_fn) and not _name.startswith("_") and not isinstance(_fn, type) and _name not in (
            "image", "convert_to_numpy", "is_tensor", "result_type", "shape", "dtype"):
        globals()[_name] = _symbolic(_fn)
del _name, _fn
