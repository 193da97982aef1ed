"""Depthwise 2-D convolution, NHWC input and [kh, kw, C, M] filters: forward and both gradients.

Output channel ``c * M + m`` is input channel ``c`` convolved with ``w[:, :, c, m]``
(TensorFlow's order). Each input channel meets only its own M filters, so there is no
reduction over channels for a GEMM to exploit; the kernels are a loop over the kh*kw kernel
taps, each one broadcast multiply-add over the whole batch (never a loop over pixels or batch),
on the strided cells of the once-padded input that ``ConvGeometry.window_slices`` names.
"""
import numpy as np

from .conv import pad_nhwc, unpad_nhwc


def depthwise_forward(x, w, geo):
    """x [N,H,W,C], w [kh,kw,C,M] -> y [N,OH,OW,C*M]."""
    n, (_, _, c, m) = x.shape[0], w.shape
    xpad = pad_nhwc(x, geo.pads)
    y = np.zeros((n, geo.oh, geo.ow, c, m), dtype=np.result_type(x, w))
    for (i, j), (rows, cols) in geo.window_slices():
        y += xpad[:, rows, cols, :, None] * w[i, j]
    return y.reshape(n, geo.oh, geo.ow, c * m)


def depthwise_backward_input(g, w, x_shape, geo):
    """dL/dx [N,H,W,C] from the output gradient g [N,OH,OW,C*M] and the filter w [kh,kw,C,M]."""
    n, _, _, c = x_shape
    m = w.shape[3]
    g5 = g.reshape(n, geo.oh, geo.ow, c, m)
    dxp = np.zeros((n,) + geo.padded_hw + (c,), dtype=g.dtype)
    for (i, j), (rows, cols) in geo.window_slices():
        dxp[:, rows, cols, :] += g5[..., 0] * w[i, j, :, 0] if m == 1 else \
            np.einsum("nabcm,cm->nabc", g5, w[i, j])
    return unpad_nhwc(dxp, geo.pads, geo.n_hw)


def depthwise_backward_filter(g, x, w_shape, geo):
    """dL/dw [kh,kw,C,M] from the output gradient g [N,OH,OW,C*M] and the input x [N,H,W,C]."""
    kh, kw, c, m = w_shape
    g5 = g.reshape(g.shape[:3] + (c, m))
    xpad = pad_nhwc(x, geo.pads)
    dw = np.empty(w_shape, dtype=g.dtype)
    for (i, j), (rows, cols) in geo.window_slices():
        dw[i, j] = np.einsum("nabc,nabcm->cm", xpad[:, rows, cols, :], g5)
    return dw
