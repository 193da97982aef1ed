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
    zero = np.asarray(np.asarray(b)) == 0
    safe = A.where(zero, np.asarray(b).dtype.type(1), b)
    return A.where(zero, np.asarray(b).dtype.type(0), M.divide(a, safe))


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
    return M.square(operands(x, dtype=np.int32)[0] if np.asarray(x).dtype == np.bool_ else x)


def _float_unary(f):
    def op(x):
        return f(float_operand(x))
    op.__name__ = f.__name__
    return op


sqrt, exp, log, log1p, expm1 = (_float_unary(f) for f in (M.sqrt, M.exp, M.log, M.log1p, M.expm1))


def log2(x):
    x = float_operand(x)
    return M.divide(M.log(x), np.asarray(x).dtype.type(np.log(2.0)))


def log10(x):
    x = float_operand(x)
    return M.divide(M.log(x), np.asarray(x).dtype.type(np.log(10.0)))


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
    return M.multiply(x, np.asarray(x).dtype.type(np.pi / 180.0))


def rad2deg(x):
    x = float_operand(x)
    return M.multiply(x, np.asarray(x).dtype.type(180.0 / np.pi))


def _rounding(f):
    def op(x):
        x = convert_to_tensor(x)
        return x if np.asarray(x).dtype.kind in "iub" else f(x)
    op.__name__ = f.__name__
    return op


floor, ceil = _rounding(M.floor), _rounding(M.ceil)


def round(x, decimals=0):  # noqa: A001 - half to even, as NumPy and TensorFlow
    x = convert_to_tensor(x)
    if decimals == 0:
        return x if np.asarray(x).dtype.kind in "iub" else M.round(x)
    if np.asarray(x).dtype.kind in "iu":
        f = 10 ** -decimals if decimals < 0 else 1
        return Tensor((np.round(np.asarray(x) / f) * f).astype(np.asarray(x).dtype)) if decimals < 0 else x
    f = np.asarray(x).dtype.type(10.0 ** decimals)
    return M.divide(M.round(M.multiply(x, f)), f)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if np.asarray(x).dtype == np.bool_:
        x = operands(x, dtype=np.int32)[0]
    return M.clip_by_value(x, x_min, x_max)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +-inf -> ``posinf`` / ``neginf`` (default: the dtype's largest finite values)."""
    x = convert_to_tensor(x)
    v = np.asarray(x)
    if v.dtype.kind != "f":
        return x
    info = np.finfo(v.dtype)
    repl = np.where(np.isnan(v), nan, np.where(v > 0, info.max if posinf is None else posinf,
                                               info.min if neginf is None else neginf)).astype(v.dtype)
    return A.where(np.isfinite(v), x, Tensor(repl))


def _close(a, b, rtol, atol):
    return np.abs(a - b) <= (a.dtype.type(atol) + a.dtype.type(rtol) * np.abs(b))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = (np.asarray(t) for t in operands(x1, x2))
    if a.dtype.kind != "f":
        return Tensor(a == b)
    out = _close(a, b, rtol, atol)
    if equal_nan:
        out |= np.isnan(a) & np.isnan(b)
    return Tensor(out)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = (np.asarray(t) for t in operands(x1, x2))
    if a.dtype.kind != "f":
        return Tensor(np.asarray(np.all(a == b)))
    out = (np.isfinite(a) & np.isfinite(b) & _close(a, b, rtol, atol)) | (a == b)
    if equal_nan:
        out |= np.isnan(a) & np.isnan(b)
    return Tensor(np.asarray(np.all(out)))


def isnan(x):
    return M.is_nan(convert_to_tensor(x))


def isfinite(x):
    return M.is_finite(convert_to_tensor(x))


def isinf(x):
    return Tensor(np.isinf(np.asarray(convert_to_tensor(x))))


def where(condition, x1=None, x2=None):
    if (x1 is None) != (x2 is None):
        raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value. "
                         f"Received: x1={x1}, x2={x2}")
    c = convert_to_tensor(condition)
    if x1 is None:
        return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(np.asarray(c)))
    return A.where(c, *operands(x1, x2))


# ---- reductions ------------------------------------------------------------------------------

def _axis(axis):
    return list(axis) if isinstance(axis, tuple) else axis


