"""Sorting and gathering along an axis (``tf.sort``, ``tf.argsort``, ``tf.math.top_k``,
``take_along_axis``): each is a gather of its input, so its gradient scatters back (``getitem``'s)."""
import numpy as np

from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .core import as_tensor, norm_axes
from .array_ops import _recorded_getitem, broadcast_to


def _full_index(idx, axis):
    """The index tuple that picks ``x[..., idx[...], ...]`` along ``axis`` (np.take_along_axis's)."""
    grid = list(np.ix_(*[np.arange(d) for d in idx.shape]))
    grid[axis] = idx
    return tuple(grid)


def take_along_axis(x, indices, axis):
    """``x`` gathered along ``axis`` at ``indices`` (same rank as ``x``; other axes broadcast)."""
    x = as_tensor(x)
    idx = np.asarray(as_tensor(indices)._v)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis: indices must be integers, got {idx.dtype.name}")
    if idx.ndim != x._v.ndim:
        raise ValueError(f"take_along_axis: indices must have the rank of x ({x._v.ndim}), got shape {idx.shape}")
    ax = norm_axes(axis, x._v.ndim)[0]
    n = x._v.shape[ax]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise InvalidArgumentError(f"take_along_axis: indices must be in [{-n}, {n}), got values in "
                                   f"[{idx.min()}, {idx.max()}]")
    shape = np.broadcast_shapes(tuple(d if i != ax else 1 for i, d in enumerate(x._v.shape)),
                                tuple(d if i != ax else 1 for i, d in enumerate(idx.shape)))
    idx = np.broadcast_to(idx, shape[:ax] + (idx.shape[ax],) + shape[ax + 1:]) % max(n, 1)
    if x._v.shape != shape[:ax] + (n,) + shape[ax + 1:]:
        x = broadcast_to(x, shape[:ax] + (n,) + shape[ax + 1:])
    k = _full_index(idx, ax)
    return _recorded_getitem("TakeAlongAxis", x._v[k], x, k, False)


def _order(v, axis, descending):
    """Stable sort order along ``axis`` (ties keep their index order, also when descending)."""
    if descending:
        if v.dtype.kind == "b":
            v = ~v
        elif v.dtype.kind == "u":
            v = np.iinfo(v.dtype).max - v
        else:
            v = -v.astype(np.int64) if v.dtype.kind == "i" else -v
    return np.argsort(v, axis=axis, kind="stable")


def _direction(direction, op):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"{op}: direction must be 'ASCENDING' or 'DESCENDING', got {direction!r}")
    return direction == "DESCENDING"


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    x = as_tensor(values)
    ax = norm_axes(axis, x._v.ndim)[0]
    return Tensor(_order(x._v, ax, _direction(direction, "argsort")).astype(np.int32))


def sort(values, axis=-1, direction="ASCENDING", name=None):
    x = as_tensor(values)
    ax = norm_axes(axis, x._v.ndim)[0]
    return take_along_axis(x, _order(x._v, ax, _direction(direction, "sort")), ax)


def top_k(input, k=1, sorted=True, index_type=np.int32, name=None):  # noqa: A002
    """The ``k`` largest entries of the last axis and their indices (ties: the lower index first)."""
    x = as_tensor(input)
    if x._v.ndim < 1:
        raise InvalidArgumentError("top_k: input must have rank >= 1")
    n = x._v.shape[-1]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise InvalidArgumentError(f"top_k: k must be an int in [0, {n}] (the last axis), got {k!r}")
    order = _order(x._v, -1, True)[..., :int(k)]
    return take_along_axis(x, order, -1), Tensor(order.astype(index_type))
