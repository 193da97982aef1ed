"""``keras.ops``' NumPy-like math: elementwise ops, comparisons, reductions, products and norms,
over tinytf ops (so they have tinytf's gradients), with Keras 3's names, defaults and dtypes."""
import builtins

import numpy as np

from ...backend import floatx
from ...ops import array_ops as A, math_ops as M
from ...tensor import Tensor
from .core import convert_to_tensor, float_operand, operands, result_type

# ---- binary elementwise ----------------------------------------------------------------------


def add(x1, x2):
    return M.add(*operands(x1, x2))


def subtract(x1, x2):
    return M.subtract(*operands(x1, x2))


def multiply(x1, x2):
    return M.multiply(*operands(x1, x2))


def divide(x1, x2):
    """True division; ints and bools divide as float32 (Keras: ``result_type(x1, x2, float)``)."""
    dt = result_type(x1, x2, 1.0)
    return M.divide(*operands(x1, x2, dtype=dt))


true_divide = divide


def divide_no_nan(x1, x2):
    """``x1 / x2``, 0 where ``x2`` is 0 (and no gradient through those entries)."""
    a, b = operands(x1, x2, dtype=result_type(x1, x2, 1.0))
    zero = np.asarray(b._v) == 0
    safe = A.where(zero, b._v.dtype.type(1), b)
    return A.where(zero, b._v.dtype.type(0), M.divide(a, safe))


def floor_divide(x1, x2):
    return M.floordiv(*operands(x1, x2))


def mod(x1, x2):
    dt = result_type(x1, x2)
    return M.floormod(*operands(x1, x2, dtype=np.dtype("int32") if dt.kind == "b" else dt))


def power(x1, x2):
    return M.pow(*operands(x1, x2))


def maximum(x1, x2):
    return M.maximum(*operands(x1, x2))


def minimum(x1, x2):
    return M.minimum(*operands(x1, x2))


def _compare(f):
    def op(x1, x2):
        return f(*operands(x1, x2))
    op.__name__ = f.__name__
    return op


equal, not_equal = _compare(M.equal), _compare(M.not_equal)
greater, greater_equal = _compare(M.greater), _compare(M.greater_equal)
less, less_equal = _compare(M.less), _compare(M.less_equal)


def _logical(f):
    def op(x1, x2):
        return f(*operands(x1, x2, dtype=np.bool_))
    op.__name__ = f.__name__
    return op


logical_and, logical_or, logical_xor = _logical(M.logical_and), _logical(M.logical_or), _logical(M.logical_xor)


def logical_not(x):
    return M.logical_not(operands(x, dtype=np.bool_)[0])


# ---- unary elementwise -----------------------------------------------------------------------

def negative(x):
    return M.negative(convert_to_tensor(x))


def abs(x):  # noqa: A001 - Keras's name
    return M.abs(convert_to_tensor(x))


absolute = abs


def sign(x):
    return M.sign(convert_to_tensor(x))


def square(x):
    x = convert_to_tensor(x)
    return M.square(operands(x, dtype=np.int32)[0] if x._v.dtype == np.bool_ else x)


def _float_unary(f):
    def op(x):
        return f(float_operand(x))
    op.__name__ = f.__name__
    return op


sqrt, exp, log, log1p, expm1 = (_float_unary(f) for f in (M.sqrt, M.exp, M.log, M.log1p, M.expm1))


def log2(x):
    x = float_operand(x)
    return M.divide(M.log(x), x._v.dtype.type(np.log(2.0)))


def log10(x):
    x = float_operand(x)
    return M.divide(M.log(x), x._v.dtype.type(np.log(10.0)))


