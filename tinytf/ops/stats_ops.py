"""``tf.math.reduce_variance`` / ``reduce_std`` / ``l2_normalize`` and ``tf.roll``, in TensorFlow's
formulas over tinytf ops (their gradients come from those ops), except ``roll``: one op whose
gradient rolls back."""
import numpy as np

from ..errors import InvalidArgumentError
from ..tape import record
from .core import as_tensor, is_t
from .math_ops import maximum, multiply, reduce_mean, reduce_sum, rsqrt, sqrt, square, subtract


def _require_float(x, fn):
    if x._v.dtype.kind != "f":
        raise TypeError(f"{fn}: input must be a floating-point tensor, got {x.dtype.name}")


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """``mean(square(x - mean(x)))`` over ``axis`` (the biased variance, as TensorFlow)."""
    x = as_tensor(input_tensor)
    _require_float(x, "reduce_variance")
    means = reduce_mean(x, axis, keepdims=True)
    return reduce_mean(square(subtract(x, means)), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    _require_float(x, "reduce_std")
    return sqrt(reduce_variance(x, axis, keepdims))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``x * rsqrt(max(sum(x**2, axis), epsilon))``."""
    x = as_tensor(x)
    _require_float(x, "l2_normalize")
    axis = dim if axis is None else axis
    square_sum = reduce_sum(square(x), axis, keepdims=True)
    return multiply(x, rsqrt(maximum(square_sum, x._v.dtype.type(epsilon))))


def roll(input, shift, axis, name=None):  # noqa: A002
    """Elements shifted by ``shift`` along ``axis`` (each an int or lists of equal length), wrapping."""
    x = as_tensor(input)
    shift = np.atleast_1d(np.asarray(shift._v if is_t(shift) else shift))
    axis = np.atleast_1d(np.asarray(axis._v if is_t(axis) else axis))
    if shift.dtype.kind not in "iu" or axis.dtype.kind not in "iu" or shift.ndim != 1 or shift.shape != axis.shape:
        raise InvalidArgumentError(f"roll: shift and axis must be ints or 1-D int lists of the same length, got "
                                   f"shift={shift.tolist()}, axis={axis.tolist()}")
    nd = x._v.ndim
    if any(not -nd <= a < nd for a in axis.tolist()):
        raise InvalidArgumentError(f"roll: axis {axis.tolist()} is out of range for a rank-{nd} tensor")
    shifts, axes = tuple(int(s) for s in shift), tuple(int(a) % nd for a in axis)
    back = tuple(-s for s in shifts)
    return record("Roll", np.roll(x._v, shifts, axes), (x,), lambda g, v, o, w: (np.roll(g, back, axes),),
                  lambda g, v, o, w: (roll(g, list(back), list(axes)),))
