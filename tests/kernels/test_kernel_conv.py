"""conv2d forward / gradients (tinytf.kernels.conv) against slow loops and finite differences."""
import numpy as np
import pytest

from gradcheck import fd_inplace as _fd
from tinytf.kernels import conv, fast, tail
from tinytf.kernels import table as K  # the active kernels: NumPy or Numba (kernel_path)


def _ref_pads(n, k, s, d, padding):
    """TensorFlow's pads for one axis, written out independently of the kernel code."""
    ke = (k - 1) * d + 1
    if padding == "VALID":
        return 0, 0
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + ke - n, 0)
        return total // 2, total - total // 2
    return padding


def _ref_setup(x_shape, w_shape, strides, dilations, padding):
    _, h, w_, _ = x_shape
    kh, kw = w_shape[:2]
    pads = padding if not isinstance(padding, str) else (padding, padding)
    (pt, pb) = _ref_pads(h, kh, strides[0], dilations[0], pads[0])
    (pl, pr) = _ref_pads(w_, kw, strides[1], dilations[1], pads[1])
    hp, wp = h + pt + pb, w_ + pl + pr
    keh, kew = (kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1
    oh = len(range(0, hp - keh + 1, strides[0]))
    ow = len(range(0, wp - kew + 1, strides[1]))
    return (pt, pb, pl, pr), oh, ow


def conv_ref(x, w, strides, dilations, padding):
    """Zero-pad explicitly, then the obvious 7 nested loops."""
    (pt, pb, pl, pr), oh, ow = _ref_setup(x.shape, w.shape, strides, dilations, padding)
    xp = np.zeros((x.shape[0], x.shape[1] + pt + pb, x.shape[2] + pl + pr, x.shape[3]))
    xp[:, pt:pt + x.shape[1], pl:pl + x.shape[2], :] = x
    kh, kw, cin, cout = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    y = np.zeros((x.shape[0], oh, ow, cout))
    for n in range(x.shape[0]):
        for a in range(oh):
            for b in range(ow):
                for o in range(cout):
                    acc = 0.0
                    for i in range(kh):
                        for j in range(kw):
                            for c in range(cin):
                                acc += xp[n, a * sh + i * dh, b * sw + j * dw, c] * w[i, j, c, o]
                    y[n, a, b, o] = acc
    return y


def conv_adjoint_ref(x, w, g, strides, dilations, padding):
    """Loop-based (dL/dx, dL/dw) of L = sum(conv(x, w) * g)."""
    (pt, pb, pl, pr), oh, ow = _ref_setup(x.shape, w.shape, strides, dilations, padding)
    xp = np.zeros((x.shape[0], x.shape[1] + pt + pb, x.shape[2] + pl + pr, x.shape[3]))
    xp[:, pt:pt + x.shape[1], pl:pl + x.shape[2], :] = x
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    kh, kw, cin, cout = w.shape
    (sh, sw), (dh, dw_) = strides, dilations
    for n in range(x.shape[0]):
        for a in range(oh):
            for b in range(ow):
                for o in range(cout):
                    for i in range(kh):
                        for j in range(kw):
                            for c in range(cin):
                                r, q = a * sh + i * dh, b * sw + j * dw_
                                dxp[n, r, q, c] += g[n, a, b, o] * w[i, j, c, o]
                                dw[i, j, c, o] += g[n, a, b, o] * xp[n, r, q, c]
    return dxp[:, pt:pt + x.shape[1], pl:pl + x.shape[2], :], dw


# (x_shape NHWC, w_shape HWIO, strides, dilations, padding)
CASES = {
    "odd_valid": ((2, 7, 5, 2), (3, 3, 2, 3), (1, 1), (1, 1), "VALID"),
    "odd_same": ((2, 7, 5, 5), (3, 3, 5, 3), (1, 1), (1, 1), "SAME"),
    "even_kernel_same": ((1, 5, 6, 2), (2, 2, 2, 2), (1, 1), (1, 1), "SAME"),       # pad (0,1)
    "k4_same": ((1, 6, 7, 1), (4, 4, 1, 2), (1, 1), (1, 1), "SAME"),                # pad (1,2)
    "k2x4_same_s2": ((1, 7, 8, 4), (2, 4, 4, 2), (2, 2), (1, 1), "SAME"),
    "stride2_same": ((2, 7, 6, 6), (3, 3, 6, 2), (2, 2), (1, 1), "SAME"),
    "stride2_valid": ((2, 7, 6, 2), (3, 3, 2, 2), (2, 2), (1, 1), "VALID"),
    "stride3_same": ((1, 8, 7, 2), (3, 3, 2, 2), (3, 3), (1, 1), "SAME"),
    "stride3_valid_uncovered": ((1, 8, 7, 4), (2, 2, 4, 2), (3, 3), (1, 1), "VALID"),
    "stride2x1_same": ((1, 7, 5, 2), (3, 2, 2, 3), (2, 1), (1, 1), "SAME"),
    "stride2x1_valid": ((1, 7, 5, 2), (3, 2, 2, 3), (2, 1), (1, 1), "VALID"),
    "dilation2_valid": ((1, 7, 8, 2), (3, 3, 2, 2), (1, 1), (2, 2), "VALID"),
    "dilation2_same": ((1, 7, 8, 5), (3, 2, 5, 2), (1, 1), (2, 2), "SAME"),
    "dilation2x1_same_s2": ((1, 9, 7, 1), (3, 3, 1, 2), (2, 1), (2, 1), "SAME"),
    "1x1_s1_valid": ((2, 4, 5, 3), (1, 1, 3, 4), (1, 1), (1, 1), "VALID"),
    "1x1_s1_same": ((2, 4, 5, 3), (1, 1, 3, 4), (1, 1), (1, 1), "SAME"),
    "1x1_s2_valid": ((2, 5, 5, 3), (1, 1, 3, 2), (2, 2), (1, 1), "VALID"),
    "1x1_s2_same": ((1, 5, 6, 4), (1, 1, 4, 2), (2, 3), (1, 1), "SAME"),
    "1x1_explicit": ((1, 3, 4, 2), (1, 1, 2, 2), (1, 1), (1, 1), ((1, 0), (0, 2))),
    "kernel_eq_input_valid": ((2, 4, 5, 2), (4, 5, 2, 3), (1, 1), (1, 1), "VALID"),
    "kernel_eq_input_same": ((1, 4, 5, 2), (4, 5, 2, 2), (1, 1), (1, 1), "SAME"),
    "explicit_12_03": ((1, 5, 5, 2), (3, 3, 2, 2), (1, 1), (1, 1), ((1, 2), (0, 3))),
    "explicit_s2_d2": ((1, 6, 7, 4), (2, 3, 4, 2), (2, 2), (2, 1), ((1, 2), (0, 3))),
    "single_pixel_same": ((1, 1, 1, 2), (3, 3, 2, 2), (1, 1), (1, 1), "SAME"),
    # issue 18: whole windows in the padding (a window starting past the right edge broke the
    # compiled col2im), with 1 and with 4 channels
    "window_past_right_edge": ((2, 6, 5, 1), (3, 1, 1, 3), (3, 2), (1, 1), ((2, 0), (0, 2))),
    "window_past_right_edge_c4": ((2, 6, 5, 4), (3, 1, 4, 3), (3, 2), (1, 1), ((2, 0), (0, 2))),
    "pads_twice_kernel": ((1, 4, 5, 5), (2, 2, 5, 2), (3, 2), (1, 1), ((4, 3), (4, 4))),
    "pads_past_dilated_kernel": ((1, 3, 4, 6), (2, 2, 6, 2), (1, 1), (2, 3), ((4, 5), (5, 4))),
    "stride_over_kernel_in_padding": ((2, 5, 6, 7), (2, 3, 7, 2), (5, 4), (1, 1), ((3, 4), (4, 6))),
}
IDS = list(CASES)


def _expect_compiled(calls, case, backward=True):
    """On the compiled path, a case reaches the compiled im2col (4+ channels, not pointwise) and,
    for the input gradient, the compiled col2im (not pointwise): assert that it did."""
    x_shape, w_shape, strides, dilations, padding = CASES[case]
    geo = conv.geometry(x_shape[1:3], w_shape[:2], strides, dilations, padding)
    if geo.is_pointwise:
        return
    calls.assert_reached(*(("im2col",) if x_shape[3] >= 4 else ()) + (("col2im",) if backward else ()))


def _data(case, dtype=np.float64, seed=0):
    x_shape, w_shape, strides, dilations, padding = CASES[case]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    geo = conv.geometry(x_shape[1:3], w_shape[:2], strides, dilations, padding)
    return x, w, geo, strides, dilations, padding


@pytest.mark.parametrize("case", IDS)
def test_forward_matches_loops(case, compiled_calls):
    x, w, geo, s, d, p = _data(case)
    want = conv_ref(x, w, s, d, p)
    y, cols = K.conv2d_forward(x, w, geo)
    assert y.shape == want.shape, (y.shape, want.shape)
    assert (geo.oh, geo.ow) == want.shape[1:3]
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)
    assert cols.shape == (y.shape[0] * geo.oh * geo.ow, w.shape[0] * w.shape[1] * w.shape[2])
    _expect_compiled(compiled_calls, case, backward=False)


