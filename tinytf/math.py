"""``tf.math``: elementwise math, reductions and comparisons."""
from .ops.math_ops import (  # noqa: F401
    abs, add, add_n, argmax, argmin, ceil, cos, count_nonzero, cumsum, divide, equal, erf, erfc, exp, expm1, floor,
    floordiv, floormod, greater, greater_equal, is_finite, is_nan, less, less_equal, log, log1p, logical_and,
    logical_not, logical_or, logical_xor, maximum, minimum, multiply, negative, not_equal, pow,
    reciprocal, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
    reduce_prod, reduce_sum, round, rsqrt, sigmoid, sign, sin, softplus, sqrt, square,
    squared_difference, subtract, tanh)
from .ops.nn_ops import log_softmax, softmax  # noqa: F401
from .ops.sort_ops import top_k  # noqa: F401
from .ops.math_ops import floormod as mod  # noqa: F401
truediv = divide
from .ops.confusion_ops import confusion_matrix  # noqa: E402,F401
from .ops.stats_ops import l2_normalize, reduce_std, reduce_variance  # noqa: E402,F401
from .ops.scatter_ops import is_inf  # noqa: E402,F401
