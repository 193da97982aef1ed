"""Elementwise arithmetic, reductions, matmul and comparisons, with their gradients.

Each op's gradient follows ``tape.py``'s convention: ``backward`` on arrays, and where the op
supports second order, ``higher`` in tinytf ops (a rule written with operators alone is both).
"""
import numpy as np

from ..dtypes import np_dtype
from ..errors import InvalidArgumentError
from ..kernels import blas, special, table as K
from ..tape import record
from ..tensor import Tensor, Variable, to_array
from .core import as_tensor, pair, norm_axes, require_float
from . import array_ops as A


def _bin(f, x, y, op):
    """``f(x, y)`` on the arrays; a shape mismatch becomes an error naming the op and shapes."""
    try:
        return f(x._v, y._v)
    except ValueError:
        raise InvalidArgumentError(f"{op}: incompatible shapes {x.shape} and {y.shape} "
                                   "(they must be equal or broadcastable)") from None


def _masked(mask):
    """The rules of an op whose gradient flows where ``mask`` (a bool array of the output's shape)."""
    return (lambda g, v, o, w: (np.where(mask, g, g.dtype.type(0)),),
            lambda g, v, o, w: (g * Tensor(mask.astype(g._v.dtype)),))


# ---- binary elementwise ---------------------------------------------------------------------

def add(x, y, name=None):
    x, y = pair(x, y, "add")
    return record("Add", _bin(np.add, x, y, "add"), (x, y), lambda g, v, o, w: (g, g), higher=True)


def subtract(x, y, name=None):
    x, y = pair(x, y, "subtract")
    return record("Sub", _bin(np.subtract, x, y, "subtract"), (x, y),
                  lambda g, v, o, w: (g, -g if w[1] else None), higher=True)


def multiply(x, y, name=None):
    x, y = pair(x, y, "multiply")
    return record("Mul", _bin(np.multiply, x, y, "multiply"), (x, y),
                  lambda g, v, o, w: (g * v[1] if w[0] else None, g * v[0] if w[1] else None), higher=True)


def divide(x, y, name=None):
    """``x / y``; integer inputs give float64, as TensorFlow's ``truediv`` does."""
    x, y = pair(x, y, "divide")
    if x._v.dtype.kind in "iu":
        return Tensor(_bin(np.true_divide, x, y, "divide").astype(np.float64))
    return record("RealDiv", _bin(np.true_divide, x, y, "divide"), (x, y),
                  lambda g, v, o, w: (g / v[1] if w[0] else None, -g * v[0] / (v[1] * v[1]) if w[1] else None),
                  higher=True)


def floordiv(x, y, name=None):
    x, y = pair(x, y, "floordiv")
    return Tensor(_bin(np.floor_divide, x, y, "floordiv"))


def floormod(x, y, name=None):
    x, y = pair(x, y, "floormod")
    return Tensor(_bin(np.mod, x, y, "floormod"))


def pow(x, y, name=None):  # noqa: A001 - TensorFlow's name
    x, y = pair(x, y, "pow")
    out = _bin(np.power, x, y, "pow")

    def log_x(xv):  # d/dy uses log(x) where x > 0
        return np.log(np.where(xv > 0, xv, 1)).astype(xv.dtype)

    def backward(g, v, o, w):
        return (g * v[1] * v[0] ** (v[1] - 1) if w[0] else None), (g * o * log_x(v[0]) if w[1] else None)

    def higher(g, v, o, w):
        return (g * v[1] * v[0] ** (v[1] - 1) if w[0] else None), (g * o * Tensor(log_x(v[0]._v)) if w[1] else None)
    return record("Pow", out, (x, y), backward, higher)


def maximum(x, y, name=None):
    x, y = pair(x, y, "maximum")
    mask = _bin(np.greater_equal, x, y, "maximum")
    return A.select("Maximum", np.maximum(x._v, y._v), x, y, mask)




def minimum(x, y, name=None):
    x, y = pair(x, y, "minimum")
    mask = _bin(np.less_equal, x, y, "minimum")
    return A.select("Minimum", np.minimum(x._v, y._v), x, y, mask)