@pytest.mark.parametrize("case", IDS)
def test_gradients_match_loop_adjoint(case, compiled_calls):
    x, w, geo, s, d, p = _data(case)
    y, cols = K.conv2d_forward(x, w, geo)
    g = np.random.default_rng(1).standard_normal(y.shape)
    dx_want, dw_want = conv_adjoint_ref(x, w, g, s, d, p)
    dx = K.conv2d_backward_input(g, w, x.shape, geo)
    dw = K.conv2d_backward_filter(g, cols, w.shape)
    assert dx.shape == x.shape and dw.shape == w.shape
    np.testing.assert_allclose(dx, dx_want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, dw_want, rtol=1e-12, atol=1e-12)
    _expect_compiled(compiled_calls, case)


FD_CASES = ["odd_same", "even_kernel_same", "stride2x1_same", "stride3_valid_uncovered",
            "dilation2_same", "1x1_s1_valid", "1x1_s2_same", "kernel_eq_input_valid",
            "explicit_12_03", "explicit_s2_d2", "window_past_right_edge_c4", "pads_twice_kernel"]


@pytest.mark.parametrize("case", FD_CASES)
def test_gradients_match_finite_differences(case, compiled_calls):
    x, w, geo, *_ = _data(case, seed=2)
    y, cols = K.conv2d_forward(x, w, geo)
    g = np.random.default_rng(3).standard_normal(y.shape)

    def loss():
        return float(np.sum(K.conv2d_forward(x, w, geo)[0] * g))

    dx_fd = _fd(loss, x)
    dw_fd = _fd(loss, w)
    np.testing.assert_allclose(K.conv2d_backward_input(g, w, x.shape, geo), dx_fd, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(K.conv2d_backward_filter(g, cols, w.shape), dw_fd, rtol=1e-6, atol=1e-7)
    _expect_compiled(compiled_calls, case)


@pytest.mark.parametrize("case", ["odd_same", "stride2x1_same", "1x1_s1_valid", "explicit_12_03",
                                  "dilation2_valid"])
def test_float32_in_float32_out(case, compiled_calls):
    x, w, geo, s, d, p = _data(case, dtype=np.float32)
    y, cols = K.conv2d_forward(x, w, geo)
    assert y.dtype == np.float32 and cols.dtype == np.float32
    np.testing.assert_allclose(y, conv_ref(x.astype(np.float64), w.astype(np.float64), s, d, p),
                               rtol=1e-4, atol=1e-4)
    g = np.ones(y.shape, np.float32)
    assert K.conv2d_backward_input(g, w, x.shape, geo).dtype == np.float32
    assert K.conv2d_backward_filter(g, cols, w.shape).dtype == np.float32
    _expect_compiled(compiled_calls, case)


def test_non_contiguous_input(compiled_calls):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 6, 7)).transpose(0, 2, 3, 1)       # NCHW -> NHWC view
    x = x[:, ::-1]                                                    # negative stride too
    w = rng.standard_normal((3, 3, 5, 2))
    assert not x.flags.c_contiguous
    for padding in ("SAME", "VALID"):
        geo = conv.geometry(x.shape[1:3], (3, 3), (2, 1), (1, 1), padding)
        y, cols = K.conv2d_forward(x, w, geo)
        np.testing.assert_allclose(y, conv_ref(np.array(x), w, (2, 1), (1, 1), padding), rtol=1e-12)
        g = rng.standard_normal(y.shape)
        dx_want, dw_want = conv_adjoint_ref(np.array(x), w, g, (2, 1), (1, 1), padding)
        np.testing.assert_allclose(K.conv2d_backward_input(g, w, x.shape, geo), dx_want, rtol=1e-12)
        np.testing.assert_allclose(K.conv2d_backward_filter(g, cols, w.shape), dw_want, rtol=1e-12)
    compiled_calls.assert_reached("im2col", "col2im")


