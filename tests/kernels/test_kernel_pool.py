"""Max / average pooling (kernels/pool.py via the table) against slow loops and finite differences."""
import numpy as np
import pytest

from gradcheck import fd_inplace as _fd
from tinytf.kernels import conv
from tinytf.kernels import table as K  # pool.py's kernels as the ops get them (NumPy or Numba)


def _ref_pads(n, k, s, padding):
    if padding == "VALID":
        return 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _ref_windows(x_shape, ksize, strides, padding):
    """{(a, b): [real (r, q) cells of the window in row-major order]}; padded cells skipped."""
    _, h, w, _ = x_shape
    (kh, kw), (sh, sw) = ksize, strides
    pt, pb = _ref_pads(h, kh, sh, padding)
    pl, pr = _ref_pads(w, kw, sw, padding)
    oh = len(range(0, h + pt + pb - kh + 1, sh))
    ow = len(range(0, w + pl + pr - kw + 1, sw))
    wins = {}
    for a in range(oh):
        for b in range(ow):
            wins[a, b] = [(a * sh - pt + i, b * sw - pl + j) for i in range(kh) for j in range(kw)
                          if 0 <= a * sh - pt + i < h and 0 <= b * sw - pl + j < w]
    return oh, ow, wins


def max_ref(x, ksize, strides, padding):
    oh, ow, wins = _ref_windows(x.shape, ksize, strides, padding)
    y = np.empty((x.shape[0], oh, ow, x.shape[3]))
    for n in range(x.shape[0]):
        for c in range(x.shape[3]):
            for (a, b), cells in wins.items():
                y[n, a, b, c] = max(x[n, r, q, c] for r, q in cells)
    return y


def max_grad_ref(x, g, ksize, strides, padding):
    """Each output's gradient goes to the first real cell (row-major) holding the window max."""
    _, _, wins = _ref_windows(x.shape, ksize, strides, padding)
    dx = np.zeros(x.shape)
    for n in range(x.shape[0]):
        for c in range(x.shape[3]):
            for (a, b), cells in wins.items():
                best = cells[0]
                for r, q in cells[1:]:
                    if x[n, r, q, c] > x[n, best[0], best[1], c]:
                        best = (r, q)
                dx[n, best[0], best[1], c] += g[n, a, b, c]
    return dx


def avg_ref(x, ksize, strides, padding):
    oh, ow, wins = _ref_windows(x.shape, ksize, strides, padding)
    y = np.empty((x.shape[0], oh, ow, x.shape[3]))
    for n in range(x.shape[0]):
        for c in range(x.shape[3]):
            for (a, b), cells in wins.items():
                y[n, a, b, c] = sum(x[n, r, q, c] for r, q in cells) / len(cells)
    return y


def avg_grad_ref(x_shape, g, ksize, strides, padding):
    _, _, wins = _ref_windows(x_shape, ksize, strides, padding)
    dx = np.zeros(x_shape)
    for n in range(x_shape[0]):
        for c in range(x_shape[3]):
            for (a, b), cells in wins.items():
                for r, q in cells:
                    dx[n, r, q, c] += g[n, a, b, c] / len(cells)
    return dx


CASES = [
    # (x_shape, ksize, strides, padding)
    ((2, 5, 5, 2), (2, 2), (2, 2), "VALID"),
    ((2, 5, 5, 2), (2, 2), (2, 2), "SAME"),
    ((1, 6, 6, 2), (2, 2), (2, 2), "SAME"),
    ((2, 5, 6, 2), (2, 2), (1, 1), "SAME"),
    ((2, 5, 6, 2), (3, 3), (1, 1), "SAME"),
    ((2, 5, 6, 2), (3, 3), (1, 1), "VALID"),
    ((1, 7, 6, 3), (3, 3), (2, 2), "SAME"),
    ((1, 7, 6, 3), (3, 3), (2, 2), "VALID"),
    ((1, 7, 8, 2), (2, 3), (1, 2), "SAME"),
    ((1, 7, 8, 2), (2, 3), (1, 2), "VALID"),
    ((1, 6, 7, 2), (3, 2), (2, 1), "SAME"),
    ((1, 4, 4, 1), (4, 4), (1, 1), "SAME"),
    ((1, 3, 5, 1), (1, 1), (2, 2), "SAME"),
    ((1, 1, 1, 2), (3, 3), (2, 2), "SAME"),
]
IDS = ["{}-k{}x{}-s{}x{}-{}".format("x".join(map(str, s)), *k, *st, p) for s, k, st, p in CASES]


def _geo(x_shape, ksize, strides, padding):
    return conv.geometry(x_shape[1:3], ksize, strides, (1, 1), padding)