def squared_difference(x, y, name=None):
    d = subtract(x, y)
    return multiply(d, d)


# ---- unary elementwise ----------------------------------------------------------------------

def negative(x, name=None):
    x = as_tensor(x)
    return record("Neg", -x._v, (x,), lambda g, v, o, w: (-g,), higher=True)


def exp(x, name=None):
    x = as_tensor(x)
    require_float(x, "exp")
    return record("Exp", np.exp(x._v), (x,), lambda g, v, o, w: (g * o,), higher=True)


def log(x, name=None):
    x = as_tensor(x)
    require_float(x, "log")
    return record("Log", np.log(x._v), (x,), lambda g, v, o, w: (g / v[0],), higher=True)


def sqrt(x, name=None):
    x = as_tensor(x)
    require_float(x, "sqrt")
    return record("Sqrt", np.sqrt(x._v), (x,), lambda g, v, o, w: (g * 0.5 / o,), higher=True)


def rsqrt(x, name=None):
    x = as_tensor(x)
    require_float(x, "rsqrt")
    with np.errstate(divide="ignore"):  # rsqrt(0) = inf, silently, as in TensorFlow
        out = 1 / np.sqrt(x._v)
    return record("Rsqrt", out, (x,), lambda g, v, o, w: (g * -0.5 * o * o * o,), higher=True)


def square(x, name=None):
    x = as_tensor(x)
    return record("Square", x._v * x._v, (x,), lambda g, v, o, w: (g * 2 * v[0],), higher=True)


def reciprocal(x, name=None):
    x = as_tensor(x)
    require_float(x, "reciprocal")
    return record("Reciprocal", 1 / x._v, (x,), lambda g, v, o, w: (-g * o * o,), higher=True)


def abs(x, name=None):  # noqa: A001
    x = as_tensor(x)
    sgn = np.sign(x._v)
    return record("Abs", np.abs(x._v), (x,), lambda g, v, o, w: (g * sgn,),
                  lambda g, v, o, w: (g * Tensor(sgn),))


def sign(x, name=None):
    x = as_tensor(x)
    return record("Sign", np.sign(x._v), (x,), lambda g, v, o, w: (g * 0,), higher=True)


def tanh(x, name=None):
    x = as_tensor(x)
    require_float(x, "tanh")
    return record("Tanh", np.tanh(x._v), (x,), lambda g, v, o, w: (g * (1 - o * o),), higher=True)


def sigmoid(x, name=None):
    x = as_tensor(x)
    require_float(x, "sigmoid")
    return record("Sigmoid", K.sigmoid(x._v), (x,), lambda g, v, o, w: (g * o * (1 - o),), higher=True)


def softplus(x, name=None):
    x = as_tensor(x)
    require_float(x, "softplus")
    v = x._v
    out = np.logaddexp(v, v.dtype.type(0))
    return record("Softplus", out, (x,), lambda g, v, o, w: (g * K.sigmoid(v[0]),),
                  lambda g, v, o, w: (g * sigmoid(v[0]),))


def log1p(x, name=None):
    x = as_tensor(x)
    require_float(x, "log1p")
    return record("Log1p", np.log1p(x._v), (x,), lambda g, v, o, w: (g / (1 + v[0]),), higher=True)


def expm1(x, name=None):
    x = as_tensor(x)
    require_float(x, "expm1")
    return record("Expm1", np.expm1(x._v), (x,), lambda g, v, o, w: (g * (o + 1),), higher=True)


_TWO_OVER_SQRT_PI = 1.1283791670955126


def erf(x, name=None):
    """The error function (``kernels/special.py``); d erf / dx = 2 / sqrt(pi) exp(-x^2)."""
    x = as_tensor(x)
    require_float(x, "erf")
    return record("Erf", special.erf(x._v), (x,),
                  lambda g, v, o, w: (g * (_TWO_OVER_SQRT_PI * np.exp(-v[0] * v[0])).astype(v[0].dtype),),
                  lambda g, v, o, w: (g * exp(negative(square(v[0]))) * v[0]._v.dtype.type(_TWO_OVER_SQRT_PI),))


