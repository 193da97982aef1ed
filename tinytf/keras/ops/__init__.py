"""``keras.ops``: Keras 3's backend-independent ops over tinytf ops (so each has tinytf's gradient):
``core.py`` (conversion, dtypes, structure), ``numpy.py`` (elementwise math, reductions, products),
``arrays.py`` (creation, shape, joining, indexing, sorting), ``nn.py`` (activations, convolution,
pooling, losses, moments) and ``image.py`` (``keras.ops.image``). Every op here also takes the
functional API's KerasTensors (``core.symbolic``)."""
from . import image  # noqa: F401
from .arrays import (  # noqa: F401
    append, arange, argsort, array, broadcast_to, concatenate, copy, expand_dims, eye, flip, full, full_like,
    hstack, identity, linspace, meshgrid, moveaxis, ndim, nonzero, ones, ones_like, pad, ravel, repeat, reshape,
    rot90, size, sort, split, squeeze, stack, swapaxes, take, take_along_axis, tile, top_k, transpose, tril,
    triu, vstack, zeros, zeros_like)
from .core import (  # noqa: F401
    cast, cond, convert_to_numpy, convert_to_tensor, dtype, fori_loop, is_tensor, map, result_type, shape,
    slice, stop_gradient, unstack, vectorized_map, while_loop)
from .nn import (  # noqa: F401
    average_pool, batch_normalization, binary_crossentropy, categorical_crossentropy, conv, depthwise_conv, elu,
    gelu, hard_sigmoid, hard_silu, hard_swish, in_top_k, leaky_relu, log_sigmoid, log_softmax, max_pool,
    moments, multi_hot, normalize, one_hot, relu, relu6, selu, separable_conv, sigmoid, silu, softmax, softplus,
    softsign, sparse_categorical_crossentropy, swish, tanh)
from .numpy import (  # noqa: F401
    abs, absolute, add, all, amax, amin, any, argmax, argmin, average, ceil, clip, cos, count_nonzero, cumsum,
    divide, dot, einsum, equal, erf, erfc, exp, expm1, floor, floor_divide, greater, greater_equal, inner,
    isfinite, isinf, isnan, less, less_equal, log, log10, log1p, log2, logaddexp, logical_and, logical_not,
    logical_or, logical_xor, logsumexp, matmul, max, maximum, mean, min, minimum, mod, multiply, nan_to_num,
    negative, norm, not_equal, outer, power, prod, reciprocal, round, rsqrt, sign, sin, sqrt, square, std,
    subtract, sum, tensordot, true_divide, var, where)

from .core import symbolic as _symbolic  # noqa: E402

for _name, _fn in list(globals().items()):
    if callable(_fn) and not _name.startswith("_") and not isinstance(_fn, type) and _name not in (
            "image", "convert_to_numpy", "is_tensor", "result_type", "shape", "dtype"):
        globals()[_name] = _symbolic(_fn)
del _name, _fn
