"""2-D convolution, NHWC input and HWIO filters: forward and both gradients.

The pattern (Chainer's): pad once, view the kh*kw strided windows of the padded input
without copying (``as_strided``), copy them once into a [N*OH*OW, kh*kw*C] matrix and do one
GEMM with the [kh*kw*C, O] filter matrix. The filter gradient reuses that matrix; the input
gradient is one GEMM back to window space followed by kh*kw strided adds (a loop over kernel
offsets, never over pixels or batch).
"""
from functools import lru_cache

import numpy as np

from . import blas
from .padding import conv_plan


class ConvGeometry:
    """Sizes and pads of one conv/pool call; computed once per input shape (cached)."""
    __slots__ = ("n_hw", "k_hw", "strides", "dilations", "oh", "ow", "pads", "padded_hw")

    def __init__(self, n_hw, k_hw, strides, dilations, padding):
        (oh, pt, pb), (ow, pl, pr) = conv_plan(n_hw, k_hw, strides, dilations, padding)
        self.n_hw, self.k_hw, self.strides, self.dilations = n_hw, k_hw, strides, dilations
        self.oh, self.ow, self.pads = oh, ow, ((pt, pb), (pl, pr))
        self.padded_hw = (n_hw[0] + pt + pb, n_hw[1] + pl + pr)

    @property
    def has_padding(self):
        return any(self.pads[0]) or any(self.pads[1])

    @property
    def is_pointwise(self):
        """1x1 kernel, stride 1, no padding: the window matrix is the input itself."""
        return self.k_hw == (1, 1) and self.strides == (1, 1) and not self.has_padding

    def window_slices(self):
        """Yield ((i, j), (row_slice, col_slice)): for each kernel offset, the strided cells of
        the padded input it touches across all output positions."""
        (sh, sw), (dh, dw) = self.strides, self.dilations
        for i in range(self.k_hw[0]):
            rows = slice(i * dh, i * dh + sh * (self.oh - 1) + 1, sh)
            for j in range(self.k_hw[1]):
                yield (i, j), (rows, slice(j * dw, j * dw + sw * (self.ow - 1) + 1, sw))


@lru_cache(maxsize=256)
def geometry(n_hw, k_hw, strides, dilations, padding):
    return ConvGeometry(n_hw, k_hw, strides, dilations, padding)


