"""2-D convolution, NHWC input and HWIO filters: forward and both gradients.

The pattern (Chainer's): pad once, view the kh*kw strided windows of the padded input
without copying (``as_strided``), copy them into a [N*OH*OW, kh*kw*C] matrix and multiply it by
the [kh*kw*C, O] filter matrix. The filter gradient reuses that matrix (or builds it again); the
input gradient is a GEMM back to window space followed by kh*kw strided adds (a loop over kernel
offsets, never over pixels or batch). All three run in parts of a few images on tinytf's threads
(``parallel.run``; see ``images_per_part``), each part copying and multiplying its own windows.
3x3 stride-1 convolutions with many channels take Winograd's F(2x2, 3x3) instead, for the forward
and for the input gradient (then a forward convolution of g): ``winograd_applies``, ``winograd.py``.
"""
from functools import lru_cache

import numpy as np

from . import blas, parallel, winograd
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


def im2col(x, geo, out=None):
    """[N*OH*OW, kh*kw*C] matrix of windows (a view, not a copy, for 1x1 stride-1 unpadded), or
    written into ``out`` (of that shape, in any layout; ``window_matrix`` makes the fastest one)."""
    n, c = x.shape[0], x.shape[3]
    if geo.is_pointwise:
        return _into(x.reshape(n * geo.oh * geo.ow, c), out)
    xpad = pad_nhwc(x, geo.pads)
    kh, kw = geo.k_hw
    if c < 4:
        # Few channels: copying windows row by row would move runs of only kw*C numbers. Fill
        # the transpose instead, one [N, OH, OW] slice per (kernel offset, channel) with runs of
        # OW, and return its (Fortran-ordered) transpose: same values, BLAS reads it directly.
        # (Im2col + GEMM, LeNet shapes: 3.2x faster for C=1, 1.2x for C=3; from C=4 on, the
        # plain window copy wins: 1.25x for C=6.)
        cols = np.empty((kh * kw * c, n * geo.oh * geo.ow), dtype=x.dtype).T if out is None else out
        colsT = cols.T.reshape(kh, kw, c, n, geo.oh, geo.ow)  # a view for either layout
        for (i, j), (rows, cs) in geo.window_slices():
            colsT[i, j] = xpad[:, rows, cs, :].transpose(3, 0, 1, 2)
        return cols
    return _into(windows(xpad, geo).reshape(n * geo.oh * geo.ow, kh * kw * c), out)  # (not -1: n may be 0)


def _into(cols, out):
    if out is None:
        return cols
    out[...] = cols
    return out


def window_matrix(m, k, c, dtype):
    """An empty [m, k] window matrix in the layout im2col fills fastest for c channels (Fortran
    order, filled by transposed slices, for c < 4)."""
    return np.empty((k, m), dtype=dtype).T if c < 4 else np.empty((m, k), dtype=dtype)


# The work of a convolution is cut into parts of a few images (``parallel.run``), the parts fixed
# by the shapes. A part copies its windows into at most CHUNK_BYTES, which are still in the copying
# core's cache when the same thread multiplies them (measured on [64,32,32,64]x[3,3,64,64] with
# BLAS's two threads: 54 ms whole, 36 ms in chunks of 1 image, 34 ms of 2; 4+: slower; tinytf's two
# threads, a part each: 27 ms); it has at least PART_ROWS rows (one core's sgemm, K=4608 N=512: 63
# GFLOP/s at 16 rows, 99 at 256, 102 at 512) and PART_MACS multiply-adds, so that handing it to a
# thread (~20 us) stays small; unless the cache bound asks for more, there are at most MAX_PARTS
# (each part costs some Python; LeNet inference, batch 1000, 3 alternating runs: 48 parts of 21
# images for conv2 145-172 ms, at most 16 parts 133-147 ms).
#
# Window matrices up to KEEP_BYTES are kept whole for the filter gradient; larger ones are built
# again from x there, a part at a time. Keeping one above glibc's mmap threshold (32 MB as
# backend.py sets it) costs more than building it twice: the fresh mapping page-faults in every
# step (ms, forward + filter gradient, kept / built again: [32,16,16,128]x[3,3,128,128] 38.7 /
# 26.0, [32,32,32,64]x[3,3,64,64] 42.9 / 27.7; at 19 MB, [32,8,8,256]x[3,3,256,256]: 26.4 / 26.5).
# The stride-1 input gradient of inputs whose window matrix would exceed AS_CONV_ABOVE is a
# forward convolution of g (no col2im): [64,32,32,64]x[3,3,64,64] 27.6 ms against 28.9; below
# it col2im is as fast or faster ([128,11,11,6]x[3,3,6,16]: 0.50 against 0.66 ms).
CHUNK_BYTES = 6 << 20
PART_ROWS = 256
PART_MACS = 2 << 20
MAX_PARTS = 16
KEEP_BYTES = 16 << 20
AS_CONV_ABOVE = 64 << 20
# Winograd (winograd.py) from WINOGRAD_CHANNELS input and output channels and WINOGRAD_SIZE output
# rows and columns on: 16 products [tiles, C] x [C, O] instead of one [pixels, 9C] x [9C, O], 2.25x
# fewer multiply-adds at ~90% of the direct GEMM's rate, plus the transforms. Forward / input
# gradient, ms, direct against Winograd (2 threads): [64,32,32,64]x[3,3,64,64] 27.1 / 19.3,
# [64,16,16,128]x[3,3,128,128] 25.5 / 15.1, [32,8,8,256]x[3,3,256,256] 12.9 / 8.7, [32,8,8,64]x
# [3,3,64,64] 0.97 / 0.77; fewer channels lose or tie: [64,16,16,32]x[3,3,32,64] 3.50 / 2.78,
# [64,32,32,32]x[3,3,32,32] 8.1 / 8.6, [64,32,32,16]x[3,3,16,16] 2.8 / 4.8; 4x4 outputs lose on the
# input gradient ([32,4,4,512]x[3,3,512,512]: 13.4 / 15.8).
WINOGRAD_CHANNELS = 64
WINOGRAD_SIZE = 8