def erfc(x, name=None):
    """1 - erf(x), precise where it is tiny (``kernels/special.py``)."""
    x = as_tensor(x)
    require_float(x, "erfc")
    return record("Erfc", special.erfc(x._v), (x,),
                  lambda g, v, o, w: (g * (-_TWO_OVER_SQRT_PI * np.exp(-v[0] * v[0])).astype(v[0].dtype),),
                  lambda g, v, o, w: (g * exp(negative(square(v[0]))) * v[0]._v.dtype.type(-_TWO_OVER_SQRT_PI),))


def sin(x, name=None):
    x = as_tensor(x)
    return record("Sin", np.sin(x._v), (x,), lambda g, v, o, w: (g * np.cos(v[0]),),
                  lambda g, v, o, w: (g * cos(v[0]),))


def cos(x, name=None):
    x = as_tensor(x)
    return record("Cos", np.cos(x._v), (x,), lambda g, v, o, w: (-g * np.sin(v[0]),),
                  lambda g, v, o, w: (-g * sin(v[0]),))


def floor(x, name=None):
    return Tensor(np.floor(as_tensor(x)._v))


def ceil(x, name=None):
    return Tensor(np.ceil(as_tensor(x)._v))


def round(x, name=None):  # noqa: A001 - banker's rounding, as TensorFlow
    return Tensor(np.round(as_tensor(x)._v))


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    t = as_tensor(t)
    lo = to_array(clip_value_min, t._v.dtype)
    hi = to_array(clip_value_max, t._v.dtype)
    if np.any(lo > hi):
        raise ValueError(f"clip_by_value: clip_value_min {clip_value_min!r} > clip_value_max {clip_value_max!r}")
    out = np.clip(t._v, lo, hi)
    return record("ClipByValue", out, (t,), *_masked(np.broadcast_to((t._v >= lo) & (t._v <= hi), out.shape)))


# ---- comparisons and logic (no gradient) -----------------------------------------------------

def _cmp(f, opname):
    def op(x, y, name=None):
        x, y = pair(x, y, opname)
        return Tensor(_bin(f, x, y, opname))
    op.__name__ = opname
    return op


def _strings_too(f, opname):
    """``equal`` / ``not_equal``, which also compare ``tf.string`` tensors (with str, bytes or
    arrays of them) element by element."""
    numeric = _cmp(f, opname)

    def op(x, y, name=None):
        if any(isinstance(t, Tensor) and t._v.dtype == object for t in (x, y)):
            a, b = (to_array(t, "string") for t in (x, y))
            return Tensor(np.asarray(f(a, b), dtype=bool))
        return numeric(x, y)
    op.__name__ = opname
    return op


equal = _strings_too(np.equal, "equal")
not_equal = _strings_too(np.not_equal, "not_equal")
less = _cmp(np.less, "less")
less_equal = _cmp(np.less_equal, "less_equal")
greater = _cmp(np.greater, "greater")
greater_equal = _cmp(np.greater_equal, "greater_equal")
logical_and = _cmp(np.logical_and, "logical_and")
logical_or = _cmp(np.logical_or, "logical_or")
logical_xor = _cmp(np.logical_xor, "logical_xor")


def logical_not(x, name=None):
    return Tensor(np.logical_not(as_tensor(x)._v))


def is_nan(x, name=None):
    return Tensor(np.isnan(as_tensor(x)._v))


def is_finite(x, name=None):
    return Tensor(np.isfinite(as_tensor(x)._v))


# ---- reductions -----------------------------------------------------------------------------