def _distinct(shape, seed):
    """Values without ties, at least 0.1 apart (so finite differences never swap the max)."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) * 0.1 - 1.0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_max_forward_matches_loops(case):
    x_shape, k, s, p = case
    x = np.random.default_rng(0).standard_normal(x_shape) - 3.0   # all negative: pads must not win
    y = K.max_pool_forward(x, _geo(*case))
    want = max_ref(x, k, s, p)
    assert y.shape == want.shape and y.dtype == np.float64
    np.testing.assert_array_equal(y, want)
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_avg_forward_matches_loops(case):
    x_shape, k, s, p = case
    x = np.random.default_rng(1).standard_normal(x_shape) + 2.0
    y = K.avg_pool_forward(x, _geo(*case))
    want = avg_ref(x, k, s, p)
    assert y.shape == want.shape and y.dtype == np.float64
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_max_backward_matches_loops_with_ties(case):
    # small integers: many ties inside and across windows
    x_shape, k, s, p = case
    rng = np.random.default_rng(2)
    x = rng.integers(-2, 1, x_shape).astype(np.float64)
    geo = _geo(*case)
    y = K.max_pool_forward(x, geo)
    g = rng.standard_normal(y.shape)
    dx = K.max_pool_backward(g, x, y, geo)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, max_grad_ref(x, g, k, s, p), rtol=1e-12, atol=1e-12)
    # every output gradient lands somewhere exactly once
    np.testing.assert_allclose(dx.sum(), g.sum(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_avg_backward_matches_loops(case):
    x_shape, k, s, p = case
    geo = _geo(*case)
    y = K.avg_pool_forward(np.zeros(x_shape), geo)
    g = np.random.default_rng(3).standard_normal(y.shape)
    dx = K.avg_pool_backward(g, x_shape, geo)
    assert dx.shape == x_shape
    np.testing.assert_allclose(dx, avg_grad_ref(x_shape, g, k, s, p), rtol=1e-12, atol=1e-12)


FD_CASES = [CASES[i] for i in (1, 4, 7, 8, 10)]
FD_IDS = [IDS[i] for i in (1, 4, 7, 8, 10)]


@pytest.mark.parametrize("case", FD_CASES, ids=FD_IDS)
def test_max_backward_matches_finite_differences(case):
    x = _distinct(case[0], seed=4)
    geo = _geo(*case)
    y = K.max_pool_forward(x, geo)
    g = np.random.default_rng(5).standard_normal(y.shape)
    fd = _fd(lambda: float(np.sum(K.max_pool_forward(x, geo) * g)), x)
    np.testing.assert_allclose(K.max_pool_backward(g, x, y, geo), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", FD_CASES, ids=FD_IDS)
def test_avg_backward_matches_finite_differences(case):
    x = np.random.default_rng(6).standard_normal(case[0])
    geo = _geo(*case)
    y = K.avg_pool_forward(x, geo)
    g = np.random.default_rng(7).standard_normal(y.shape)
    fd = _fd(lambda: float(np.sum(K.avg_pool_forward(x, geo) * g)), x)
    np.testing.assert_allclose(K.avg_pool_backward(g, x.shape, geo), fd, rtol=1e-6, atol=1e-7)


def test_max_tie_goes_to_first_cell_row_major():
    x = np.full((1, 4, 4, 1), 3.0)
    geo = _geo(x.shape, (2, 2), (2, 2), "VALID")
    y = K.max_pool_forward(x, geo)
    g = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 2, 2, 1)
    dx = K.max_pool_backward(g, x, y, geo)[0, :, :, 0]
    want = np.array([[1, 0, 2, 0],
                     [0, 0, 0, 0],
                     [3, 0, 4, 0],
                     [0, 0, 0, 0]], dtype=np.float64)
    np.testing.assert_array_equal(dx, want)


def test_max_tie_partial_window():
    # the max 5 appears at (0,1) and (1,0) of one window: (0,1) comes first in row-major order
    x = np.array([[1.0, 5.0], [5.0, 2.0]]).reshape(1, 2, 2, 1)
    geo = _geo(x.shape, (2, 2), (1, 1), "VALID")
    y = K.max_pool_forward(x, geo)
    dx = K.max_pool_backward(np.full(y.shape, 7.0), x, y, geo)[0, :, :, 0]
    np.testing.assert_array_equal(dx, [[0.0, 7.0], [0.0, 0.0]])


def test_max_tie_overlapping_windows_accumulate():
    # 3x3 windows, stride 1, on a constant 4x4 input: each window's first cell gets its gradient
    x = np.zeros((1, 4, 4, 1))
    geo = _geo(x.shape, (3, 3), (1, 1), "VALID")
    y = K.max_pool_forward(x, geo)
    g = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    dx = K.max_pool_backward(g, x, y, geo)[0, :, :, 0]
    want = np.zeros((4, 4))
    want[:2, :2] = [[1, 2], [3, 4]]
    np.testing.assert_array_equal(dx, want)
    # SAME padding: padded cells never take the gradient, the first *real* cell does
    geo = _geo(x.shape, (3, 3), (1, 1), "SAME")
    y = K.max_pool_forward(x, geo)
    g = np.arange(1.0, 17.0).reshape(1, 4, 4, 1)
    dx = K.max_pool_backward(g, x, y, geo)[0, :, :, 0]
    want = np.zeros((4, 4))
    for a in range(4):
        for b in range(4):
            want[max(a - 1, 0), max(b - 1, 0)] += g[0, a, b, 0]
    np.testing.assert_array_equal(dx, want)
    # a single max shared by four overlapping windows collects all four gradients
    x = np.ones((1, 3, 3, 1))
    x[0, 1, 1, 0] = 5.0
    geo = _geo(x.shape, (2, 2), (1, 1), "VALID")
    y = K.max_pool_forward(x, geo)
    g = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    dx = K.max_pool_backward(g, x, y, geo)[0, :, :, 0]
    np.testing.assert_array_equal(dx, [[0, 0, 0], [0, 10, 0], [0, 0, 0]])


def test_max_pool_ignores_padding_for_negative_inputs():
    x = np.full((1, 3, 3, 1), -4.0)
    x[0, 2, 2, 0] = -1.0
    geo = _geo(x.shape, (3, 3), (2, 2), "SAME")
    y = K.max_pool_forward(x, geo)
    np.testing.assert_array_equal(y[0, :, :, 0], [[-4.0, -4.0], [-4.0, -1.0]])


def test_avg_pool_same_counts_only_real_cells():
    x = np.ones((1, 3, 3, 1))
    geo = _geo(x.shape, (3, 3), (1, 1), "SAME")
    np.testing.assert_allclose(K.avg_pool_forward(x, geo), np.ones((1, 3, 3, 1)), rtol=1e-15)
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    y = K.avg_pool_forward(x, geo)[0, :, :, 0]
    assert y[0, 0] == pytest.approx((0 + 1 + 3 + 4) / 4)
    assert y[0, 1] == pytest.approx((0 + 1 + 2 + 3 + 4 + 5) / 6)
    assert y[1, 1] == pytest.approx(4.0)


@pytest.mark.parametrize("case", [CASES[1], CASES[5], CASES[8]], ids=[IDS[1], IDS[5], IDS[8]])
def test_float32_in_float32_out(case):
    x_shape, k, s, p = case
    x = np.random.default_rng(8).standard_normal(x_shape).astype(np.float32)
    geo = _geo(*case)
    ym = K.max_pool_forward(x, geo)
    ya = K.avg_pool_forward(x, geo)
    assert ym.dtype == np.float32 and ya.dtype == np.float32
    np.testing.assert_array_equal(ym, max_ref(x.astype(np.float64), k, s, p))
    np.testing.assert_allclose(ya, avg_ref(x.astype(np.float64), k, s, p), rtol=1e-5, atol=1e-6)
    g = np.ones(ym.shape, np.float32)
    assert K.max_pool_backward(g, x, ym, geo).dtype == np.float32
    assert K.avg_pool_backward(g, x.shape, geo).dtype == np.float32


# ---- the argmax kept by the forward pass, and the scatter backward ---------------------------

def argmax_ref(x, ksize, strides, padding):
    """Window offset p * kw + q (padded cells counted) of the first cell holding the max; the
    last offset when none does (a NaN max)."""
    _, h, w, _ = x.shape
    (kh, kw), (sh, sw) = ksize, strides
    pt, _ = _ref_pads(h, kh, sh, padding)
    pl, _ = _ref_pads(w, kw, sw, padding)
    y = max_ref(x, ksize, strides, padding)
    arg = np.full(y.shape, kh * kw - 1)
    for n, a, b, c in np.ndindex(*y.shape):
        for k in range(kh * kw):
            r, q = a * sh - pt + k // kw, b * sw - pl + k % kw
            if 0 <= r < h and 0 <= q < w and x[n, r, q, c] == y[n, a, b, c]:
                arg[n, a, b, c] = k
                break
    return arg


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_argmax_and_scatter_match_loops_with_ties(case):
    x_shape, k, s, p = case
    rng = np.random.default_rng(9)
    x = rng.integers(-2, 1, x_shape).astype(np.float64)
    geo = _geo(*case)
    y, arg = K.max_pool_forward_argmax(x, geo)
    np.testing.assert_array_equal(y, max_ref(x, k, s, p))
    assert arg.dtype == np.uint8
    np.testing.assert_array_equal(arg, argmax_ref(x, k, s, p))
    g = rng.standard_normal(y.shape)
    dx = K.max_pool_backward_argmax(g, arg, x.shape, geo)
    np.testing.assert_allclose(dx, max_grad_ref(x, g, k, s, p), rtol=1e-12, atol=1e-12)
    assert dx.tobytes() == K.max_pool_backward(g, x, y, geo).tobytes()


def test_argmax_nan_window_routes_to_the_last_cell():
    x = np.array([[1.0, np.nan], [2.0, 0.0]]).reshape(1, 2, 2, 1)
    geo = _geo(x.shape, (2, 2), (2, 2), "VALID")
    y, arg = K.max_pool_forward_argmax(x, geo)
    assert np.isnan(y[0, 0, 0, 0]) and arg[0, 0, 0, 0] == 3


def test_argmax_dtype_grows_with_the_window():
    geo = _geo((1, 17, 17, 1), (17, 17), (1, 1), "VALID")
    x = np.zeros((1, 17, 17, 1))
    x[0, 16, 16, 0] = 1.0
    y, arg = K.max_pool_forward_argmax(x, geo)
    assert arg.dtype == np.uint16 and arg[0, 0, 0, 0] == 17 * 17 - 1


def _nasty(shape, rng, dtype):
    """Ties, signed zeros, -inf and NaN."""
    vals = np.array([-np.inf, -1.0, -0.0, 0.0, 1.0, 2.0, np.nan], dtype)
    return rng.choice(vals, size=shape, p=[.1, .2, .2, .2, .1, .1, .1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_both_paths_forward_argmax_bitwise_alike(case, dtype):
    """The compiled forward gives NumPy's max bits (NaN, -inf pads, and the sign of a zero max:
    ``maximum`` keeps the later of equal values) and the reference's argmax."""
    pytest.importorskip("numba")
    from tinytf.kernels import fast, pool
    rng = np.random.default_rng(11)
    geo = _geo(*case)
    for x in (_nasty(case[0], rng, dtype), rng.standard_normal(case[0]).astype(dtype),
              np.full(case[0], -np.inf, dtype)):
        want_y, want_arg = pool.max_pool_forward_argmax(x, geo)
        y, arg = fast.max_pool_forward_argmax(x, geo)
        assert y.tobytes() == want_y.tobytes() and y.dtype == want_y.dtype
        assert arg.tobytes() == want_arg.tobytes() and arg.dtype == want_arg.dtype
        assert y.tobytes() == pool.max_pool_forward(x, geo).tobytes()  # inference path: same bits


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_both_paths_scatter_bitwise_alike(case, dtype):
    """The compiled scatter gives the reference's bits, including sums of overlapping windows
    (added in kernel-offset order) and signed zeros."""
    pytest.importorskip("numba")
    from tinytf.kernels import fast, pool
    rng = np.random.default_rng(10)
    x = _nasty(case[0], rng, dtype)
    geo = _geo(*case)
    y, arg = pool.max_pool_forward_argmax(x, geo)
    g = rng.standard_normal(y.shape).astype(dtype)
    g[rng.random(g.shape) < 0.2] = -0.0
    want = pool.max_pool_backward_argmax(g, arg, x.shape, geo)
    assert fast.max_pool_backward_argmax(g, arg, x.shape, geo).tobytes() == want.tobytes()
    old_style = pool.max_pool_backward(g, x, y, geo)  # routing from x and out: the same cells
    assert old_style.tobytes() == want.tobytes()


@pytest.mark.parametrize("path", ["numpy", "auto"])
def test_float16_max_pool_and_relu_gradients_on_both_paths(path):
    """float16 goes to the NumPy reference on the compiled path (Numba has no float16 arrays)."""
    import tinytf as tf
    from tinytf.kernels import table
    prev = table.use(path)
    try:
        x = tf.Variable(np.random.default_rng(12).standard_normal((2, 4, 4, 3)).astype(np.float16))
        with tf.GradientTape() as tape:
            y = tf.nn.relu(tf.nn.max_pool2d(x, 2, 2, "VALID"))
        dx = tape.gradient(y, x)
    finally:
        table.use(prev)
    assert y.dtype == tf.float16 and dx.dtype == tf.float16
    xv = np.asarray(x.numpy(), np.float64)
    want = max_grad_ref(xv, (max_ref(xv, (2, 2), (2, 2), "VALID") > 0).astype(np.float64), (2, 2), (2, 2), "VALID")
    np.testing.assert_array_equal(np.asarray(dx.numpy(), np.float64), want)
