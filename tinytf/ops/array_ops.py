"""Shape and indexing ops, tensor creation, and their gradients."""

import weakref

import numpy as np

from ..backend import floatx
from ..dtypes import np_dtype
from ..errors import InvalidArgumentError
from ..tape import record
from ..tensor import Tensor, to_array
from .core import as_tensor, is_t, norm_axes, pair


def shape_arg(shape, name="shape"):
    if is_t(shape):
        shape = shape._v.tolist()
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    try:
        dims = [int(d) if d is not None else -1 for d in shape]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a list of ints, got {shape!r}") from None
    return tuple(dims)


def reshape(tensor, shape, name=None):
    x = as_tensor(tensor)
    dims = shape_arg(shape)
    try:
        out = x._v.reshape(dims)
    except ValueError:
        raise InvalidArgumentError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x._v.size} elements) to {list(shape)}") from None
    in_shape = x._v.shape
    return record("Reshape", out, (x,), lambda g, v, o, w: (g.reshape(in_shape),),
                  lambda g, v, o, w: (reshape(g, in_shape),))


def transpose(a, perm=None, conjugate=False, name=None):
    x = as_tensor(a)
    nd = x._v.ndim
    perm = tuple(reversed(range(nd))) if perm is None else tuple(int(p) for p in (perm._v if is_t(perm) else perm))
    if sorted(p % max(nd, 1) for p in perm) != list(range(nd)):
        raise InvalidArgumentError(f"transpose: perm {list(perm)} is not a permutation of {nd} axes")
    inv = tuple(np.argsort(perm))
    return record("Transpose", x._v.transpose(perm), (x,), lambda g, v, o, w: (g.transpose(inv),),
                  lambda g, v, o, w: (transpose(g, inv),))


def expand_dims(input, axis, name=None):  # noqa: A002
    x = as_tensor(input)
    nd = x._v.ndim
    if not isinstance(axis, (int, np.integer)) or not -nd - 1 <= axis <= nd:
        raise InvalidArgumentError(f"expand_dims: axis {axis!r} is out of range for a rank-{nd} tensor "
                                   f"(expected an int in [{-nd - 1}, {nd}])")
    return reshape(x, np.expand_dims(np.empty(x._v.shape, dtype=np.bool_), int(axis)).shape)


def squeeze(input, axis=None, name=None):  # noqa: A002
    x = as_tensor(input)
    if axis is None:
        shape = [d for d in x._v.shape if d != 1]
    else:
        axes = norm_axes(axis, x._v.ndim)
        for a in axes:
            if x._v.shape[a] != 1:
                raise InvalidArgumentError(f"squeeze: cannot squeeze axis {a} of size {x._v.shape[a]}")
        shape = [d for i, d in enumerate(x._v.shape) if i not in axes]
    return reshape(x, shape)


def broadcast_to(input, shape, name=None):  # noqa: A002
    x = as_tensor(input)
    dims = shape_arg(shape)
    try:
        out = np.broadcast_to(x._v, dims)
    except ValueError:
        raise InvalidArgumentError(f"broadcast_to: cannot broadcast shape {x.shape} to {list(dims)}") from None
    return record("BroadcastTo", out, (x,), lambda g, v, o, w: (g,), higher=True)  # the tape sums g down


def tile(input, multiples, name=None):  # noqa: A002
    x = as_tensor(input)
    reps = shape_arg(multiples, "multiples")
    in_shape = x._v.shape

    def backward(g, v, o, w):
        split = g.reshape(tuple(d for r, s in zip(reps, in_shape) for d in (r, s)))
        return (split.sum(axis=tuple(range(0, 2 * len(reps), 2))),)
    return record("Tile", np.tile(x._v, reps), (x,), backward)


def concat(values, axis, name=None):
    ts = [as_tensor(v) for v in values]
    if not ts:
        raise ValueError("concat: values must be a non-empty list of tensors")
    ax = norm_axes(axis, ts[0]._v.ndim)[0]
    try:
        out = np.concatenate([t._v for t in ts], axis=ax)
    except ValueError as e:
        raise InvalidArgumentError(f"concat: shapes {[t.shape for t in ts]} do not match on the "
                                   f"axes other than {axis}") from e
    bounds = np.cumsum([0] + [t._v.shape[ax] for t in ts])

    pieces = [(slice(None),) * ax + (slice(int(bounds[k]), int(bounds[k + 1])),) for k in range(len(ts))]

    def backward(g, v, o, w):
        return tuple(g[idx] if wk else None for idx, wk in zip(pieces, w))
    return record("ConcatV2", out, tuple(ts), backward, higher=True)


