"""2-D convolution, NHWC input and HWIO filters: forward and both gradients.

The pattern (Chainer's): pad once, view the kh*kw strided windows of the padded input
without copying (``as_strided``), copy them once into a [N*OH*OW, kh*kw*C] matrix and do one
GEMM with the [kh*kw*C, O] filter matrix. The filter gradient reuses that matrix; the input
gradient is one GEMM back to window space followed by kh*kw strided adds (a loop over kernel
offsets, never over pixels or batch).
"""
from functools import lru_cache

from ..backend import xp
from . import fast
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
    out = xp.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
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
    return xp.lib.stride_tricks.as_strided(
        xpad, (n, geo.oh, geo.ow, geo.k_hw[0], geo.k_hw[1], c),
        (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)


def im2col(x, geo):
    """[N*OH*OW, kh*kw*C] matrix of windows (a view, not a copy, for 1x1 stride-1 unpadded)."""
    n, c = x.shape[0], x.shape[3]
    if geo.k_hw == (1, 1) and geo.strides == (1, 1) and not geo.has_padding:
        return x.reshape(n * geo.oh * geo.ow, c)
    xpad = pad_nhwc(x, geo.pads)
    kh, kw = geo.k_hw
    if c < 8:
        # Few channels: copying windows row by row would move runs of only kw*C numbers. Fill
        # the transpose instead, one [N, OH, OW] slice per (kernel offset, channel) with runs of
        # OW, and return its (Fortran-ordered) transpose: same values, BLAS reads it directly.
        colsT = xp.empty((kh, kw, c, n, geo.oh, geo.ow), dtype=x.dtype)
        for (i, j), (rows, cols) in geo.window_slices():
            colsT[i, j] = xpad[:, rows, cols, :].transpose(3, 0, 1, 2)
        return colsT.reshape(kh * kw * c, -1).T
    return windows(xpad, geo).reshape(n * geo.oh * geo.ow, -1)


def conv2d_forward(x, w, geo):
    """x [N,H,W,C], w [kh,kw,C,O] -> (y [N,OH,OW,O], cols) where cols feeds the filter gradient."""
    cols = im2col(x, geo)
    y = cols @ w.reshape(-1, w.shape[3])
    return y.reshape(x.shape[0], geo.oh, geo.ow, w.shape[3]), cols


def conv2d_backward_filter(g, cols, w_shape):
    """dL/dw [kh,kw,C,O] from the output gradient g [N,OH,OW,O] and the forward's cols."""
    return (cols.T @ g.reshape(-1, g.shape[3])).reshape(w_shape)


def col2im(dcols, x_shape, geo):
    """Sum window-space gradients [N,OH,OW,kh,kw,C] back into an [N,H,W,C] input gradient."""
    n, _, _, c = x_shape
    if geo.k_hw == (1, 1) and geo.strides == (1, 1) and not geo.has_padding:
        return dcols.reshape(x_shape)
    if fast.enabled():
        return fast.col2im(dcols, x_shape, geo)
    dxp = xp.zeros((n,) + geo.padded_hw + (c,), dtype=dcols.dtype)
    for (i, j), (rows, cols) in geo.window_slices():
        dxp[:, rows, cols, :] += dcols[:, :, :, i, j, :]
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)


def conv2d_backward_input(g, w, x_shape, geo):
    """dL/dx [N,H,W,C] from the output gradient g [N,OH,OW,O] and the filter w [kh,kw,C,O]."""
    kh, kw, c, o = w.shape
    dcols = g.reshape(-1, o) @ w.reshape(-1, o).T
    return col2im(dcols.reshape(g.shape[0], geo.oh, geo.ow, kh, kw, c), x_shape, geo)
