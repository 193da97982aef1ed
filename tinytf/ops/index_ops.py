"""``tf.gather_nd`` and ``tf.unique``."""
import numpy as np

from ..dtypes import np_dtype
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .array_ops import _recorded_getitem
from .core import as_tensor


def gather_nd(params, indices, batch_dims=0, name=None):
    """Slices of ``params`` at the index vectors in the last axis of ``indices``: the result has shape
    ``indices.shape[:-1] + params.shape[batch_dims + indices.shape[-1]:]``; the first ``batch_dims``
    axes are shared by ``params`` and ``indices``. Differentiable w.r.t. ``params``."""
    x = as_tensor(params)
    idx = np.asarray(as_tensor(indices)._v)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather_nd: indices must be int32 or int64, got {idx.dtype.name}")
    if isinstance(batch_dims, bool) or not isinstance(batch_dims, (int, np.integer)) or batch_dims < 0:
        raise ValueError(f"gather_nd: batch_dims must be a non-negative int, got {batch_dims!r}")
    b = int(batch_dims)
    if idx.ndim < 1 or b >= idx.ndim:
        raise ValueError(f"gather_nd: indices must have rank > batch_dims ({b}), got shape {idx.shape}")
    m = idx.shape[-1]
    if b + m > x._v.ndim:
        raise ValueError(f"gather_nd: index vectors of length {m} (indices' last axis) with batch_dims={b} "
                         f"need params of rank >= {b + m}, got shape {tuple(x._v.shape)}")
    if x._v.shape[:b] != idx.shape[:b]:
        raise ValueError(f"gather_nd: with batch_dims={b}, params and indices must share their first {b} axes, "
                         f"got params {tuple(x._v.shape)} and indices {idx.shape}")
    bound = np.asarray(x._v.shape[b:b + m])
    bad = np.nonzero(((idx < 0) | (idx >= bound)).any(axis=-1))
    if bad[0].size:
        at = tuple(int(a[0]) for a in bad)
        raise InvalidArgumentError(f"gather_nd: indices{list(at)} = {idx[at].tolist()} does not index into "
                                   f"param shape {list(x._v.shape)}")
    lead = tuple(np.arange(n).reshape((-1,) + (1,) * (idx.ndim - 2 - a)) for a, n in enumerate(idx.shape[:b]))
    k = lead + tuple(idx[..., j] for j in range(m))
    return _recorded_getitem("GatherNd", x._v[k], x, k, False)


def unique(x, out_idx="int32", name=None):
    """``(y, idx)``: the distinct values of the 1-D ``x`` in order of first appearance, and for each
    element of ``x`` the position of its value in ``y`` (``x == tf.gather(y, idx)``)."""
    v = np.asarray(as_tensor(x)._v)
    if v.ndim != 1:
        raise InvalidArgumentError(f"unique: x must be a vector, got shape {v.shape}")
    it = np_dtype(out_idx)
    if it not in (np.int32, np.int64):
        raise TypeError(f"unique: out_idx must be int32 or int64, got {it.name}")
    _, first, inverse = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # sorted-unique position -> order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return Tensor(v[np.sort(first)]), Tensor(rank[inverse.reshape(-1)].astype(it))