def _sum_operand(x):
    x = convert_to_tensor(x)
    wider = {"b": "int32", "u": "uint32", "i": "int32"}
    if np.asarray(x).dtype.kind in "biu" and np.asarray(x).dtype.itemsize < 4:
        return operands(x, dtype=np.dtype(wider[np.asarray(x).dtype.kind]))[0]
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
        if np.asarray(x).size == 0 and initial is None:
            raise ValueError(f"Cannot compute the {name} of an empty tensor (shape {x.shape}) without `initial`.")
        out = f(x, _axis(axis), keepdims) if np.asarray(x).size else None
        if initial is None:
            return out
        init = Tensor(np.asarray(initial, dtype=np.asarray(x).dtype))
        if out is None:
            shape = np.zeros(np.asarray(x).shape).sum(axis=axis, keepdims=keepdims).shape
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
        v = np.asarray(x).reshape(-1) if axis is None else np.asarray(x)
        out = f(v, axis=0 if axis is None else int(axis)).astype(np.int32)
        if keepdims:
            out = np.expand_dims(out, tuple(range(x.ndim)) if axis is None else int(axis)).astype(np.int32)
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
    return Tensor(np.asarray(np.count_nonzero(np.asarray(convert_to_tensor(x)), axis=axis)).astype(np.int32))


def average(x, axis=None, weights=None):
    """``sum(x * w) / sum(w)`` over ``axis`` (the mean without ``weights``); 1-D weights apply along ``axis``."""
    x = float_operand(x)
    if weights is None:
        return mean(x, axis)
    w = operands(weights, dtype=np.asarray(x).dtype)[0]
    if w.ndim == 1 and x.ndim > 1 and axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = A.reshape(w, shape)
    return M.divide(M.reduce_sum(M.multiply(x, w), axis), M.reduce_sum(A.broadcast_to(w, np.asarray(x).shape), axis))


def logsumexp(x, axis=None, keepdims=False):
    return M.reduce_logsumexp(float_operand(x), _axis(axis), keepdims)


# ---- products and norms ----------------------------------------------------------------------

def matmul(x1, x2):
    """NumPy's matmul: 1-D operands gain (and then lose) an axis; batches broadcast."""
    a, b = operands(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must not be scalars, got shapes {a.shape} and {b.shape}")
    va, vb = a.ndim == 1, b.ndim == 1
    a = A.expand_dims(a, 0) if va else a
    b = A.expand_dims(b, -1) if vb else b
    if a.ndim != b.ndim or np.asarray(a).shape[:-2] != np.asarray(b).shape[:-2]:
        batch = np.broadcast_shapes(np.asarray(a).shape[:-2], np.asarray(b).shape[:-2])
        a = A.broadcast_to(a, batch + np.asarray(a).shape[-2:])
        b = A.broadcast_to(b, batch + np.asarray(b).shape[-2:])
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
    if a.ndim == 0 or b.ndim == 0:
        return M.multiply(a, b)
    return M.tensordot(a, b, [[a.ndim - 1], [b.ndim - 2 if b.ndim > 1 else 0]])


def tensordot(x1, x2, axes=2):
    return M.tensordot(*operands(x1, x2), axes)


def einsum(subscripts, *operands_):
    return M.einsum(subscripts, *operands(*operands_))


def inner(x1, x2):
    a, b = operands(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return M.multiply(a, b)
    return M.tensordot(a, b, [[a.ndim - 1], [b.ndim - 1]])


def outer(x1, x2):
    a, b = operands(x1, x2)
    return M.multiply(A.reshape(a, [-1, 1]), A.reshape(b, [1, -1]))


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's name
    """Vector norms (one axis: ord None/2, inf, -inf, 0, any p) and matrix norms (two axes: None/'fro',
    1, -1, inf, -inf), as Keras 3 computes them (``sqrt(sum(x * x))`` for the 2-norm)."""
    x = convert_to_tensor(x)
    nd = x.ndim
    axes = tuple(range(nd)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    if builtins.any(not -nd <= a < nd for a in axes):
        raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                         f"ndim={nd}, while axis={axis}")
    x = operands(x, dtype=np.dtype(floatx()) if np.asarray(x).dtype.kind != "f" else np.asarray(x).dtype)[0]
    if len(axes) == 1:
        ax = axes[0]
        if ord is None or ord == 2:
            return M.sqrt(M.reduce_sum(M.multiply(x, x), ax, keepdims))
        if ord == float("inf"):
            return M.reduce_max(M.abs(x), ax, keepdims)
        if ord == float("-inf"):
            return M.reduce_min(M.abs(x), ax, keepdims)
        if ord == 0:
            return M.reduce_sum(M.cast(M.not_equal(x, 0), np.asarray(x).dtype), ax, keepdims)
        if isinstance(ord, str):
            raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
        p = np.asarray(x).dtype.type(ord)
        return M.pow(M.reduce_sum(M.pow(M.abs(x), p), ax, keepdims), np.asarray(x).dtype.type(1.0) / p)
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