def images_per_part(n, rows_per_image, k, o, itemsize):
    """How many images each part of an [n, ...] convolution has: rows_per_image = OH*OW window
    rows of k = kh*kw*C numbers each, o outputs."""
    per_image = rows_per_image * k
    if not n or not per_image:
        return max(n, 1)
    by_cache = max(1, CHUNK_BYTES // (per_image * itemsize))
    by_size = max(-(-PART_MACS // (per_image * max(o, 1))), -(-PART_ROWS // rows_per_image), -(-n // MAX_PARTS))
    return min(n, by_cache, by_size)


def _parts(n, step):
    return [(s, min(s + step, n)) for s in range(0, n, step)]


def winograd_applies(geo, c, o, dtype):
    """Whether a convolution takes Winograd's F(2x2, 3x3) (``winograd.py``): 3x3, stride 1, not
    dilated, float32 or float64, at least WINOGRAD_CHANNELS input and output channels and an
    output of at least WINOGRAD_SIZE x WINOGRAD_SIZE."""
    return geo.k_hw == (3, 3) and geo.strides == (1, 1) and geo.dilations == (1, 1) \
        and min(c, o) >= WINOGRAD_CHANNELS and min(geo.oh, geo.ow) >= WINOGRAD_SIZE \
        and np.dtype(dtype) in (np.float32, np.float64)


def _product(x, w, geo, kernels, cols=None):
    """product(s, e, out): the convolution of images s..e of x written into out [e-s, OH, OW, O]:
    Winograd's 16 products where it applies, else the window matrix times the filter (the window
    matrix filled into rows s*OH*OW.. of ``cols`` when given; for a pointwise convolution, cols
    is x's own [N*OH*OW, C] view or copy)."""
    c, o = x.shape[3], w.shape[3]
    if winograd_applies(geo, c, o, np.result_type(x, w)):
        u = winograd.filter_transform(w.astype(np.result_type(x, w), copy=False))

        def product(s, e, out):
            kernels["winograd_output"](blas.matmul(kernels["winograd_input"](x[s:e], geo), u), geo, out)
        return product
    w2 = w.reshape(-1, o)
    rows = geo.oh * geo.ow

    def product(s, e, out):
        if geo.is_pointwise:
            c_part = x[s:e].reshape(-1, c) if cols is None else cols[s * rows:e * rows]
        elif cols is None:
            c_part = kernels["im2col"](x[s:e], geo)
        else:
            c_part = kernels["im2col"](x[s:e], geo, out=cols[s * rows:e * rows])
        blas.matmul(c_part, w2, out=out.reshape(-1, o))
    return product


def conv2d_forward(x, w, geo, kernels=None, keep=True):
    """x [N,H,W,C], w [kh,kw,C,O] -> (y [N,OH,OW,O], cols) where cols is the [N*OH*OW, kh*kw*C]
    window matrix for the filter gradient, or None when it is too large to keep, when ``keep`` is
    false or Winograd made no window matrix (the filter gradient then builds it again from x).
    ``kernels`` maps the switched kernels' names (``im2col``, ``winograd_input``, ...) to the ones
    to use: the kernel table passes the active ones (so for the other functions here); default
    the references."""
    kernels = kernels or REFERENCES
    n, c, o = x.shape[0], x.shape[3], w.shape[3]
    k, rows = geo.k_hw[0] * geo.k_hw[1] * c, geo.oh * geo.ow
    y = np.empty((n, geo.oh, geo.ow, o), dtype=np.result_type(x, w))
    parts = _parts(n, images_per_part(n, rows, k, o, x.itemsize))
    if geo.is_pointwise:
        cols = x.reshape(n * rows, c)
    elif keep and n * rows * k * x.itemsize <= KEEP_BYTES and not winograd_applies(geo, c, o, y.dtype):
        cols = window_matrix(n * rows, k, c, x.dtype)
    else:
        cols = None
    product = _product(x, w, geo, kernels, cols)
    parallel.run(lambda i: product(*parts[i], y[parts[i][0]:parts[i][1]]), len(parts))
    return y, cols


def conv2d_forward_tail(x, w, geo, steps, out, kernels):
    """Inference: ``conv2d_forward``'s parts and products, each part's product [images, OH, OW, O]
    then through ``kernels["conv_tail"](y, steps, out)`` (``tail.py``) into its images of ``out``
    while it is in cache; no [N, OH, OW, O] array is made. The same products as
    ``conv2d_forward``'s, so ``out`` has the bits of the convolution and its tail one after another."""
    n, c, o = x.shape[0], x.shape[3], w.shape[3]
    k, rows = geo.k_hw[0] * geo.k_hw[1] * c, geo.oh * geo.ow
    parts = _parts(n, images_per_part(n, rows, k, o, x.itemsize))
    product = _product(x, w, geo, kernels)
    dtype = np.result_type(x, w)

    def part(i):
        s, e = parts[i]
        y = np.empty((e - s, geo.oh, geo.ow, o), dtype=dtype)
        product(s, e, y)
        kernels["conv_tail"](y, steps, out[s:e])
    parallel.run(part, len(parts))
    return out


def conv2d_backward_filter(g, cols, w_shape, x=None, geo=None, kernels=None):
    """dL/dw [kh,kw,C,O] from the output gradient g [N,OH,OW,O] and the forward's cols (or, when
    the forward kept none, from x and geo). With many rows of dw, the rows are split between the
    threads (``blas.matmul``); otherwise each part of the images adds its product to a partial sum,
    and the partial sums are added in part order."""
    kernels = kernels or REFERENCES
    n, rows, o = g.shape[0], g.shape[1] * g.shape[2], g.shape[3]
    k = w_shape[0] * w_shape[1] * w_shape[2]
    g2 = g.reshape(-1, o)
    if cols is not None and k >= 2 * blas.MIN_ROWS:
        return blas.matmul(cols.T, g2).reshape(w_shape)
    itemsize = (cols if cols is not None else x).itemsize
    parts = _parts(n, images_per_part(n, rows, k, o, itemsize))
    partial = [None] * len(parts)

    def part(i):
        s, e = parts[i]
        c_part = cols[s * rows:e * rows] if cols is not None else kernels["im2col"](x[s:e], geo)
        partial[i] = blas.matmul(c_part.T, g2[s * rows:e * rows])
    parallel.run(part, len(parts))
    if not partial:
        return np.zeros(w_shape, dtype=g.dtype)
    return _sum_in_order(partial).reshape(w_shape)


def _sum_in_order(partial):
    """partial[0] + partial[1] + ... in that order, element blocks on tinytf's threads."""
    flat = [p.reshape(-1) for p in partial]

    def block(a, b):
        for p in flat[1:]:
            flat[0][a:b] += p[a:b]
    parallel.run_in_blocks(block, flat[0].size, 1)
    return partial[0]


def col2im(dcols, x_shape, geo):
    """Sum window-space gradients [N,OH,OW,kh,kw,C] back into an [N,H,W,C] input gradient."""
    n, _, _, c = x_shape
    if geo.is_pointwise:
        return dcols.reshape(x_shape)
    dxp = np.zeros((n,) + geo.padded_hw + (c,), dtype=dcols.dtype)
    for (i, j), (rows, cols) in geo.window_slices():
        dxp[:, rows, cols, :] += dcols[:, :, :, i, j, :]
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)


def conv2d_backward_input(g, w, x_shape, geo, kernels=None):
    """dL/dx [N,H,W,C] from the output gradient g [N,OH,OW,O] and the filter w [kh,kw,C,O]
    (``kernels`` as for ``conv2d_forward``)."""
    kernels = kernels or REFERENCES
    kh, kw, c, o = w.shape
    n = x_shape[0]
    k = kh * kw * c
    if geo.strides == (1, 1) and (n * geo.oh * geo.ow * k * g.itemsize > AS_CONV_ABOVE
                                  or winograd_applies(geo, o, c, np.result_type(g, w))):
        dx = _backward_input_as_conv(g, w, x_shape, geo, kernels)
        if dx is not None:
            return dx
    w2t = w.reshape(-1, o).T
    parts = _parts(n, images_per_part(n, geo.oh * geo.ow, k, o, g.itemsize))
    dx = np.empty(x_shape, dtype=np.result_type(g, w))

    def part(i):
        s, e = parts[i]
        dcols = blas.matmul(g[s:e].reshape(-1, o), w2t)
        dx[s:e] = kernels["col2im"](dcols.reshape(e - s, geo.oh, geo.ow, kh, kw, c), (e - s,) + tuple(x_shape[1:]), geo)
    parallel.run(part, len(parts))
    return dx


def _backward_input_as_conv(g, w, x_shape, geo, kernels):
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
    dx = conv2d_forward(g, wt, g_geo, kernels, keep=False)[0]
    return dx if dx.shape == tuple(x_shape) else None


REFERENCES = {"im2col": im2col, "col2im": col2im, "winograd_input": winograd.winograd_input,
              "winograd_output": winograd.winograd_output}  # the kernels these functions use by default
