"""Slow, obvious float64 loops for the window kernels and the random geometries that the property
tests (tests/kernels/test_kernel_properties.py, tests/ops/test_op_properties.py) draw.

The loops share nothing with ``tinytf/kernels``: TensorFlow's pad rule is written out again here,
the input is zero-padded explicitly and every output position is a loop over its window's cells.
Called with absolute values (``abs_of``) they give the sum of the magnitudes of the terms of each
output, which scales the stated error bounds.
"""
import numpy as np
from hypothesis import strategies as st

FLOATS = (np.float32, np.float64)


def eps(dtype):
    return float(np.finfo(dtype).eps)


def axis_pads(n, k, s, d, padding):
    """(before, after, out) for one axis: TensorFlow's VALID / SAME / explicit rule."""
    ke = (k - 1) * d + 1
    if padding == "VALID":
        return 0, 0, max((n - ke) // s + 1, 0)
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + ke - n, 0)
        return total // 2, total - total // 2, out
    a, b = padding
    return a, b, max((n + a + b - ke) // s + 1, 0)


def plan(hw, k, s, d, padding):
    """((pt, pb, oh), (pl, pr, ow)) for padding 'SAME', 'VALID' or ((pt, pb), (pl, pr))."""
    per_axis = (padding, padding) if isinstance(padding, str) else padding
    return tuple(axis_pads(hw[a], k[a], s[a], d[a], per_axis[a]) for a in range(2))


def _padded(x, p):
    (pt, pb, _), (pl, pr, _) = p
    n, h, w, c = x.shape
    xp = np.zeros((n, h + pt + pb, w + pl + pr, c))
    xp[:, pt:pt + h, pl:pl + w] = x
    return xp


def _cells(p, k, s, d):
    """(a, b, i, j, r, q): output (a, b), kernel tap (i, j), padded-input cell (r, q)."""
    (_, _, oh), (_, _, ow) = p
    for a in range(oh):
        for b in range(ow):
            for i in range(k[0]):
                for j in range(k[1]):
                    yield a, b, i, j, a * s[0] + i * d[0], b * s[1] + j * d[1]


def conv(x, w, s, d, p):
    """y [N, OH, OW, O] of x [N, H, W, C] and w [kh, kw, C, O], float64."""
    xp = _padded(np.asarray(x, np.float64), p)
    w = np.asarray(w, np.float64)
    y = np.zeros((x.shape[0], p[0][2], p[1][2], w.shape[3]))
    for a, b, i, j, r, q in _cells(p, w.shape[:2], s, d):
        y[:, a, b] += xp[:, r, q] @ w[i, j]
    return y


def conv_adjoint(x, w, g, s, d, p):
    """(dL/dx, dL/dw) of L = sum(conv(x, w) * g), float64."""
    xp = _padded(np.asarray(x, np.float64), p)
    w, g = np.asarray(w, np.float64), np.asarray(g, np.float64)
    dxp, dw = np.zeros_like(xp), np.zeros(w.shape)
    for a, b, i, j, r, q in _cells(p, w.shape[:2], s, d):
        dxp[:, r, q] += g[:, a, b] @ w[i, j].T
        dw[i, j] += xp[:, r, q].T @ g[:, a, b]
    (pt, _, _), (pl, _, _) = p
    return dxp[:, pt:pt + x.shape[1], pl:pl + x.shape[2]], dw


def col2im(dcols, x_shape, s, d, p):
    """dcols [N, OH, OW, kh, kw, C] summed back to [N, H, W, C], float64."""
    n, h, w, c = x_shape
    (pt, pb, _), (pl, pr, _) = p
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c))
    for a, b, i, j, r, q in _cells(p, dcols.shape[3:5], s, d):
        dxp[:, r, q] += dcols[:, a, b, i, j]
    return dxp[:, pt:pt + h, pl:pl + w]


def im2col(x, k, s, d, p):
    """The [N*OH*OW, kh*kw*C] window matrix, zeros in the padding."""
    xp = _padded(np.asarray(x, np.float64), p)
    n, c = x.shape[0], x.shape[3]
    cols = np.zeros((n, p[0][2], p[1][2], k[0], k[1], c))
    for a, b, i, j, r, q in _cells(p, k, s, d):
        cols[:, a, b, i, j] = xp[:, r, q]
    return cols.reshape(-1, k[0] * k[1] * c)


def depthwise(x, w, s, d, p):
    """y [N, OH, OW, C*M]: channel c*M + m is x[..., c] with w[:, :, c, m], float64."""
    xp = _padded(np.asarray(x, np.float64), p)
    w = np.asarray(w, np.float64)
    n, c, m = x.shape[0], w.shape[2], w.shape[3]
    y = np.zeros((n, p[0][2], p[1][2], c, m))
    for a, b, i, j, r, q in _cells(p, w.shape[:2], s, d):
        y[:, a, b] += xp[:, r, q, :, None] * w[i, j]
    return y.reshape(n, p[0][2], p[1][2], c * m)


def depthwise_adjoint(x, w, g, s, d, p):
    xp = _padded(np.asarray(x, np.float64), p)
    w = np.asarray(w, np.float64)
    c, m = w.shape[2], w.shape[3]
    g5 = np.asarray(g, np.float64).reshape(g.shape[:3] + (c, m))
    dxp, dw = np.zeros_like(xp), np.zeros(w.shape)
    for a, b, i, j, r, q in _cells(p, w.shape[:2], s, d):
        dxp[:, r, q] += (g5[:, a, b] * w[i, j]).sum(axis=-1)
        dw[i, j] += (xp[:, r, q, :, None] * g5[:, a, b]).sum(axis=0)
    (pt, _, _), (pl, _, _) = p
    return dxp[:, pt:pt + x.shape[1], pl:pl + x.shape[2]], dw


