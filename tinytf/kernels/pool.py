"""Max and average pooling over NHWC arrays, forward and gradient.

Both reduce the kh*kw strided slices of the (padded) input with a loop over kernel offsets.
Padded cells never take part: max pooling pads with -inf, average pooling divides each window
by its count of real cells (TensorFlow's SAME rule).
"""
from functools import lru_cache

import numpy as np

from . import parallel
from .activation import masked
from .conv import pad_nhwc, unpad_nhwc


def _reduce_windows(ufunc, xpad, geo):
    """ufunc over the kh*kw strided slices, left to right: ``f(f(s0, s1), s2) ...``; the first
    call writes a new array, so no slice is copied on its own."""
    slices = [xpad[:, rows, cols, :] for _, (rows, cols) in geo.window_slices()]
    if len(slices) == 1:
        return slices[0].copy()
    out = ufunc(slices[0], slices[1])
    for s in slices[2:]:
        ufunc(out, s, out=out)
    return out


def max_pool_forward(x, geo):
    """The window max, in blocks of images on tinytf's threads (element-wise: the same bits;
    LeNet inference, [1000,26,26,6]: 7.1 ms in one block, 3.0 in 16)."""
    out = np.empty((x.shape[0], geo.oh, geo.ow, x.shape[3]), dtype=x.dtype)

    def block(a, b):
        out[a:b] = _reduce_windows(np.maximum, pad_nhwc(x[a:b], geo.pads, -np.inf), geo)
    parallel.run_in_blocks(block, x.shape[0], x[0].size if x.shape[0] else 1)
    return out


def argmax_dtype(geo):
    """The smallest unsigned integer type holding a window offset (uint8 up to 16x16 windows)."""
    return np.min_scalar_type(geo.k_hw[0] * geo.k_hw[1] - 1)


def max_pool_argmax(x, out, geo):
    """For each output, the window offset ``p * kw + q`` of the first cell in row-major window
    order equal to its max ``out``, or the last offset where no cell is (a NaN max). Padded
    cells count as -inf, so an all -inf window may pick one (its gradient is then dropped).
    Computed as the number of leading cells not equal to the max."""
    xpad = pad_nhwc(x, geo.pads, -np.inf)
    slices = list(geo.window_slices())
    arg = np.zeros(out.shape, dtype=argmax_dtype(geo))
    ahead = ne = None  # ahead: no cell so far equals the max
    for _, (rows, cols) in slices[:-1]:
        ne = np.not_equal(xpad[:, rows, cols, :], out, out=ne)
        ahead = ne.copy() if ahead is None else np.logical_and(ahead, ne, out=ahead)
        arg += ahead.view(np.uint8)
    return arg


def max_pool_forward_argmax(x, geo):
    """``(max_pool_forward(x, geo), max_pool_argmax(...))``: the max and where the gradient goes."""
    out = max_pool_forward(x, geo)
    return out, max_pool_argmax(x, out, geo)


def max_pool_backward_argmax(g, arg, x_shape, geo):
    """Route each output gradient to the window cell ``arg`` names (adds in kernel-offset order)."""
    dxp = np.zeros((x_shape[0],) + geo.padded_hw + (x_shape[3],), dtype=g.dtype)
    for k, (_, (rows, cols)) in enumerate(geo.window_slices()):
        dxp[:, rows, cols, :] += masked(g, arg == k)
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)


def max_pool_backward(g, x, out, geo):
    """Route each output gradient to the first (row-major) cell of its window holding the max."""
    return max_pool_backward_argmax(g, max_pool_argmax(x, out, geo), x.shape, geo)


@lru_cache(maxsize=128)
def _window_counts(geo, dtype):
    ones = np.ones((1,) + geo.n_hw + (1,), dtype=dtype)
    counts = sum(pad_nhwc(ones, geo.pads)[:, r, c, :] for _, (r, c) in geo.window_slices())
    return counts


def avg_pool_forward(x, geo):
    out = _reduce_windows(np.add, pad_nhwc(x, geo.pads), geo)
    if geo.has_padding:
        return out / _window_counts(geo, x.dtype.str)
    return out * x.dtype.type(1.0 / (geo.k_hw[0] * geo.k_hw[1]))


def avg_pool_backward(g, x_shape, geo):
    if geo.has_padding:
        share = g / _window_counts(geo, g.dtype.str)
    else:
        share = g * g.dtype.type(1.0 / (geo.k_hw[0] * geo.k_hw[1]))
    dxp = np.zeros((x_shape[0],) + geo.padded_hw + (x_shape[3],), dtype=g.dtype)
    for _, (rows, cols) in geo.window_slices():
        dxp[:, rows, cols, :] += share
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)
