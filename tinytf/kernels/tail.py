"""The tail of a convolution at inference: what the layers after a Conv2D do to its output (its
bias and ReLU, an inference batch norm, a ReLU, a max pool, a ReLU), applied to one part of the
images while the part's product is still in cache (``conv.conv2d_forward_tail``), instead of one
pass over the whole batch per layer.

Each step is the arithmetic of the op it stands for, in the same order, so the result has the bits
of the layers run one after another: the bias add (``norm.channel_add``), ``maximum(v, 0)``
(``activation.relu``: a NaN stays NaN, -0 gives +0), ``v * inv + shift`` with the batch norm's
``norm.scale_shift`` (``norm.normalize``), and the max pool's chain over the window in row-major
order (``pool.max_pool_forward``).
"""
from typing import NamedTuple, Optional

import numpy as np

from . import pool


class Tail(NamedTuple):
    bias: Optional[np.ndarray] = None   # [O]: the convolution's bias
    relu_conv: bool = False             # the convolution's own ReLU activation
    inv: Optional[np.ndarray] = None    # [O] with ``shift``: an inference batch norm, v * inv + shift
    shift: Optional[np.ndarray] = None
    relu_norm: bool = False             # a ReLU after the batch norm, before the pool
    pool: Optional[object] = None       # a max pool's window geometry (``conv.geometry``)
    relu_pool: bool = False             # a ReLU after the pool

    def out_shape(self, y_shape):
        n, oh, ow, o = y_shape
        return (n, oh, ow, o) if self.pool is None else (n, self.pool.oh, self.pool.ow, o)


def _relu(v):
    return np.maximum(v, v.dtype.type(0))


def conv_tail(y, steps, out):
    """out (returned) = the ``steps`` (a ``Tail``) applied to the convolution output y [N, OH, OW, O]."""
    if steps.bias is not None:
        y = y + steps.bias
    if steps.relu_conv:
        y = _relu(y)
    if steps.inv is not None:
        y = y * steps.inv + steps.shift
    if steps.relu_norm:
        y = _relu(y)
    if steps.pool is not None:
        y = pool.max_pool_forward(y, steps.pool)
    if steps.relu_pool:
        y = _relu(y)
    out[...] = y
    return out
