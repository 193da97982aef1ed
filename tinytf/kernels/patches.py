"""``tf.image.extract_patches`` on arrays: every ``kh x kw`` window (taps ``rates`` apart, windows
``strides`` apart, SAME/VALID padding with zeros as a dilated convolution's) flattened into the
channel axis in (row, column, channel) order; the backward adds each tap's gradient back.

``plan`` is ``padding.conv_plan``'s ((oh, top, bottom), (ow, left, right)); the loops run over the
kh * kw taps only, each a strided view of the padded batch.
"""
import numpy as np


def _tap_slices(i, j, k_rates, strides, plan):
    (oh, _, _), (ow, _, _) = plan
    (rh, rw), (sh, sw) = k_rates, strides
    return (slice(None), slice(i * rh, i * rh + sh * (oh - 1) + 1, sh),
            slice(j * rw, j * rw + sw * (ow - 1) + 1, sw), slice(None))


def extract_patches(x, ksize, strides, rates, plan):
    """[n, h, w, c] -> [n, oh, ow, kh * kw * c]."""
    n, _, _, c = x.shape
    (oh, top, bottom), (ow, left, right) = plan
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))) if top or bottom or left or right else x
    if oh == 0 or ow == 0:
        return np.zeros((n, oh, ow, ksize[0] * ksize[1] * c), x.dtype)
    taps = [xp[_tap_slices(i, j, rates, strides, plan)] for i in range(ksize[0]) for j in range(ksize[1])]
    return np.stack(taps, axis=3).reshape(n, oh, ow, -1)


def extract_patches_backward(g, shape, ksize, strides, rates, plan):
    """The adjoint of ``extract_patches``: [n, oh, ow, kh * kw * c] -> [n, h, w, c]."""
    n, h, w, c = shape
    (oh, top, bottom), (ow, left, right) = plan
    dxp = np.zeros((n, h + top + bottom, w + left + right, c), g.dtype)
    if oh and ow:
        gt = g.reshape(n, oh, ow, ksize[0] * ksize[1], c)
        for t, (i, j) in enumerate((i, j) for i in range(ksize[0]) for j in range(ksize[1])):
            dxp[_tap_slices(i, j, rates, strides, plan)] += gt[:, :, :, t, :]
    return dxp[:, top:top + h, left:left + w, :]
