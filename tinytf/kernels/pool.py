"""Max and average pooling over NHWC arrays, forward and gradient.

Both reduce the kh*kw strided slices of the (padded) input with a loop over kernel offsets.
Padded cells never take part: max pooling pads with -inf, average pooling divides each window
by its count of real cells (TensorFlow's SAME rule).
"""
from functools import lru_cache

from ..backend import xp
from .conv import pad_nhwc, unpad_nhwc


def max_pool_forward(x, geo):
    xpad = pad_nhwc(x, geo.pads, -xp.inf)
    out = None
    for _, (rows, cols) in geo.window_slices():
        s = xpad[:, rows, cols, :]
        out = s.copy() if out is None else xp.maximum(out, s, out=out)
    return out


def max_pool_backward(g, x, out, geo):
    """Route each output gradient to the first (row-major) cell of its window holding the max."""
    xpad = pad_nhwc(x, geo.pads, -xp.inf)
    dxp = xp.zeros(xpad.shape, dtype=g.dtype)
    free = xp.ones(out.shape, dtype=bool)
    last = geo.k_hw[0] * geo.k_hw[1] - 1
    for k, ((i, j), (rows, cols)) in enumerate(geo.window_slices()):
        hit = xpad[:, rows, cols, :] == out
        if k < last:
            hit &= free
            free &= ~hit
        else:
            hit = free
        dxp[:, rows, cols, :] += xp.where(hit, g, 0)
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)


@lru_cache(maxsize=128)
def _window_counts(geo, dtype):
    ones = xp.ones((1,) + geo.n_hw + (1,), dtype=dtype)
    counts = sum(pad_nhwc(ones, geo.pads)[:, r, c, :] for _, (r, c) in geo.window_slices())
    return counts


def avg_pool_forward(x, geo):
    xpad = pad_nhwc(x, geo.pads)
    out = None
    for _, (rows, cols) in geo.window_slices():
        s = xpad[:, rows, cols, :]
        out = s.copy() if out is None else xp.add(out, s, out=out)
    if geo.has_padding:
        return out / _window_counts(geo, x.dtype.str)
    return out * x.dtype.type(1.0 / (geo.k_hw[0] * geo.k_hw[1]))


def avg_pool_backward(g, x_shape, geo):
    if geo.has_padding:
        share = g / _window_counts(geo, g.dtype.str)
    else:
        share = g * g.dtype.type(1.0 / (geo.k_hw[0] * geo.k_hw[1]))
    dxp = xp.zeros((x_shape[0],) + geo.padded_hw + (x_shape[3],), dtype=g.dtype)
    for _, (rows, cols) in geo.window_slices():
        dxp[:, rows, cols, :] += share
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)