def test_1x1_stride1_unpadded_is_no_copy():
    x = np.random.default_rng(5).standard_normal((2, 4, 5, 3))
    geo = conv.geometry((4, 5), (1, 1), (1, 1), (1, 1), "SAME")
    assert not geo.has_padding
    cols = conv.im2col(x, geo)
    assert cols.shape == (2 * 4 * 5, 3)
    assert np.shares_memory(cols, x)
    np.testing.assert_array_equal(cols, x.reshape(-1, 3))
    # with a stride or padding it is a fresh matrix, never aliasing x
    geo2 = conv.geometry((4, 5), (1, 1), (2, 2), (1, 1), "VALID")
    assert not np.shares_memory(conv.im2col(x, geo2), x)


def test_im2col_layout():
    # rows = output positions (n, oh, ow), columns = (i, j, c) as in HWIO filter order
    x = np.arange(1 * 4 * 4 * 2, dtype=np.float64).reshape(1, 4, 4, 2)
    geo = conv.geometry((4, 4), (2, 3), (2, 1), (1, 1), ((1, 0), (0, 1)))
    cols = conv.im2col(x, geo)
    xp = np.pad(x, ((0, 0), (1, 0), (0, 1), (0, 0)))
    r = 0
    for a in range(geo.oh):
        for b in range(geo.ow):
            np.testing.assert_array_equal(cols[r], xp[0, 2 * a:2 * a + 2, b:b + 3, :].reshape(-1))
            r += 1
    assert r == cols.shape[0]