def _real(p, x_shape, r, q):
    """The unpadded cell of padded cell (r, q), or None in the padding."""
    (pt, _, _), (pl, _, _) = p
    r, q = r - pt, q - pl
    return (r, q) if 0 <= r < x_shape[1] and 0 <= q < x_shape[2] else None


def max_pool(x, k, s, p, d=(1, 1)):
    """(max, offset p * kw + q of the first cell equal to it) over the real cells of each window;
    of equal cells the later one gives the max (so the sign of a zero max is the last zero's, as
    a chain of ``maximum`` gives it); a window with no real cell gives (-inf, 0). x holds no NaN."""
    n, _, _, c = x.shape
    out = np.full((n, p[0][2], p[1][2], c), -np.inf)
    first = out.copy()
    arg = np.zeros(out.shape, np.int64)
    for a, b, i, j, r, q in _cells(p, k, s, d):
        cell = _real(p, x.shape, r, q)
        if cell is None:
            continue
        v = x[:, cell[0], cell[1]].astype(np.float64)
        out[:, a, b] = np.where(v >= out[:, a, b], v, out[:, a, b])
        better = v > first[:, a, b]
        first[:, a, b] = np.where(better, v, first[:, a, b])
        arg[:, a, b] = np.where(better, i * k[1] + j, arg[:, a, b])
    return out, arg


def max_pool_adjoint(g, arg, x_shape, k, s, p, d=(1, 1)):
    """Each output gradient added at the cell its ``arg`` names (dropped in the padding)."""
    dx = np.zeros(x_shape)
    for a, b, i, j, r, q in _cells(p, k, s, d):
        cell = _real(p, x_shape, r, q)
        if cell is not None:
            dx[:, cell[0], cell[1]] += np.where(arg[:, a, b] == i * k[1] + j, g[:, a, b], 0.0)
    return dx


def pool_counts(x_shape, k, s, p):
    """The number of real cells of each window, [OH, OW]."""
    counts = np.zeros((p[0][2], p[1][2]))
    for a, b, i, j, r, q in _cells(p, k, s, (1, 1)):
        counts[a, b] += _real(p, x_shape, r, q) is not None
    return counts


def avg_pool(x, k, s, p):
    """Mean over the real cells of each window (TensorFlow's SAME rule), float64."""
    counts = pool_counts(x.shape, k, s, p)
    out = np.zeros((x.shape[0], p[0][2], p[1][2], x.shape[3]))
    for a, b, i, j, r, q in _cells(p, k, s, (1, 1)):
        cell = _real(p, x.shape, r, q)
        if cell is not None:
            out[:, a, b] += x[:, cell[0], cell[1]]
    return out / counts[:, :, None]


def avg_pool_adjoint(g, x_shape, k, s, p):
    share = np.asarray(g, np.float64) / pool_counts(x_shape, k, s, p)[:, :, None]
    dx = np.zeros(x_shape)
    for a, b, i, j, r, q in _cells(p, k, s, (1, 1)):
        cell = _real(p, x_shape, r, q)
        if cell is not None:
            dx[:, cell[0], cell[1]] += share[:, a, b]
    return dx


def window_in_padding(hw, k, s, d, p):
    """Whether some window lies entirely in the padding (along either axis)."""
    for a in range(2):
        ke, before, out = (k[a] - 1) * d[a] + 1, p[a][0], p[a][2]
        if any(i * s[a] - before >= hw[a] or i * s[a] - before + ke <= 0 for i in range(out)):
            return True
    return False


def abs_of(*arrays):
    return [np.abs(np.asarray(a, np.float64)) for a in arrays]


# ---- random geometries --------------------------------------------------------------------------

@st.composite
def geometries(draw, dilate=True, explicit=True, max_k=4, max_hw=9):
    """(hw, k, s, d, padding) with a non-empty output: kernels 1..max_k, strides 1..5 (often larger
    than the kernel), dilations 1..3, explicit pads 0..2*k per side (windows entirely inside the
    padding), and an input just large enough for the padding chosen."""
    k = (draw(st.integers(1, max_k)), draw(st.integers(1, max_k)))
    s = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilate and draw(st.booleans()) else (1, 1)
    kinds = (["explicit"] * 3 if explicit else []) + ["SAME", "VALID"]  # explicit first: it shrinks there
    kind = draw(st.sampled_from(kinds))
    pads = ((0, 0), (0, 0)) if kind == "VALID" else \
        tuple((draw(st.integers(0, 2 * kk)), draw(st.integers(0, 2 * kk))) for kk in k)
    hw = []
    for a in range(2):
        ke = (k[a] - 1) * d[a] + 1
        lo = ke if kind == "VALID" else 1 if kind == "SAME" else max(1, ke - sum(pads[a]))
        hw.append(draw(st.integers(lo, max(lo, max_hw))))
    return tuple(hw), k, s, d, (pads if kind == "explicit" else kind)


def layouts():
    return st.sampled_from(["contiguous", "transposed", "strided", "reversed"])


def make(rng, shape, dtype, layout="contiguous", scale=1.0, offset=0.0):
    """A standard-normal array of ``shape`` as a contiguous array or a non-contiguous view."""
    def draw(sh):
        return (rng.standard_normal(sh) * scale + offset).astype(dtype)
    if layout == "contiguous" or len(shape) != 4:
        return draw(shape)
    n, h, w, c = shape
    if layout == "transposed":  # NCHW data seen as NHWC
        return draw((n, c, h, w)).transpose(0, 2, 3, 1)
    if layout == "strided":
        return draw((n, h, 2 * w, c))[:, :, ::2]
    return draw(shape)[:, ::-1, :, ::-1]