def pad_nhwc(x, pads, value=0):
    """Pad the two spatial axes of an NHWC array (no copy when there is nothing to pad)."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w, :] = x
    return out


def unpad_nhwc(x, pads, n_hw):
    (pt, _), (pl, _) = pads
    return x[:, pt:pt + n_hw[0], pl:pl + n_hw[1], :]


def windows(xpad, geo):
    """A read-only [N, OH, OW, kh, kw, C] view of every window of the padded input."""
    n, _, _, c = xpad.shape
    s_n, s_h, s_w, s_c = xpad.strides
    (sh, sw), (dh, dw) = geo.strides, geo.dilations
    return np.lib.stride_tricks.as_strided(
        xpad, (n, geo.oh, geo.ow, geo.k_hw[0], geo.k_hw[1], c),
        (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)


def im2col(x, geo):
    """[N*OH*OW, kh*kw*C] matrix of windows (a view, not a copy, for 1x1 stride-1 unpadded)."""
    n, c = x.shape[0], x.shape[3]
    if geo.is_pointwise:
        return x.reshape(n * geo.oh * geo.ow, c)
    xpad = pad_nhwc(x, geo.pads)
    kh, kw = geo.k_hw
    if c < 4:
        # Few channels: copying windows row by row would move runs of only kw*C numbers. Fill
        # the transpose instead, one [N, OH, OW] slice per (kernel offset, channel) with runs of
        # OW, and return its (Fortran-ordered) transpose: same values, BLAS reads it directly.
        # (Im2col + GEMM, LeNet shapes: 3.2x faster for C=1, 1.2x for C=3; from C=4 on, the
        # plain window copy wins: 1.25x for C=6.)
        colsT = np.empty((kh, kw, c, n, geo.oh, geo.ow), dtype=x.dtype)
        for (i, j), (rows, cols) in geo.window_slices():
            colsT[i, j] = xpad[:, rows, cols, :].transpose(3, 0, 1, 2)
        return colsT.reshape(kh * kw * c, -1).T
    return windows(xpad, geo).reshape(n * geo.oh * geo.ow, kh * kw * c)  # (not -1: n may be 0)


# Window matrices larger than CHUNK_ABOVE are never built whole: a few images at a time are
# copied into a CHUNK_BYTES matrix, which is still in cache when the GEMM reads it (measured on
# [64,32,32,64]x[3,3,64,64]: 54 ms whole, 36 ms in chunks of 1 image, 34 ms of 2; 4+: slower).
# Chunking only above 64 MB: for mid-sized matrices (LeNet inference at batch 1000: 24-26 MB)
# it gained 7% at best and lost 30% when the GEMM's second thread ran on a distant core (the
# just-written chunk then crosses between caches; see docs/PERFORMANCE.md).
CHUNK_BYTES = 6 << 20
CHUNK_ABOVE = 64 << 20


def _chunk(n, geo, k, itemsize):
    """Images per chunk, or None to build the whole window matrix."""
    per_image = geo.oh * geo.ow * k * itemsize
    if n * per_image <= CHUNK_ABOVE:
        return None
    return max(1, CHUNK_BYTES // per_image)


def conv2d_forward(x, w, geo, im2col=im2col):
    """x [N,H,W,C], w [kh,kw,C,O] -> (y [N,OH,OW,O], cols) where cols feeds the filter gradient.

    For large inputs cols is None: the window matrix is built and used a chunk at a time, and
    ``conv2d_backward_filter`` rebuilds it from x. ``im2col`` is the window gather to use (the
    kernel table passes the active one; so for the other gradients)."""
    n, o = x.shape[0], w.shape[3]
    w2 = w.reshape(-1, o)
    step = _chunk(n, geo, w2.shape[0], x.itemsize)
    if step is None:
        cols = im2col(x, geo)
        return blas.matmul(cols, w2).reshape(n, geo.oh, geo.ow, o), cols
    y = np.empty((n, geo.oh, geo.ow, o), dtype=np.result_type(x, w))
    for s in range(0, n, step):
        blas.matmul(im2col(x[s:s + step], geo), w2, out=y[s:s + step].reshape(-1, o))
    return y, None


def conv2d_backward_filter(g, cols, w_shape, x=None, geo=None, im2col=im2col):
    """dL/dw [kh,kw,C,O] from the output gradient g [N,OH,OW,O] and the forward's cols (or, when
    the forward kept none, from x and geo, a chunk of images at a time)."""
    o = g.shape[3]
    if cols is not None:
        return blas.matmul(cols.T, g.reshape(-1, o)).reshape(w_shape)
    k = w_shape[0] * w_shape[1] * w_shape[2]
    step = _chunk(x.shape[0], geo, k, x.itemsize) or x.shape[0]
    dw = np.zeros((k, o), dtype=g.dtype)
    for s in range(0, x.shape[0], step):
        dw += blas.matmul(im2col(x[s:s + step], geo).T, g[s:s + step].reshape(-1, o))
    return dw.reshape(w_shape)


def col2im(dcols, x_shape, geo):
    """Sum window-space gradients [N,OH,OW,kh,kw,C] back into an [N,H,W,C] input gradient."""
    n, _, _, c = x_shape
    if geo.is_pointwise:
        return dcols.reshape(x_shape)
    dxp = np.zeros((n,) + geo.padded_hw + (c,), dtype=dcols.dtype)
    for (i, j), (rows, cols) in geo.window_slices():
        dxp[:, rows, cols, :] += dcols[:, :, :, i, j, :]
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)


def conv2d_backward_input(g, w, x_shape, geo, col2im=col2im, im2col=im2col):
    """dL/dx [N,H,W,C] from the output gradient g [N,OH,OW,O] and the filter w [kh,kw,C,O].

    ``col2im`` and ``im2col`` are the window scatter and gather to use (the kernel table passes
    the active ones)."""
    kh, kw, c, o = w.shape
    n = x_shape[0]
    w2t = w.reshape(-1, o).T
    step = _chunk(n, geo, kh * kw * c, g.itemsize)
    if step is None:
        dcols = blas.matmul(g.reshape(-1, o), w2t)
        return col2im(dcols.reshape(n, geo.oh, geo.ow, kh, kw, c), x_shape, geo)
    if geo.strides == (1, 1):
        dx = _backward_input_as_conv(g, w, x_shape, geo, im2col)
        if dx is not None:
            return dx
    dx = np.empty(x_shape, dtype=g.dtype)
    for s in range(0, n, step):
        gs = g[s:s + step]
        dcols = blas.matmul(gs.reshape(-1, o), w2t).reshape(gs.shape[0], geo.oh, geo.ow, kh, kw, c)
        dx[s:s + step] = col2im(dcols, (gs.shape[0],) + tuple(x_shape[1:]), geo)
    return dx


def _backward_input_as_conv(g, w, x_shape, geo, im2col=im2col):
    """Stride 1: dL/dx is the 'full' convolution of g with the filter flipped in space and with
    its channel axes swapped; as a forward conv it needs no window-space scatter (col2im), which
    is the slow part for large inputs. None when the padding does not allow it."""
    (kh, kw), (dh, dw) = geo.k_hw, geo.dilations
    keh, kew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    (pt, pb), (pl, pr) = geo.pads
    pads = ((keh - 1 - pt, keh - 1 - pb), (kew - 1 - pl, kew - 1 - pr))
    if min(pads[0] + pads[1]) < 0:
        return None
    wt = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
    g_geo = geometry((geo.oh, geo.ow), (kh, kw), (1, 1), geo.dilations, pads)
    dx = conv2d_forward(g, wt, g_geo, im2col)[0]
    return dx if dx.shape == tuple(x_shape) else None