def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` without overflow: ``max + log1p(exp(-|x1 - x2|))``."""
    a, b = operands(x1, x2, dtype=result_type(x1, x2, 1.0))
    return M.add(M.maximum(a, b), M.log1p(M.exp(M.negative(M.abs(M.subtract(a, b))))))
tanh, sin, cos, erf = (_float_unary(f) for f in (M.tanh, M.sin, M.cos, M.erf))
rsqrt, erfc, reciprocal = _float_unary(M.rsqrt), _float_unary(M.erfc), _float_unary(M.reciprocal)


def tan(x):
    x = float_operand(x)
    return M.divide(M.sin(x), M.cos(x))


def deg2rad(x):
    x = float_operand(x)
    return M.multiply(x, x._v.dtype.type(np.pi / 180.0))


def rad2deg(x):
    x = float_operand(x)
    return M.multiply(x, x._v.dtype.type(180.0 / np.pi))


def _rounding(f):
    def op(x):
        x = convert_to_tensor(x)
        return x if x._v.dtype.kind in "iub" else f(x)
    op.__name__ = f.__name__
    return op


floor, ceil = _rounding(M.floor), _rounding(M.ceil)


def round(x, decimals=0):  # noqa: A001 - half to even, as NumPy and TensorFlow
    x = convert_to_tensor(x)
    if decimals == 0:
        return x if x._v.dtype.kind in "iub" else M.round(x)
    if x._v.dtype.kind in "iu":
        f = 10 ** -decimals if decimals < 0 else 1
        return Tensor((np.round(x._v / f) * f).astype(x._v.dtype)) if decimals < 0 else x
    f = x._v.dtype.type(10.0 ** decimals)
    return M.divide(M.round(M.multiply(x, f)), f)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x._v.dtype == np.bool_:
        x = operands(x, dtype=np.int32)[0]
    return M.clip_by_value(x, x_min, x_max)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +-inf -> ``posinf`` / ``neginf`` (default: the dtype's largest finite values)."""
    x = convert_to_tensor(x)
    v = x._v
    if v.dtype.kind != "f":
        return x
    info = np.finfo(v.dtype)
    repl = np.where(np.isnan(v), nan, np.where(v > 0, info.max if posinf is None else posinf,
                                               info.min if neginf is None else neginf)).astype(v.dtype)
    return A.where(np.isfinite(v), x, Tensor(repl))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = operands(x1, x2)
    if a._v.dtype.kind != "f":
        return M.equal(a, b)
    out = np.abs(a._v - b._v) <= (a._v.dtype.type(atol) + a._v.dtype.type(rtol) * np.abs(b._v))
    if equal_nan:
        out |= np.isnan(a._v) & np.isnan(b._v)
    return Tensor(out)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = operands(x1, x2)
    if a._v.dtype.kind != "f":
        return Tensor(np.asarray(np.all(a._v == b._v)))
    close = np.isfinite(a._v) & np.isfinite(b._v) & (
        np.abs(a._v - b._v) <= (a._v.dtype.type(atol) + a._v.dtype.type(rtol) * np.abs(b._v)))
    out = close | (a._v == b._v)
    if equal_nan:
        out |= np.isnan(a._v) & np.isnan(b._v)
    return Tensor(np.asarray(np.all(out)))


def isnan(x):
    return M.is_nan(convert_to_tensor(x))


def isfinite(x):
    return M.is_finite(convert_to_tensor(x))


def isinf(x):
    return Tensor(np.isinf(convert_to_tensor(x)._v))


def where(condition, x1=None, x2=None):
    if (x1 is None) != (x2 is None):
        raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value. "
                         f"Received: x1={x1}, x2={x2}")
    c = convert_to_tensor(condition)
    if x1 is None:
        return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(c._v))
    return A.where(c, *operands(x1, x2))


# ---- reductions ------------------------------------------------------------------------------

def _axis(axis):
    return list(axis) if isinstance(axis, tuple) else axis


def _sum_operand(x):
    x = convert_to_tensor(x)
    wider = {"b": "int32", "u": "uint32", "i": "int32"}
    if x._v.dtype.kind in "biu" and x._v.dtype.itemsize < 4:
        return operands(x, dtype=np.dtype(wider[x._v.dtype.kind]))[0]
    return x


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    return M.reduce_sum(_sum_operand(x), _axis(axis), keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _sum_operand(x) if dtype is None else operands(x, dtype=np.dtype(dtype))[0]
    return M.reduce_prod(x, _axis(axis), keepdims)


def mean(x, axis=None, keepdims=False):
    """Ints and bools average as float32 (Keras: ``result_type(x.dtype, float)``)."""
    return M.reduce_mean(float_operand(x), _axis(axis), keepdims)


def var(x, axis=None, keepdims=False):
    """``mean(square(x - mean(x)))``, the biased variance (``tf.math.reduce_variance``)."""
    x = float_operand(x)
    m = M.reduce_mean(x, _axis(axis), keepdims=True)
    return M.reduce_mean(M.squared_difference(x, m), _axis(axis), keepdims)


def std(x, axis=None, keepdims=False):
    return M.sqrt(var(x, axis, keepdims))


def _extreme(f, name):
    def op(x, axis=None, keepdims=False, initial=None):
        x = convert_to_tensor(x)
        if x._v.size == 0 and initial is None:
            raise ValueError(f"Cannot compute the {name} of an empty tensor (shape {x.shape}) without `initial`.")
        out = f(x, _axis(axis), keepdims) if x._v.size else None
        if initial is None:
            return out
        init = Tensor(np.asarray(initial, dtype=x._v.dtype))
        if out is None:
            shape = np.zeros(x._v.shape).sum(axis=axis, keepdims=keepdims).shape
            return A.broadcast_to(init, shape)
        return (M.maximum if name == "max" else M.minimum)(out, init)
    op.__name__ = name
    return op


max = _extreme(M.reduce_max, "max")  # noqa: A001
min = _extreme(M.reduce_min, "min")  # noqa: A001
amax, amin = max, min


def _any_all(f):
    def op(x, axis=None, keepdims=False):
        return f(operands(x, dtype=np.bool_)[0], _axis(axis), keepdims)
    op.__name__ = f.__name__.replace("reduce_", "")
    return op


any, all = _any_all(M.reduce_any), _any_all(M.reduce_all)  # noqa: A001


def _arg(f, name):
    def op(x, axis=None, keepdims=False):
        x = convert_to_tensor(x)
        v = x._v.reshape(-1) if axis is None else x._v
        out = f(v, axis=0 if axis is None else int(axis)).astype(np.int32)
        if keepdims:
            out = np.expand_dims(out, tuple(range(x._v.ndim)) if axis is None else int(axis)).astype(np.int32)
        return Tensor(np.asarray(out))
    op.__name__ = name
    return op


argmax, argmin = _arg(np.argmax, "argmax"), _arg(np.argmin, "argmin")


def cumsum(x, axis=None, dtype=None):
    x = _sum_operand(x) if dtype is None else operands(x, dtype=np.dtype(dtype))[0]
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    return M.cumsum(x, axis)


def count_nonzero(x, axis=None):
    return Tensor(np.asarray(np.count_nonzero(convert_to_tensor(x)._v, axis=axis)).astype(np.int32))


def average(x, axis=None, weights=None):
    """``sum(x * w) / sum(w)`` over ``axis`` (the mean without ``weights``); 1-D weights apply along ``axis``."""
    x = float_operand(x)
    if weights is None:
        return mean(x, axis)
    w = operands(weights, dtype=x._v.dtype)[0]
    if w._v.ndim == 1 and x._v.ndim > 1 and axis is not None:
        shape = [1] * x._v.ndim
        shape[axis] = -1
        w = A.reshape(w, shape)
    return M.divide(M.reduce_sum(M.multiply(x, w), axis), M.reduce_sum(A.broadcast_to(w, x._v.shape), axis))


def logsumexp(x, axis=None, keepdims=False):
    return M.reduce_logsumexp(float_operand(x), _axis(axis), keepdims)


# ---- products and norms ----------------------------------------------------------------------

def matmul(x1, x2):
    """NumPy's matmul: 1-D operands gain (and then lose) an axis; batches broadcast."""
    a, b = operands(x1, x2)
    if a._v.ndim == 0 or b._v.ndim == 0:
        raise ValueError(f"matmul: operands must not be scalars, got shapes {a.shape} and {b.shape}")
    va, vb = a._v.ndim == 1, b._v.ndim == 1
    a = A.expand_dims(a, 0) if va else a
    b = A.expand_dims(b, -1) if vb else b
    if a._v.ndim != b._v.ndim or a._v.shape[:-2] != b._v.shape[:-2]:
        batch = np.broadcast_shapes(a._v.shape[:-2], b._v.shape[:-2])
        a = A.broadcast_to(a, batch + a._v.shape[-2:])
        b = A.broadcast_to(b, batch + b._v.shape[-2:])
    out = M.matmul(a, b)
    if va:
        out = A.squeeze(out, -2)
    if vb:
        out = A.squeeze(out, -1)
    return out


def dot(x1, x2):
    """NumPy's dot: scalars multiply, 1-D x 1-D is the inner product, else the last axis of x1
    with the second-to-last of x2."""
    a, b = operands(x1, x2)
    if a._v.ndim == 0 or b._v.ndim == 0:
        return M.multiply(a, b)
    return M.tensordot(a, b, [[a._v.ndim - 1], [b._v.ndim - 2 if b._v.ndim > 1 else 0]])


def tensordot(x1, x2, axes=2):
    return M.tensordot(*operands(x1, x2), axes)


def einsum(subscripts, *operands_):
    return M.einsum(subscripts, *operands(*operands_))


def inner(x1, x2):
    a, b = operands(x1, x2)
    if a._v.ndim == 0 or b._v.ndim == 0:
        return M.multiply(a, b)
    return M.tensordot(a, b, [[a._v.ndim - 1], [b._v.ndim - 1]])


def outer(x1, x2):
    a, b = operands(x1, x2)
    return M.multiply(A.reshape(a, [-1, 1]), A.reshape(b, [1, -1]))


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's name
    """Vector norms (one axis: ord None/2, inf, -inf, 0, any p) and matrix norms (two axes: None/'fro',
    1, -1, inf, -inf), as Keras 3 computes them (``sqrt(sum(x * x))`` for the 2-norm)."""
    x = convert_to_tensor(x)
    nd = x._v.ndim
    axes = tuple(range(nd)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    if builtins.any(not -nd <= a < nd for a in axes):
        raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                         f"ndim={nd}, while axis={axis}")
    x = operands(x, dtype=np.dtype(floatx()) if x._v.dtype.kind != "f" else x._v.dtype)[0]
    if len(axes) == 1:
        ax = axes[0]
        if ord is None or ord == 2:
            return M.sqrt(M.reduce_sum(M.multiply(x, x), ax, keepdims))
        if ord == float("inf"):
            return M.reduce_max(M.abs(x), ax, keepdims)
        if ord == float("-inf"):
            return M.reduce_min(M.abs(x), ax, keepdims)
        if ord == 0:
            return M.reduce_sum(M.cast(M.not_equal(x, 0), x._v.dtype), ax, keepdims)
        if isinstance(ord, str):
            raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
        p = x._v.dtype.type(ord)
        return M.pow(M.reduce_sum(M.pow(M.abs(x), p), ax, keepdims), x._v.dtype.type(1.0) / p)
    if len(axes) != 2:
        raise ValueError(f"Invalid axis values. Received: axis={axis} (a vector norm takes one axis, a "
                         f"matrix norm two; the input has rank {nd})")
    row, col = (a % nd for a in axes)
    if ord is None or ord == "fro":
        return M.sqrt(M.reduce_sum(M.multiply(x, x), [row, col], keepdims))
    if ord in (1, -1, float("inf"), float("-inf")):
        if ord in (float("inf"), float("-inf")):
            row, col = col, row
        reduce = M.reduce_max if ord > 0 else M.reduce_min
        if not keepdims and col > row:
            col -= 1
        return reduce(M.reduce_sum(M.abs(x), row, keepdims), col, keepdims)
    raise ValueError(f"Invalid `ord` argument for matrix norm (tinytf: None, 'fro', 1, -1, inf, -inf). "
                     f"Received: ord={ord}")