def stack(values, axis=0, name=None):
    ts = [as_tensor(v) for v in values]
    if not ts:
        raise ValueError("stack: values must be a non-empty list of tensors")
    shapes = {t._v.shape for t in ts}
    if len(shapes) != 1:
        raise InvalidArgumentError(f"stack: all tensors must have the same shape, got {[t.shape for t in ts]}")
    return concat([expand_dims(t, axis) for t in ts], axis)


def unstack(value, num=None, axis=0, name=None):
    x = as_tensor(value)
    ax = norm_axes(axis, x._v.ndim)[0]
    return [getitem(x, (slice(None),) * ax + (i,)) for i in range(x._v.shape[ax])]


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    x = as_tensor(value)
    ax = norm_axes(axis, x._v.ndim)[0]
    n = x._v.shape[ax]
    if isinstance(num_or_size_splits, (int, np.integer)):
        if n % num_or_size_splits:
            raise InvalidArgumentError(f"split: axis {ax} of size {n} is not divisible by {num_or_size_splits}")
        sizes = [n // num_or_size_splits] * int(num_or_size_splits)
    else:
        sizes = list(num_or_size_splits)
    starts = np.cumsum([0] + sizes)
    return [getitem(x, (slice(None),) * ax + (slice(int(starts[i]), int(starts[i + 1])),))
            for i in range(len(sizes))]


def _index_key(key):
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if is_t(key):
        return key._v
    return key


def getitem(tensor, key):
    """``t[key]``: ints, slices, ``None``/``tf.newaxis``, ``...`` and index arrays."""
    x = as_tensor(tensor)
    k = _index_key(key)
    try:
        out = x._v[k]
    except IndexError as e:
        raise InvalidArgumentError(f"index {key!r} is out of range for a tensor of shape {x.shape}: {e}") from None
    basic = all(isinstance(i, (int, np.integer, slice, type(None), type(Ellipsis)))
                for i in (k if isinstance(k, tuple) else (k,)))
    if np.ndim(out) == 0:
        out = np.asarray(out, dtype=x._v.dtype)
    return _recorded_getitem("StridedSlice", out, x, k, basic)


class VariableSlice(Tensor):
    """What ``variable[key]`` returns: the slice's value, plus ``assign`` into that part of the
    variable (TensorFlow's ``_SliceHelperVar``: only ``assign``, not ``assign_add``)."""
    __slots__ = ()

    def assign(self, value, use_locking=None, name=None, read_value=True):
        var, key = _SLICE_OF[id(self)]
        return assign_slice(var, key, value)


_SLICE_OF = {}  # id of a VariableSlice -> (variable, key), dropped when the slice is freed


def variable_getitem(variable, key):
    """``v[key]`` of a ``Variable`` (installed as ``Variable.__getitem__``): a ``VariableSlice``."""
    out = getitem(variable, key)
    out.__class__ = VariableSlice
    _SLICE_OF[id(out)] = (variable, key)
    weakref.finalize(out, _SLICE_OF.pop, id(out), None)
    return out


def assign_slice(variable, key, value):
    """``v[key].assign(value)``: a new array for the variable with that part replaced (tensors that
    hold the old value keep it)."""
    k = _index_key(key)
    if not all(isinstance(i, (int, np.integer, slice, type(None), type(Ellipsis)))
               for i in (k if isinstance(k, tuple) else (k,))):
        raise InvalidArgumentError(f"Variable slice assignment on {variable.name!r}: only ints, slices, None "
                                   f"and ... index a slice that can be assigned, got {key!r}")
    old = variable._v
    v = to_array(value, old.dtype).astype(old.dtype, copy=False)
    new = old.copy()
    target = new[k]
    try:
        fits = np.broadcast_shapes(v.shape, target.shape) == target.shape
    except ValueError:
        fits = False
    if not fits:
        raise InvalidArgumentError(f"Cannot broadcast input shape {list(v.shape)} into final shape "
                                   f"{list(target.shape)}")
    new[k] = v
    return variable._take(new)


def _recorded_getitem(name, out, x, k, basic):
    """Record ``out = x[k]``: its gradient scatters ``g`` back into zeros of ``x``'s shape."""
    shape = x._v.shape
    return record(name, out, (x,), lambda g, v, o, w: (_scatter(g, k, shape, basic),),
                  lambda g, v, o, w: (record("ScatterNd", _scatter(g._v, k, shape, basic), (g,),
                                             lambda gg, vv, oo, ww: (gg[k],),
                                             lambda gg, vv, oo, ww: (getitem(gg, k),)),))


def _scatter(g, k, shape, basic):
    """The adjoint of ``x[k]``: zeros of ``shape`` with ``g`` added at ``k``."""
    dx = np.zeros(shape, dtype=g.dtype)
    if basic:
        dx[k] = g
    else:
        np.add.at(dx, k, g)
    return dx


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Rows (slices along ``axis``) of ``params`` picked by ``indices``; ``batch_dims`` leading axes
    are shared by both, as in TensorFlow."""
    x = as_tensor(params)
    idx = np.asarray(as_tensor(indices)._v)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: indices must be integers, got {idx.dtype.name}")
    if batch_dims:
        return _batched_gather(x, idx, axis, batch_dims)
    ax = 0 if axis is None else norm_axes(axis, x._v.ndim)[0]
    n = x._v.shape[ax]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise InvalidArgumentError(f"gather: indices must be in [0, {n}), got values in "
                                   f"[{idx.min()}, {idx.max()}]")
    out = np.take(x._v, idx, axis=ax)
    return _recorded_getitem("GatherV2", out, x, (slice(None),) * ax + (idx,), False)


def _batched_gather(x, idx, axis, batch_dims):
    b = batch_dims % max(idx.ndim, 1) if batch_dims < 0 else batch_dims
    ax = b if axis is None else norm_axes(axis, x._v.ndim)[0]
    if ax != b or x._v.shape[:b] != idx.shape[:b]:
        raise InvalidArgumentError(f"gather: with batch_dims={batch_dims}, tinytf needs axis == batch_dims and "
                                   f"matching leading dims; got params {x.shape}, indices {idx.shape}, axis {axis}")
    lead = x._v.shape[:b]
    nb = int(np.prod(lead)) if lead else 1
    n = x._v.shape[b]
    flat = reshape(x, (nb * n,) + x._v.shape[b + 1:])
    offs = (np.arange(nb) * n).reshape((nb,) + (1,) * (idx.ndim - b))
    out = gather(flat, idx.reshape((nb,) + idx.shape[b:]) + offs)
    return reshape(out, lead + idx.shape[b:] + x._v.shape[b + 1:])


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    x = as_tensor(tensor)
    p = np.asarray(to_array(paddings)).astype(int)
    if p.shape != (x._v.ndim, 2) or (p < 0).any():
        raise InvalidArgumentError(f"pad: paddings must be a [{x._v.ndim}, 2] list of non-negative ints, "
                                   f"got {np.asarray(paddings).tolist()}")
    mode = mode.upper()
    modes = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}
    if mode not in modes:
        raise ValueError(f"pad: mode must be one of {list(modes)}, got {mode!r}")
    if mode != "CONSTANT":  # a gather: each output cell copies one input cell (its gradient adds back)
        for (a, b), d in zip(p, x._v.shape):
            if max(a, b) > d - (mode == "REFLECT"):
                raise InvalidArgumentError(f"pad: {mode} paddings must be at most {d - (mode == 'REFLECT')} for "
                                           f"an axis of size {d}, got {[int(a), int(b)]}")
        key = np.ix_(*[np.pad(np.arange(d), (int(a), int(b)), mode=modes[mode]) for (a, b), d in zip(p, x._v.shape)])
        return _recorded_getitem("MirrorPad", x._v[key], x, key, False)
    out = np.pad(x._v, p, mode="constant", constant_values=constant_values)
    inner = tuple(slice(int(a), int(a) + d) for (a, _), d in zip(p, x._v.shape))
    return record("Pad", out, (x,), lambda g, v, o, w: (g[inner],), higher=True)


def where(condition, x=None, y=None, name=None):
    c = np.asarray(as_tensor(condition)._v, dtype=bool)
    if x is None and y is None:
        return Tensor(np.argwhere(c).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where: x and y must both be given or both be None")
    x, y = pair(x, y, "where")
    try:
        out = np.where(c, x._v, y._v)
    except ValueError:
        raise InvalidArgumentError(f"where: condition {c.shape}, x {x.shape} and y {y.shape} "
                                   "are not broadcastable") from None
    return select("SelectV2", out, x, y, c)


def select(name, out, x, y, mask):
    """Record an op whose output is ``x`` where ``mask`` else ``y``: the gradient goes to the one chosen."""
    mask = np.broadcast_to(mask, out.shape)
    zero = out.dtype.type(0)

    def backward(g, v, o, w):
        return (np.where(mask, g, zero) if w[0] else None), (np.where(mask, zero, g) if w[1] else None)

    def higher(g, v, o, w):
        m = mask.astype(g._v.dtype)
        return g * Tensor(m), g * Tensor(1 - m)
    return record(name, out, (x, y), backward, higher)


def boolean_mask(tensor, mask, axis=None, name=None):
    x = as_tensor(tensor)
    m = np.asarray(as_tensor(mask)._v, dtype=bool)
    return getitem(x, m)


def reverse(tensor, axis, name=None):
    x = as_tensor(tensor)
    axes = norm_axes(axis, x._v.ndim)
    return record("ReverseV2", np.flip(x._v, axes).copy(), (x,), lambda g, v, o, w: (np.flip(g, axes),))


def identity(input, name=None):  # noqa: A002
    x = as_tensor(input)
    return record("Identity", x._v, (x,), lambda g, v, o, w: (g,), higher=True)


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, with no gradient flowing through it."""
    return Tensor(as_tensor(input)._v)


def shape(input, out_type=np.int32, name=None):  # noqa: A002
    return Tensor(np.asarray(as_tensor(input)._v.shape, dtype=np_dtype(out_type)))


def size(input, out_type=np.int32, name=None):  # noqa: A002
    return Tensor(np.asarray(as_tensor(input)._v.size, dtype=np_dtype(out_type)))


def rank(input, name=None):  # noqa: A002
    return Tensor(np.asarray(as_tensor(input)._v.ndim, dtype=np.int32))


# ---- creation -------------------------------------------------------------------------------

def _dtype_or_default(dtype):
    return np_dtype(floatx() if dtype is None else dtype)


def zeros(shape, dtype=None, name=None):
    return Tensor(np.zeros(shape_arg(shape), dtype=_dtype_or_default(dtype)))


def ones(shape, dtype=None, name=None):
    return Tensor(np.ones(shape_arg(shape), dtype=_dtype_or_default(dtype)))


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    x = as_tensor(input)
    return Tensor(np.zeros(x._v.shape, dtype=x._v.dtype if dtype is None else np_dtype(dtype)))


def ones_like(input, dtype=None, name=None):  # noqa: A002
    x = as_tensor(input)
    return Tensor(np.ones(x._v.shape, dtype=x._v.dtype if dtype is None else np_dtype(dtype)))


def fill(dims, value, name=None):
    v = to_array(value)
    return Tensor(np.full(shape_arg(dims, "dims"), v, dtype=v.dtype))


def range_(start, limit=None, delta=1, dtype=None, name=None):
    """``tf.range``: int32 for int arguments, float32 if any is a float."""
    if limit is None:
        start, limit = 0, start
    vals = [v._v.item() if is_t(v) else v for v in (start, limit, delta)]
    if dtype is None:
        dt = np.float32 if any(isinstance(v, float) for v in vals) else np.int32
    else:
        dt = np_dtype(dtype)
    if vals[2] == 0:
        raise InvalidArgumentError("range: delta must not be 0")
    return Tensor(np.arange(*vals).astype(dt))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length ``depth``; out-of-range indices give all-off rows (as TensorFlow)."""
    idx = np.asarray(as_tensor(indices)._v)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: indices must be integers, got {idx.dtype.name}")
    if dtype is None and (on_value is not None or off_value is not None):
        dtype = to_array(on_value if on_value is not None else off_value).dtype
    dt = _dtype_or_default(dtype)
    on = dt.type(1 if on_value is None else on_value)
    off = dt.type(0 if off_value is None else off_value)
    out = np.where(idx[..., None] == np.arange(_depth_arg(depth)), on, off).astype(dt)
    if axis is not None and axis != -1:
        out = np.moveaxis(out, -1, axis)
    return Tensor(out)


def _depth_arg(depth):
    """``one_hot``'s depth as an int: a scalar integer (Python, NumPy or tensor), >= 0 as in TF."""
    d = np.asarray(depth._v if is_t(depth) else depth)
    if d.ndim != 0 or d.dtype.kind not in "iu":
        raise TypeError(f"one_hot: depth must be a scalar integer, got {type(depth).__name__} {depth!r}")
    if d < 0:
        raise InvalidArgumentError(f"one_hot: depth must be non-negative, got: {int(d)}")
    return int(d)


def linspace(start, stop, num, name=None, axis=0):
    return Tensor(np.linspace(float(start), float(stop), int(num)).astype(floatx()))


def eye(num_rows, num_columns=None, dtype=None, name=None):
    return Tensor(np.eye(num_rows, num_columns, dtype=_dtype_or_default(dtype)))