def _kept_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    axes = norm_axes(axis, x._v.ndim)
    v = x._v
    if v.dtype == np.bool_:
        v = v.astype(np.int32)
    if axes and axes == tuple(range(v.ndim - 1)) and v.flags.c_contiguous and v.ndim > 1:
        out = np.ones(v.size // v.shape[-1], dtype=v.dtype) @ v.reshape(-1, v.shape[-1])
        out = out.reshape(_kept_shape(v.shape, axes)) if keepdims else out
    else:
        out = np.sum(v, axis=axes, keepdims=keepdims)
    out = np.asarray(out, dtype=v.dtype)
    kept, shape = _kept_shape(v.shape, axes), x._v.shape
    return record("Sum", out, (x,), lambda g, vv, o, w: (np.broadcast_to(g.reshape(kept), shape),),
                  lambda g, vv, o, w: (A.broadcast_to(A.reshape(g, kept), shape),))


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    axes = norm_axes(axis, x._v.ndim)
    n = int(np.prod([x._v.shape[a] for a in axes])) if axes else 1
    s = reduce_sum(x, axes, keepdims)
    if x._v.dtype.kind in "iu":
        return Tensor((s._v // max(n, 1)).astype(x._v.dtype))
    return multiply(s, x._v.dtype.type(1.0 / n) if n else x._v.dtype.type(np.nan))


def _reduce_extreme(f, tfname):
    def op(input_tensor, axis=None, keepdims=False, name=None):
        x = as_tensor(input_tensor)
        axes = norm_axes(axis, x._v.ndim)
        if x._v.size == 0:
            raise ValueError(f"{tfname}: cannot reduce an empty tensor of shape {x.shape}")
        out = f(x._v, axis=axes, keepdims=keepdims)
        kept = _kept_shape(x._v.shape, axes)

        def share(xv, ov):  # 1 / (number of ties) where x is the extreme, else 0
            ind = (xv == ov.reshape(kept)).astype(xv.dtype)
            return ind / ind.sum(axis=axes, keepdims=True)
        return record(tfname, np.asarray(out), (x,), lambda g, v, o, w: (g.reshape(kept) * share(v[0], o),),
                      lambda g, v, o, w: (A.reshape(g, kept) * Tensor(share(v[0]._v, o._v)),))
    op.__name__ = tfname
    return op


reduce_max = _reduce_extreme(np.max, "reduce_max")
reduce_min = _reduce_extreme(np.min, "reduce_min")


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    axes = norm_axes(axis, x._v.ndim)
    out = np.asarray(np.prod(x._v, axis=axes, keepdims=keepdims))
    kept = _kept_shape(x._v.shape, axes)

    def backward(g, v, o, w):  # d prod / d x_i = product of the others (exact with zeros too)
        xv = v[0]
        moved = np.moveaxis(xv, axes, range(len(axes))).reshape((-1,) + tuple(
            d for i, d in enumerate(xv.shape) if i not in axes))
        left = np.concatenate([np.ones_like(moved[:1]), np.cumprod(moved, 0)[:-1]])
        right = np.concatenate([np.cumprod(moved[::-1], 0)[:-1][::-1], np.ones_like(moved[:1])])
        others = (left * right).reshape(tuple(xv.shape[a] for a in axes) + moved.shape[1:])
        others = np.moveaxis(others, range(len(axes)), axes)
        return (g.reshape(kept) * others,)
    return record("Prod", out, (x,), backward)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    return Tensor(np.asarray(np.any(x._v, axis=norm_axes(axis, x._v.ndim), keepdims=keepdims)))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    return Tensor(np.asarray(np.all(x._v, axis=norm_axes(axis, x._v.ndim), keepdims=keepdims)))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    x = as_tensor(input_tensor)
    axes = norm_axes(axis, x._v.ndim)
    m = np.max(x._v, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(x._v.dtype)
    s = log(reduce_sum(exp(subtract(x, Tensor(m))), axes, keepdims=True))
    out = add(s, Tensor(m))
    if not keepdims:
        out = A.reshape(out, [d for i, d in enumerate(x._v.shape) if i not in axes])
    return out


def _arg(f, name):
    def op(input, axis=None, output_type=np.int64, name=None):  # noqa: A002
        x = as_tensor(input)
        ax = 0 if axis is None else norm_axes(axis, x._v.ndim)[0]
        return Tensor(f(x._v, axis=ax).astype(np_dtype(output_type)))
    op.__name__ = name
    return op


argmax = _arg(np.argmax, "argmax")
argmin = _arg(np.argmin, "argmin")


def count_nonzero(input, axis=None, keepdims=False, dtype=np.int64, name=None):  # noqa: A002
    x = as_tensor(input)
    return Tensor(np.asarray(np.count_nonzero(x._v, axis=norm_axes(axis, x._v.ndim), keepdims=keepdims)
                             ).astype(dtype))


# ---- matmul --------------------------------------------------------------------------------

def transpose_last2(a):
    perm = list(range(a.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return A.transpose(a, perm)


def matmul(a, b, transpose_a=False, transpose_b=False, name=None):
    """Matrix product of the last two axes (batched over the leading ones)."""
    a, b = pair(a, b, "matmul")
    if a._v.ndim < 2 or b._v.ndim < 2:
        raise ValueError(f"matmul: both inputs must have rank >= 2, got shapes {a.shape} and {b.shape}")
    if transpose_a:
        a = transpose_last2(a)
    if transpose_b:
        b = transpose_last2(b)
    if a._v.shape[-1] != b._v.shape[-2]:
        raise InvalidArgumentError(f"matmul: inner dimensions do not match: a {a.shape} and b {b.shape}")
    return record("MatMul", _bin(blas.matmul, a, b, "matmul"), (a, b), _grad_matmul, _grad_matmul_t)


def _grad_matmul(g, v, o, w):
    return (blas.matmul(g, np.swapaxes(v[1], -1, -2)) if w[0] else None,
            blas.matmul(np.swapaxes(v[0], -1, -2), g) if w[1] else None)


def _grad_matmul_t(g, v, o, w):
    return (matmul(g, transpose_last2(v[1])) if w[0] else None,
            matmul(transpose_last2(v[0]), g) if w[1] else None)


def tensordot(a, b, axes, name=None):
    """Sum over the given axes of ``a`` and ``b`` (an int n: the last n of a with the first n of b)."""
    a, b = pair(a, b, "tensordot")
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = ([x] if isinstance(x, (int, np.integer)) else list(x) for x in axes)
    ax_a = [x % a.ndim for x in ax_a]
    ax_b = [x % b.ndim for x in ax_b]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise InvalidArgumentError(f"tensordot: contracted axes differ: a{a.shape} axes {ax_a}, b{b.shape} axes {ax_b}")
    k = int(np.prod([a.shape[i] for i in ax_a]))
    am = A.reshape(A.transpose(a, free_a + ax_a), (-1, k))
    bm = A.reshape(A.transpose(b, ax_b + free_b), (k, -1))
    return A.reshape(matmul(am, bm), [a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])


def einsum(equation, *inputs, name=None, **kwargs):
    """``tf.einsum``: explicit (``'ij,jk->ik'``) or implicit (``'ij,jk'``) subscripts, ``...``
    broadcasting. The gradient for each operand is the einsum of the output gradient with the
    other operands; a letter repeated within one operand (a diagonal) has no gradient."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum: equation must be a string such as 'ij,jk->ik', got {equation!r}")
    ts = [as_tensor(t) for t in inputs]
    if len({t._v.dtype for t in ts}) > 1:
        raise InvalidArgumentError(f"einsum: all inputs must have the same dtype, got "
                                   f"{[t._v.dtype.name for t in ts]}; use tf.cast")
    try:
        out = np.einsum(equation, *[t._v for t in ts], optimize=len(ts) > 2)
        lhs, rhs = _einsum_subscripts(equation, [t._v.ndim for t in ts])
    except ValueError as e:
        raise InvalidArgumentError(f"einsum: equation {equation!r} does not fit the input shapes "
                                   f"{[t.shape for t in ts]}: {e}") from None
    out = np.asarray(out, dtype=ts[0]._v.dtype)
    shapes = [t._v.shape for t in ts]

    def backward(g, v, o, w):
        grads = []
        for k, want in enumerate(w):
            if not want:
                grads.append(None)
                continue
            sub = lhs[k]
            if len(set(sub)) != len(sub):
                raise InvalidArgumentError(f"einsum: no gradient for operand {k} of {equation!r} "
                                           "(a subscript repeats within it)")
            others = [x for j, x in enumerate(v) if j != k]
            known = set(rhs).union(*[lhs[j] for j in range(len(v)) if j != k])
            kept = "".join(c for c in sub if c in known)
            eq = ",".join([rhs] + [lhs[j] for j in range(len(v)) if j != k]) + "->" + kept
            part = np.einsum(eq, g, *others, optimize=len(v) > 2)
            expand = tuple(shapes[k][i] if c in known else 1 for i, c in enumerate(sub))
            grads.append(np.broadcast_to(part.reshape(expand), shapes[k]).astype(g.dtype, copy=False))
        return tuple(grads)
    return record("Einsum", out, tuple(ts), backward)


def _einsum_subscripts(equation, ndims):
    """Per-operand subscripts and the output subscripts, with ``...`` spelled out as capitals."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(ndims):
        raise ValueError(f"{len(subs)} operand subscripts for {len(ndims)} inputs")
    nell = max([n - len(s.replace("...", "")) for s, n in zip(subs, ndims) if "..." in s] or [0])
    ell = "".join(chr(ord("A") + i) for i in range(nell))
    full = [s.replace("...", ell[nell - (n - len(s.replace("...", ""))):]) for s, n in zip(subs, ndims)]
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(full)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c.islower()))
    return full, out


def cast(x, dtype, name=None):
    """Convert to ``dtype``; differentiable between float types."""
    x = as_tensor(x)
    nd = np_dtype(dtype)
    if x._v.dtype == nd:
        return x
    out = x._v.astype(nd)
    if x._v.dtype.kind == "f" and nd.kind == "f":
        src = x._v.dtype
        return record("Cast", out, (x,), lambda g, v, o, w: (g.astype(src),), lambda g, v, o, w: (cast(g, src),))
    return Tensor(out)


def add_n(inputs, name=None):
    out = inputs[0]
    for t in inputs[1:]:
        out = add(out, t)
    return out


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    x = as_tensor(x)
    ax = norm_axes(axis, x._v.ndim)[0]

    def scan(v, rev):
        v = np.flip(v, ax) if rev else v
        out = np.cumsum(v, axis=ax, dtype=v.dtype)
        if exclusive:
            out = np.concatenate([np.zeros_like(np.take(out, [0], ax)), np.take(out, range(out.shape[ax] - 1), ax)], ax)
        return np.flip(out, ax) if rev else out
    return record("Cumsum", scan(x._v, reverse), (x,), lambda g, v, o, w: (scan(g, not reverse),))


# ---- operators on Tensor --------------------------------------------------------------------

def _attach():
    def rev(f):
        return lambda self, other: f(other, self)
    ops = {
        "__add__": add, "__radd__": rev(add), "__sub__": subtract, "__rsub__": rev(subtract),
        "__mul__": multiply, "__rmul__": rev(multiply), "__truediv__": divide,
        "__rtruediv__": rev(divide), "__floordiv__": floordiv, "__rfloordiv__": rev(floordiv),
        "__mod__": floormod, "__rmod__": rev(floormod), "__pow__": pow, "__rpow__": rev(pow),
        "__matmul__": matmul, "__rmatmul__": rev(matmul),
        "__lt__": less, "__le__": less_equal, "__gt__": greater, "__ge__": greater_equal,
        "__eq__": equal, "__ne__": not_equal,
        "__and__": logical_and, "__or__": logical_or, "__xor__": logical_xor,
    }
    for k, f in ops.items():
        setattr(Tensor, k, f)
    Tensor.__neg__ = negative
    Tensor.__abs__ = abs
    Tensor.__invert__ = logical_not
    Tensor.__getitem__ = A.getitem
    Variable.__getitem__ = A.variable_getitem
    Tensor.__pos__ = lambda self: self
