"""``tf.tensor_scatter_nd_update`` / ``_add`` / ``_sub``, ``tf.saturate_cast``, ``tf.meshgrid``,
``tf.broadcast_dynamic_shape`` and ``tf.math.is_inf``: small ops that programs call around the layers.

The scatters as TensorFlow: ``indices`` [..., k] address slices of ``tensor`` by their first k
axes; ``updates`` has shape ``indices.shape[:-1] + tensor.shape[k:]``; an index out of range is an
InvalidArgumentError; duplicate indices add (``_add``/``_sub``) and, for ``_update``, the last wins
(TensorFlow leaves the order unspecified; its CPU kernel also writes in order).
"""
import numpy as np

from ..dtypes import np_dtype
from ..errors import InvalidArgumentError
from ..tape import record
from ..tensor import Tensor, to_array
from . import array_ops as A, math_ops as M
from .core import as_tensor


def _scatter_args(op, tensor, indices, updates):
    x = as_tensor(tensor)
    idx = np.asarray(as_tensor(indices)._v)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be int32 or int64, got {idx.dtype.name}")
    if idx.ndim < 1 or idx.shape[-1] > x._v.ndim:
        raise InvalidArgumentError(f"{op}: indices.shape[-1] must be <= the rank of tensor {x._v.ndim}, "
                                   f"got indices of shape {list(idx.shape)}")
    k = idx.shape[-1]
    u = as_tensor(updates)
    if u._v.dtype != x._v.dtype:
        u = as_tensor(to_array(updates, x._v.dtype)) if not isinstance(updates, Tensor) else u
    if u._v.dtype != x._v.dtype:
        raise InvalidArgumentError(f"{op}: updates must have the tensor's dtype {x._v.dtype.name}, "
                                   f"got {u._v.dtype.name}")
    want = idx.shape[:-1] + x._v.shape[k:]
    if u._v.shape != want:
        raise InvalidArgumentError(f"{op}: updates must have shape indices.shape[:-1] + tensor.shape[{k}:] = "
                                   f"{list(want)}, got {list(u._v.shape)}")
    flat = idx.reshape(-1, k)
    bad = (flat < 0) | (flat >= np.asarray(x._v.shape[:k]))
    if bad.any():
        row = flat[np.nonzero(bad.any(axis=1))[0][0]]
        raise InvalidArgumentError(f"{op}: indices {row.tolist()} do not index into tensor of shape "
                                   f"{list(x._v.shape)}")
    return x, u, tuple(flat.T), u._v.reshape((flat.shape[0],) + x._v.shape[k:])


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with the slices at ``indices`` replaced by ``updates``."""
    x, u, key, uv = _scatter_args("tensor_scatter_nd_update", tensor, indices, updates)
    out = x._v.copy()
    out[key] = uv
    written = np.zeros(x._v.shape, dtype=bool)
    written[key] = True
    # the update that won each written cell (the last one), for the updates' gradient
    order = np.full(x._v.shape[:len(key)], -1, dtype=np.int64)
    order[key] = np.arange(uv.shape[0])
    wins = order[key] == np.arange(uv.shape[0])
    u_shape = u._v.shape

    def backward(g, v, o, wanted):
        gu = g[key] * wins.reshape((-1,) + (1,) * (g.ndim - len(key))).astype(g.dtype)
        return np.where(written, 0, g).astype(g.dtype), gu.reshape(u_shape)
    return record("TensorScatterUpdate", out, (x, u), backward)


def _scatter_add(op, tensor, indices, updates, sign):
    x, u, key, uv = _scatter_args(op, tensor, indices, updates)
    out = x._v.copy()
    np.add.at(out, key, uv if sign > 0 else -uv)
    u_shape = u._v.shape
    return record(op, out, (x, u), lambda g, v, o, w: (g, (g[key] if sign > 0 else -g[key]).reshape(u_shape)))


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """``tensor`` with ``updates`` added at ``indices`` (duplicates add)."""
    return _scatter_add("tensor_scatter_nd_add", tensor, indices, updates, 1)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """``tensor`` with ``updates`` subtracted at ``indices`` (duplicates add)."""
    return _scatter_add("tensor_scatter_nd_sub", tensor, indices, updates, -1)


def saturate_cast(value, dtype, name=None):
    """``cast`` after clamping ``value`` to the range of ``dtype`` (no wrap-around or inf), as TF:
    the bounds are those of ``dtype`` rounded toward zero into ``value``'s dtype."""
    x = as_tensor(value)
    src, dst = x._v.dtype, np_dtype(dtype)
    if src.kind in "iuf" and dst.kind in "iuf":
        lo_d, hi_d = _range(dst)
        lo_s, hi_s = _range(src)
        if lo_d > lo_s or hi_d < hi_s:
            x = M.clip_by_value(x, _toward_zero(lo_d, src) if lo_d > lo_s else lo_s,
                                _toward_zero(hi_d, src) if hi_d < hi_s else hi_s)
    elif src.kind == "b" or dst.kind == "b":
        pass
    else:
        raise TypeError(f"saturate_cast: cannot cast {src.name} to {dst.name}")
    with np.errstate(invalid="ignore"):  # NaN to an int type: as TensorFlow, no error
        return M.cast(x, dst)


def _range(dtype):
    """(min, max) of a numeric dtype as Python numbers (compared exactly)."""
    if dtype.kind in "iu":
        return int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    return float(np.finfo(dtype).min), float(np.finfo(dtype).max)


def _toward_zero(bound, dtype):
    """The value of ``dtype`` nearest ``bound`` that is not farther from zero."""
    v = np.asarray(bound).astype(dtype) if dtype.kind in "iu" else np.asarray(float(bound), dtype=dtype)
    if dtype.kind == "f" and abs(float(v)) > abs(float(bound)):
        v = np.nextafter(v, np.zeros((), dtype))
    return v


def meshgrid(*args, **kwargs):
    """Coordinate arrays from 1-D tensors; ``indexing='xy'`` (default: the first two outputs
    transposed, as NumPy) or ``'ij'``. Gradients flow to each input (summed over the grid)."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    xs = [A.reshape(as_tensor(a), [-1]) for a in args]
    n = len(xs)
    sizes = [int(x._v.shape[0]) for x in xs]
    if indexing == "xy" and n > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(xs):
        axis = (1 - i if i < 2 else i) if indexing == "xy" and n > 1 else i
        shape = [1] * n
        shape[axis] = -1
        out.append(A.broadcast_to(A.reshape(x, shape), sizes))
    return out


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shapes (1-D int tensors) as a 1-D tensor of ``shape_x``'s int dtype."""
    a, b = as_tensor(shape_x)._v, as_tensor(shape_y)._v
    if a.ndim != 1 or b.ndim != 1 or a.dtype.kind not in "iu" or b.dtype.kind not in "iu":
        raise InvalidArgumentError(f"broadcast_dynamic_shape: shapes must be 1-D int tensors, got "
                                   f"{a.tolist()} and {b.tolist()}")
    try:
        out = np.broadcast_shapes(tuple(int(d) for d in a), tuple(int(d) for d in b))
    except ValueError:
        raise InvalidArgumentError(f"Incompatible shapes: {a.tolist()} vs. {b.tolist()}") from None
    return Tensor(np.asarray(out, dtype=a.dtype).reshape(-1))


def is_inf(x, name=None):
    """True where ``x`` is +inf or -inf."""
    return Tensor(np.isinf(as_tensor(x)._v))