def test_geometry_cached_and_fields():
    g1 = conv.geometry((7, 6), (3, 2), (2, 1), (1, 2), "SAME")
    assert conv.geometry((7, 6), (3, 2), (2, 1), (1, 2), "SAME") is g1
    assert (g1.oh, g1.ow) == (4, 6)
    # h: out 4, total 3*2+3-7 = 2; w: ke 3, out 6, total 5+3-6 = 2
    assert g1.pads == ((1, 1), (1, 1))
    assert g1.padded_hw == (9, 8)
    assert g1.has_padding


def test_pad_nhwc():
    x = np.random.default_rng(6).standard_normal((2, 3, 4, 2))
    assert conv.pad_nhwc(x, ((0, 0), (0, 0))) is x
    p = conv.pad_nhwc(x, ((1, 2), (0, 3)), value=-5.0)
    assert p.shape == (2, 6, 7, 2) and p.dtype == x.dtype
    np.testing.assert_array_equal(p[:, 1:4, 0:4], x)
    mask = np.ones(p.shape, bool)
    mask[:, 1:4, 0:4] = False
    assert np.all(p[mask] == -5.0)
    np.testing.assert_array_equal(conv.unpad_nhwc(p, ((1, 2), (0, 3)), (3, 4)), x)


@pytest.mark.parametrize("case", IDS)
def test_chunked_path_matches_loops(case, monkeypatch, compiled_calls):
    """Large inputs keep no window matrix (cols is None): force that path with a tiny threshold
    and check forward and both gradients against the loop references."""
    monkeypatch.setattr(conv, "KEEP_BYTES", 0)
    monkeypatch.setattr(conv, "AS_CONV_ABOVE", 0)  # stride 1: the input gradient as a forward conv
    monkeypatch.setattr(conv, "CHUNK_BYTES", 1)  # one image per part
    x, w, geo, s, d, p = _data(case)
    x = np.concatenate([x, x[::-1] * 0.5, x + 1])  # several images, so there are several chunks
    y, cols = K.conv2d_forward(x, w, geo)
    assert cols is None or geo.is_pointwise  # (a pointwise conv's window matrix is x itself)
    np.testing.assert_allclose(y, conv_ref(x, w, s, d, p), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(y.shape)
    dx_want, dw_want = conv_adjoint_ref(x, w, g, s, d, p)
    np.testing.assert_allclose(K.conv2d_backward_input(g, w, x.shape, geo), dx_want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(K.conv2d_backward_filter(g, cols, w.shape, x, geo), dw_want,
                               rtol=1e-12, atol=1e-11)
    _expect_compiled(compiled_calls, case, backward=False)  # (stride 1: the input gradient is a conv)


@pytest.mark.parametrize("case", IDS)
def test_forward_with_a_tail_is_the_forward_then_the_tail(case, monkeypatch, compiled_calls):
    """conv2d_forward_tail (inference chains) makes the same products as conv2d_forward, part by
    part: the same bits as the forward followed by its tail (the parts are the forward's; BLAS
    may round a product of other rows otherwise), and the loops' numbers within float32 rounding."""
    x, w, geo, s, d, p = _data(case, np.float32)
    x = np.concatenate([x, x[::-1] * 0.5, x + 1])
    o = w.shape[3]
    rng = np.random.default_rng(2)
    pool = conv.geometry((geo.oh, geo.ow), (2, 2), (1, 2), (1, 1), "SAME")
    for steps in [tail.Tail(rng.standard_normal(o, dtype=np.float32), True),
                  tail.Tail(None, False, rng.standard_normal(o, dtype=np.float32),
                            rng.standard_normal(o, dtype=np.float32), True, pool, True)]:
        shape = steps.out_shape((x.shape[0], geo.oh, geo.ow, o))
        for chunk in (conv.CHUNK_BYTES, 1):  # 1: one image a part
            monkeypatch.setattr(conv, "CHUNK_BYTES", chunk)
            want = K.conv_tail(K.conv2d_forward(x, w, geo, keep=False)[0], steps, np.empty(shape, np.float32))
            got = K.conv2d_forward_tail(x, w, geo, steps, np.empty(shape, np.float32))
            np.testing.assert_array_equal(got, want)
            np.testing.assert_allclose(got, tail.conv_tail(conv_ref(x, w, s, d, p), steps, np.empty(shape)),
                                       rtol=1e-5, atol=1e-4)
    compiled_calls.assert_reached("conv_tail" if o >= fast.ROW_LOOP_CHANNELS else "conv_tail_rows")
    _expect_compiled(compiled_calls, case, backward=False)


def test_forward_with_a_tail_takes_winograd_as_the_forward_does(monkeypatch, compiled_calls):
    monkeypatch.setattr(conv, "WINOGRAD_CHANNELS", 16)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 10, 9, 16), dtype=np.float32)
    w = rng.standard_normal((3, 3, 16, 16), dtype=np.float32)
    geo = conv.geometry((10, 9), (3, 3), (1, 1), (1, 1), "SAME")
    assert conv.winograd_applies(geo, 16, 16, np.float32)
    pool = conv.geometry((10, 9), (3, 3), (2, 2), (1, 1), "SAME")
    steps = tail.Tail(w[0, 0, 0], True, w[1, 1, 0], w[2, 2, 0], False, pool, True)
    shape = steps.out_shape((5, 10, 9, 16))
    want = K.conv_tail(K.conv2d_forward(x, w, geo, keep=False)[0], steps, np.empty(shape, np.float32))
    np.testing.assert_array_equal(K.conv2d_forward_tail(x, w, geo, steps, np.empty(shape, np.float32)), want)
    compiled_calls.assert_reached("winograd_input", "winograd_output", "conv_tail")


def test_parts_are_cache_sized_and_worth_a_thread():
    assert conv.images_per_part(128, 26 * 26, 9, 6, 4) == 58      # LeNet conv1: 36,504 mult-adds an image
    assert conv.images_per_part(128, 11 * 11, 54, 16, 4) == 21    # LeNet conv2: 21 images for 2 M
    assert conv.images_per_part(64, 32 * 32, 576, 64, 4) == 2     # 2.4 MB an image: 4 for 16 parts, 2 fit 6 MB
    assert conv.images_per_part(640, 32 * 32, 576, 1, 4) == 2     # the cache bound wins: 320 parts
    assert conv.images_per_part(32, 4 * 4, 4608, 512, 4) == 16    # ResNet-18 stage 4: 256 rows a part
    assert conv.images_per_part(1000, 11 * 11, 54, 16, 4) == 63   # LeNet conv2, inference: 16 parts at most
    assert conv.images_per_part(0, 1024, 576, 64, 4) == 1
    assert conv._parts(5, 2) == [(0, 2), (2, 4), (4, 5)]


