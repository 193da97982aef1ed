"""Depthwise conv kernels (tinytf.kernels.depthwise) against slow loops and finite differences."""
import numpy as np
import pytest

from gradcheck import fd_inplace
from tinytf.kernels import depthwise
from tinytf.kernels.conv import geometry

RNG = np.random.default_rng(7)


def depthwise_loops(x, w, strides, dilations, pads):
    """Zero-pad, then the obvious nested loops; output channel c * M + m."""
    (pt, pb), (pl, pr) = pads
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    kh, kw, c, m = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((x.shape[0], oh, ow, c * m))
    for n in range(x.shape[0]):
        for a in range(oh):
            for b in range(ow):
                for ci in range(c):
                    for mi in range(m):
                        y[n, a, b, ci * m + mi] = sum(
                            xp[n, a * sh + i * dh, b * sw + j * dw, ci] * w[i, j, ci, mi]
                            for i in range(kh) for j in range(kw))
    return y


CASES = [  # x shape, w shape, strides, dilations, padding
    ((2, 5, 6, 3), (3, 3, 3, 1), (1, 1), (1, 1), "SAME"),
    ((2, 7, 6, 2), (3, 2, 2, 3), (2, 1), (1, 1), "SAME"),
    ((1, 6, 5, 2), (2, 3, 2, 2), (2, 2), (1, 1), "VALID"),
    ((1, 7, 7, 2), (3, 3, 2, 2), (1, 1), (2, 2), "SAME"),
    ((1, 5, 5, 2), (3, 3, 2, 1), (1, 1), (1, 1), ((1, 2), (2, 0))),
]


@pytest.mark.parametrize("xs, ws, s, d, padding", CASES)
def test_depthwise_forward_matches_loops(xs, ws, s, d, padding):
    x, w = RNG.standard_normal(xs), RNG.standard_normal(ws)
    geo = geometry(xs[1:3], ws[:2], s, d, padding)
    np.testing.assert_allclose(depthwise.depthwise_forward(x, w, geo), depthwise_loops(x, w, s, d, geo.pads),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, s, d, padding", CASES)
def test_depthwise_gradients_match_finite_differences(xs, ws, s, d, padding):
    x, w = RNG.standard_normal(xs), RNG.standard_normal(ws)
    geo = geometry(xs[1:3], ws[:2], s, d, padding)
    g = RNG.standard_normal((xs[0], geo.oh, geo.ow, ws[2] * ws[3]))

    def loss():
        return np.sum(depthwise.depthwise_forward(x, w, geo) * g)
    np.testing.assert_allclose(depthwise.depthwise_backward_input(g, w, xs, geo), fd_inplace(loss, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(depthwise.depthwise_backward_filter(g, x, ws, geo), fd_inplace(loss, w), rtol=1e-6, atol=1e-7)
