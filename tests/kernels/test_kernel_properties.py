"""Property-based tests of the kernels on random geometries (Hypothesis): every kernel of
``table.SWITCHED`` compiled (``fast.py``) against its NumPy reference, and the references (and the
kernels that have no compiled version: depthwise, average pooling) against slow float64 loops
(``tests/kernel_loops.py``). Geometries: kernels 1..4, strides 1..5 (larger than the kernel too),
dilations 1..3, SAME, VALID and explicit pads up to twice the kernel (whole windows in the padding),
1..17 channels (the compiled im2col takes 4 and more), batches of 0..3 (zero-sized), non-contiguous
views, float32 and float64. Each compiled comparison asserts that the compiled loops really ran
(``compiled_calls``).

Profiles (tests/conftest.py): ``ci``, the default, is derandomized (the same examples every run)
with 25 examples a test; ``TINYTF_HYPOTHESIS=thorough`` draws 1000 random examples a test:
``TINYTF_HYPOTHESIS=thorough python3 -m pytest tests/kernels/test_kernel_properties.py tests/ops/test_op_properties.py``.

Tolerances (eps = the dtype's machine epsilon, |terms| = the same loop run on absolute values):
* compiled vs reference, bitwise where both do the same float operations in the same order:
  im2col (a copy), the max-pool forward, argmax and scatter (one add per cell per kernel offset,
  in kernel-offset order on both sides), channel sums (float64 sums in row order), normalize,
  channel add, bias + ReLU, ReLU backward, Adam, and the conv forward where the reference's window
  matrix is C-ordered too (the same matrix into the same GEMM; a strided view of a non-contiguous
  input may reach BLAS in another layout); float64 batch-norm moments and backward.
* compiled vs reference col2im and conv input gradient: the compiled scatter adds a cell's window
  contributions in another order; two sums of the same m terms in any order differ by at most
  2 * m * eps * |terms| (m = kh*kw, or kh*kw*O through the GEMM).
* float32 batch-norm statistics and backward: the compiled loops form products in float64, the
  reference in float32 (one rounding each): bounds of a few eps times the magnitudes involved.
* reference vs float64 loop: a sum of m terms is within m * eps * |terms| of the exact sum
  (m = the terms per output: kh*kw*C forward, N*OH*OW filter gradient, kh*kw*O input gradient);
  copies and maxima are exact (bitwise).
"""
import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kernel_loops as L
from tinytf.kernels import conv, depthwise, pool, table, tail

NUMPY = table._IMPLEMENTATIONS["numpy"]
# The compiled kernels; without Numba the references stand in (the loop comparisons still run).
FAST = table._IMPLEMENTATIONS["numba"] if importlib.util.find_spec("numba") else NUMPY


def _rng(seed):
    return np.random.default_rng(seed)


def _within(got, want, bound, what):
    got = np.asarray(got, np.float64)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    err = np.abs(got - want)
    bad = err > bound
    assert not bad.any(), f"{what}: {bad.sum()} of {bad.size} off, worst {err.max():.3g} > bound {bound.flat[np.argmax(err - bound)]:.3g}"


def _bitwise(got, want, what):
    assert got.shape == want.shape and got.dtype == want.dtype, (what, got.shape, want.shape, got.dtype, want.dtype)
    assert got.tobytes() == np.ascontiguousarray(want).tobytes(), f"{what}: not bitwise equal"


@st.composite
def conv_cases(draw):
    hw, k, s, d, pad = draw(L.geometries())
    n, c, o = draw(st.integers(0, 3)), draw(st.integers(1, 17)), draw(st.integers(1, 5))
    return dict(hw=hw, k=k, s=s, d=d, pad=pad, n=n, c=c, o=o, dtype=draw(st.sampled_from(L.FLOATS)),
                layout=draw(L.layouts()), seed=draw(st.integers(0, 2**32 - 1)))


def _conv_setup(case):
    rng = _rng(case["seed"])
    geo = conv.geometry(case["hw"], case["k"], case["s"], case["d"], case["pad"])
    x = L.make(rng, (case["n"],) + case["hw"] + (case["c"],), case["dtype"], case["layout"])
    w = L.make(rng, case["k"] + (case["c"], case["o"]), case["dtype"])
    p = L.plan(case["hw"], case["k"], case["s"], case["d"], case["pad"])
    assert (geo.oh, geo.ow) == (p[0][2], p[1][2]) and geo.pads == ((p[0][0], p[0][1]), (p[1][0], p[1][1]))
    return rng, geo, x, w, p


def test_im2col_col2im(compiled_calls):
    in_padding = []

    @given(conv_cases())
    def check(case):
        rng, geo, x, w, p = _conv_setup(case)
        in_padding.append(L.window_in_padding(case["hw"], case["k"], case["s"], case["d"], p) and x.shape[3] >= 4)
        cols = NUMPY["im2col"](x, geo)
        _bitwise(FAST["im2col"](x, geo), np.ascontiguousarray(cols), "compiled im2col")
        np.testing.assert_array_equal(cols, L.im2col(x, case["k"], case["s"], case["d"], p).astype(x.dtype))
        kk = case["k"][0] * case["k"][1]
        dcols = L.make(rng, (x.shape[0], geo.oh, geo.ow) + case["k"] + (x.shape[3],), x.dtype, "contiguous")
        want = L.col2im(dcols, x.shape, case["s"], case["d"], p)
        size = L.col2im(*L.abs_of(dcols), x.shape, case["s"], case["d"], p)
        ref = NUMPY["col2im"](dcols, x.shape, geo)
        _within(ref, want, kk * L.eps(x.dtype) * size, "reference col2im vs loop")
        _within(FAST["col2im"](dcols, x.shape, geo), ref.astype(np.float64), 2 * kk * L.eps(x.dtype) * size,
                "compiled col2im vs reference")
    check()
    compiled_calls.assert_reached("im2col", "col2im")
    assert any(in_padding), "no example had a window wholly in the padding with >= 4 channels"


@pytest.mark.parametrize("chunked", [False, True])
def test_conv2d_forward_and_gradients(chunked, compiled_calls, monkeypatch):
    if chunked:  # a window matrix of any size is built one image at a time (cols is None)
        monkeypatch.setattr(conv, "KEEP_BYTES", 0)
        monkeypatch.setattr(conv, "AS_CONV_ABOVE", 0)
        monkeypatch.setattr(conv, "CHUNK_BYTES", 1)

    @given(conv_cases())
    def check(case):
        rng, geo, x, w, p = _conv_setup(case)
        s, d = case["s"], case["d"]
        y, cols = conv.conv2d_forward(x, w, geo, FAST)
        y_ref, cols_ref = conv.conv2d_forward(x, w, geo, NUMPY)
        if cols is not None and cols_ref.flags.c_contiguous:  # the same C-ordered window matrix: the same GEMM
            _bitwise(y, y_ref, "compiled conv forward")
        kc = case["k"][0] * case["k"][1] * case["c"]
        e = L.eps(x.dtype)
        want, size = L.conv(x, w, s, d, p), L.conv(*L.abs_of(x, w), s, d, p)
        _within(y, want, kc * e * size, "compiled conv forward vs loop")
        _within(y_ref, want, kc * e * size, "reference conv forward vs loop")
        g = L.make(rng, y.shape, x.dtype)
        dx_want, dw_want = L.conv_adjoint(x, w, g, s, d, p)
        dx_size, dw_size = L.conv_adjoint(*L.abs_of(x, w, g), s, d, p)
        m_dx = case["k"][0] * case["k"][1] * case["o"]
        dx = conv.conv2d_backward_input(g, w, x.shape, geo, FAST)
        dx_ref = conv.conv2d_backward_input(g, w, x.shape, geo, NUMPY)
        _within(dx, dx_want, m_dx * e * dx_size, "compiled conv input gradient vs loop")
        _within(dx_ref, dx_want, m_dx * e * dx_size, "reference conv input gradient vs loop")
        _within(dx, dx_ref.astype(np.float64), 2 * m_dx * e * dx_size, "compiled vs reference input gradient")
        dw = conv.conv2d_backward_filter(g, cols, w.shape, x, geo, FAST)
        dw_ref = conv.conv2d_backward_filter(g, cols_ref, w.shape, x, geo, NUMPY)
        m_dw = max(1, x.shape[0] * geo.oh * geo.ow)
        _within(dw, dw_want, m_dw * e * dw_size, "compiled conv filter gradient vs loop")
        _within(dw_ref, dw_want, m_dw * e * dw_size, "reference conv filter gradient vs loop")
    check()
    compiled_calls.assert_reached("im2col", "col2im")


@st.composite
def winograd_cases(draw):
    """3x3 stride-1 geometries (SAME, VALID, explicit pads up to 6) with 16..21 channels (the test
    lowers Winograd's threshold to 16)."""
    kind = draw(st.sampled_from(["explicit", "SAME", "VALID"]))
    pads = tuple((draw(st.integers(0, 6)), draw(st.integers(0, 6))) for _ in range(2)) if kind == "explicit" else kind
    lo = 3 if kind == "VALID" else 1
    hw = tuple(draw(st.integers(lo, 13)) for _ in range(2))
    if kind == "explicit":
        hw = tuple(max(h, 3 - sum(p)) for h, p in zip(hw, pads))
    return dict(hw=hw, k=(3, 3), s=(1, 1), d=(1, 1), pad=pads, n=draw(st.integers(0, 3)),
                c=draw(st.integers(16, 21)), o=draw(st.integers(16, 21)), dtype=draw(st.sampled_from(L.FLOATS)),
                layout=draw(L.layouts()), seed=draw(st.integers(0, 2**32 - 1)))


def test_winograd(compiled_calls, monkeypatch):
    """Winograd F(2x2, 3x3) (``winograd.py``): the compiled transforms against the references
    bitwise, and the convolution and its input gradient against the float64 loops within the
    direct product's bound (kh*kw*C terms). Odd sizes (a tile past the last row or column),
    pads up to twice the kernel, empty batches, views."""
    monkeypatch.setattr(conv, "WINOGRAD_SIZE", 1)  # every case here takes Winograd
    monkeypatch.setattr(conv, "WINOGRAD_CHANNELS", 16)

    @given(winograd_cases())
    def check(case):
        rng, geo, x, w, p = _conv_setup(case)
        assert conv.winograd_applies(geo, case["c"], case["o"], x.dtype)
        v = FAST["winograd_input"](x, geo)
        _bitwise(v, NUMPY["winograd_input"](x, geo), "compiled winograd input transform")
        m = L.make(rng, v.shape[:2] + (case["o"],), x.dtype)
        y_shape = (x.shape[0], geo.oh, geo.ow, case["o"])
        _bitwise(FAST["winograd_output"](m, geo, np.empty(y_shape, x.dtype)),
                 NUMPY["winograd_output"](m, geo, np.empty(y_shape, x.dtype)), "compiled winograd output transform")
        y, cols = conv.conv2d_forward(x, w, geo, FAST)
        assert cols is None  # no window matrix: the filter gradient builds one from x
        _bitwise(y, conv.conv2d_forward(x, w, geo, NUMPY)[0], "compiled vs reference winograd conv")
        e, kc = L.eps(x.dtype), 9 * case["c"]
        _within(y, L.conv(x, w, (1, 1), (1, 1), p), kc * e * L.conv(*L.abs_of(x, w), (1, 1), (1, 1), p),
                "winograd conv vs loop")
        g = L.make(rng, y.shape, x.dtype)
        dx_want, _ = L.conv_adjoint(x, w, g, (1, 1), (1, 1), p)
        dx_size, _ = L.conv_adjoint(*L.abs_of(x, w, g), (1, 1), (1, 1), p)
        _within(conv.conv2d_backward_input(g, w, x.shape, geo, FAST), dx_want, 9 * case["o"] * e * dx_size,
                "winograd input gradient vs loop")
    check()
    compiled_calls.assert_reached("winograd_input", "winograd_output")


@st.composite
def pool_cases(draw, explicit=True, dilate=False):
    hw, k, s, d, pad = draw(L.geometries(dilate=dilate, explicit=explicit))
    return dict(hw=hw, k=k, s=s, d=d, pad=pad, n=draw(st.integers(0, 3)), c=draw(st.integers(1, 17)),
                dtype=draw(st.sampled_from(L.FLOATS)), layout=draw(L.layouts()),
                ties=draw(st.booleans()), seed=draw(st.integers(0, 2**32 - 1)))


def _pool_setup(case):
    rng = _rng(case["seed"])
    geo = conv.geometry(case["hw"], case["k"], case["s"], case["d"], case["pad"])
    x = L.make(rng, (case["n"],) + case["hw"] + (case["c"],), case["dtype"], case["layout"])
    if case["ties"]:
        x = np.round(x)  # many equal cells in a window: the first one gets the gradient
    return rng, geo, x, L.plan(case["hw"], case["k"], case["s"], case["d"], case["pad"])


def test_max_pool(compiled_calls):
    """Also dilated windows (no op makes them; the compiled loops hand them to the reference)."""
    @given(pool_cases(dilate=True))
    def check(case):
        rng, geo, x, p = _pool_setup(case)
        k, s, d = case["k"], case["s"], case["d"]
        out, arg = FAST["max_pool_forward_argmax"](x, geo)
        out_ref, arg_ref = NUMPY["max_pool_forward_argmax"](x, geo)
        _bitwise(out, out_ref, "compiled max pool")
        _bitwise(arg, arg_ref, "compiled max pool argmax")
        want, arg_want = L.max_pool(x, k, s, p, d)
        _bitwise(out_ref, want.astype(x.dtype), "reference max pool vs loop")
        real = np.isfinite(want)  # a window wholly in the padding: -inf, its offset unused
        np.testing.assert_array_equal(arg_ref[real], arg_want[real])
        _bitwise(FAST["max_pool_forward"](x, geo), out_ref, "compiled max pool (no argmax)")
        if x.size and not isinstance(case["pad"], tuple):  # SAME / VALID: the inference kernel
            _bitwise(pool.max_pool_forward(x, geo), out_ref, "max_pool_forward vs argmax forward")
        g = L.make(rng, out.shape, x.dtype)
        dx_ref = NUMPY["max_pool_backward_argmax"](g, arg_ref, x.shape, geo)
        _bitwise(FAST["max_pool_backward_argmax"](g, arg, x.shape, geo), dx_ref, "compiled max pool backward")
        size = L.max_pool_adjoint(*L.abs_of(g), arg_want, x.shape, k, s, p, d)
        _within(dx_ref, L.max_pool_adjoint(g, arg_want, x.shape, k, s, p, d), k[0] * k[1] * L.eps(x.dtype) * size,
                "reference max pool backward vs loop")
    check()
    compiled_calls.assert_reached("max_pool_fwd_argmax", "max_pool_bwd_argmax")
    assert not compiled_calls.active or compiled_calls["conv_tail"] + compiled_calls["conv_tail_rows"]  # max_pool_forward


def test_conv_tail(compiled_calls):
    """A convolution's tail (``kernels/tail.py``): random steps on pool geometries (or no pool),
    NaNs and ties included, 1..17 channels (both compiled loops); compiled against the reference
    bitwise, the reference against the element-wise steps and the pooling loop."""
    @given(pool_cases(), st.lists(st.booleans(), min_size=6, max_size=6), st.booleans())
    def check(case, flags, nans):
        rng, geo, x, p = _pool_setup(case)
        if nans and x.size:
            x.flat[::7] = np.nan
        c, dt = x.shape[3], x.dtype
        has_bias, relu_conv, has_norm, relu_norm, has_pool, relu_pool = flags
        bias = L.make(rng, (c,), dt) if has_bias else None
        inv, shift = (L.make(rng, (c,), dt), L.make(rng, (c,), dt)) if has_norm else (None, None)
        steps = tail.Tail(bias, relu_conv, inv, shift, relu_norm, geo if has_pool else None, relu_pool)
        shape = steps.out_shape(x.shape)
        want = NUMPY["conv_tail"](x, steps, np.empty(shape, dt))
        _bitwise(FAST["conv_tail"](x, steps, np.full(shape, 7, dt)), want, "compiled conv tail")
        v = x
        for on, step in [(has_bias, lambda v: v + bias), (relu_conv, lambda v: np.maximum(v, dt.type(0))),
                         (has_norm, lambda v: v * inv + shift), (relu_norm, lambda v: np.maximum(v, dt.type(0)))]:
            v = step(v) if on else v
        if has_pool and not nans:  # the loop takes no NaN
            v = L.max_pool(v, case["k"], case["s"], p)[0].astype(dt)
        elif has_pool:
            v = NUMPY["max_pool_forward"](v, geo)
        _bitwise(want, np.maximum(v, dt.type(0)) if relu_pool else v, "reference conv tail vs its steps")
    check()
    compiled_calls.assert_reached("conv_tail", "conv_tail_rows")


def test_avg_pool():
    """Average pooling (SAME / VALID, as the ops allow; one path): the reference against the loop,
    within (kh*kw + 2) eps of the mean of magnitudes (the sum, then a division or a multiply by a
    rounded 1/(kh*kw))."""
    @given(pool_cases(explicit=False))
    def check(case):
        rng, geo, x, p = _pool_setup(case)
        k, s = case["k"], case["s"]
        e = (k[0] * k[1] + 2) * L.eps(x.dtype)
        out = pool.avg_pool_forward(x, geo)
        _within(out, L.avg_pool(x, k, s, p), e * L.avg_pool(*L.abs_of(x), k, s, p), "avg pool vs loop")
        g = L.make(rng, out.shape, x.dtype)
        _within(pool.avg_pool_backward(g, x.shape, geo), L.avg_pool_adjoint(g, x.shape, k, s, p),
                e * L.avg_pool_adjoint(*L.abs_of(g), x.shape, k, s, p), "avg pool backward vs loop")
    check()


def test_depthwise():
    """Depthwise conv (one path): forward and both gradients against the loops, a sum of kh*kw
    terms forward and for dx, N*OH*OW terms for dw."""
    @given(conv_cases(), st.integers(1, 3))
    def check(case, mult):
        rng, geo, x, _, p = _conv_setup(case)
        w = L.make(rng, case["k"] + (case["c"], mult), x.dtype)
        s, d, e = case["s"], case["d"], L.eps(x.dtype)
        kk = case["k"][0] * case["k"][1]
        y = depthwise.depthwise_forward(x, w, geo)
        _within(y, L.depthwise(x, w, s, d, p), kk * e * L.depthwise(*L.abs_of(x, w), s, d, p), "depthwise forward")
        g = L.make(rng, y.shape, x.dtype)
        dx_want, dw_want = L.depthwise_adjoint(x, w, g, s, d, p)
        dx_size, dw_size = L.depthwise_adjoint(*L.abs_of(x, w, g), s, d, p)
        _within(depthwise.depthwise_backward_input(g, w, x.shape, geo), dx_want, kk * mult * e * dx_size,
                "depthwise input gradient")
        m = max(1, x.shape[0] * geo.oh * geo.ow)
        _within(depthwise.depthwise_backward_filter(g, x, w.shape, geo), dw_want, m * e * dw_size,
                "depthwise filter gradient")
    check()


# ---- per-channel kernels: batch norm, bias, ReLU, channel sums, Adam ----------------------------

@st.composite
def channel_cases(draw):
    """An [M, C] (or [N, H, W, C]) array: M 0..80 rows, 1..17 channels, contiguous or a view."""
    shape = draw(st.sampled_from(["2d", "4d"]))
    c = draw(st.integers(1, 17))
    if shape == "2d":
        dims = (draw(st.integers(0, 80)), c)
    else:
        dims = (draw(st.integers(0, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 5)), c)
    return dict(dims=dims, dtype=draw(st.sampled_from(L.FLOATS)), layout=draw(L.layouts()),
                seed=draw(st.integers(0, 2**32 - 1)))


def _channel_setup(case, scale=1.0, offset=0.0):
    rng = _rng(case["seed"])
    x = L.make(rng, case["dims"], case["dtype"], case["layout"], scale, offset)
    return rng, x, x.reshape(-1, x.shape[-1]) if x.flags.c_contiguous else np.ascontiguousarray(x).reshape(-1, x.shape[-1])


def test_channel_sum_bias_relu(compiled_calls):
    """Sums in float64 in row order on both paths (bitwise); against math.fsum within eps of the
    sum of magnitudes (the final rounding to the dtype). Bias add, bias + ReLU and the ReLU
    backward: one rounding each, bitwise against loops in the dtype."""
    @given(channel_cases())
    def check(case):
        rng, x, x2 = _channel_setup(case)
        s = FAST["channel_sum"](x2)
        _bitwise(s, NUMPY["channel_sum"](x2), "compiled channel_sum")
        exact = np.array([np.sum(col.astype(np.float64)) for col in x2.T]).reshape(s.shape) if x2.size else s
        _within(s, np.asarray(exact, np.float64), 2 * L.eps(x.dtype) * np.abs(x2.astype(np.float64)).sum(0),
                "channel_sum vs float64 sum")
        b = L.make(rng, (x.shape[-1],), x.dtype)
        _bitwise(FAST["channel_add"](x, b), NUMPY["channel_add"](x, b), "compiled channel_add")
        y = FAST["bias_relu"](x, b)
        _bitwise(y, NUMPY["bias_relu"](x, b), "compiled bias_relu")
        loop = np.array([max(v + bb, x.dtype.type(0)) for v, bb in zip(x.reshape(-1), np.resize(b, x.size))],
                        x.dtype).reshape(x.shape)
        _bitwise(y, loop, "bias_relu vs loop")
        g = L.make(rng, x.shape, x.dtype, case["layout"])
        dx = FAST["relu_backward"](g, y)
        _bitwise(dx, NUMPY["relu_backward"](g, y), "compiled relu_backward")
        _bitwise(dx, np.where(y > 0, g, x.dtype.type(0)), "relu_backward vs loop")
    check()
    compiled_calls.assert_reached("wide_sums", "wide_scale_shift", "wide_bias_relu", "relu_bwd")


def _bn_loop(x2, g2, gamma, beta, eps):
    """Training batch norm in float64: (mean, var, y, dx, dgamma, dbeta)."""
    x, g = x2.astype(np.float64), g2.astype(np.float64)
    m = x.shape[0]
    mean = x.sum(0) / m
    var = ((x - mean) ** 2).sum(0) / m
    rstd = 1 / np.sqrt(var + float(eps))
    xhat = (x - mean) * rstd
    y = xhat * gamma + beta
    dbeta, dgamma = g.sum(0), (g * xhat).sum(0)
    dx = gamma * rstd / m * (m * g - dbeta - xhat * dgamma)
    return mean, var, y, dx, dgamma, dbeta, rstd, xhat


def test_batch_norm(compiled_calls):
    """Training statistics, normalisation and backward. Compiled vs reference: normalize bitwise;
    float64 statistics and backward bitwise; float32 mean within 2 eps (one rounding more), variance
    within 8 eps E[x^2] and the backward within a few eps of its terms (float64 vs float32
    products). Against the
    float64 loop: 16 eps of the magnitudes of each formula's terms, plus M float64 eps for the sums
    over the M rows."""
    @given(channel_cases(), st.floats(0.2, 4), st.floats(-2, 2))
    def check(case, scale, offset):
        rng, x, x2 = _channel_setup(case, scale, offset * scale)
        if not x2.shape[0]:
            return
        c, m, dt = x2.shape[1], x2.shape[0], x.dtype
        e = L.eps(dt)
        acc = m * L.eps(np.float64)  # the float64 sums over the rows, either side
        gamma, beta = L.make(rng, (c,), dt), L.make(rng, (c,), dt)
        g2 = L.make(rng, x2.shape, dt)
        eps = dt.type(1e-3)
        mean, var = FAST["channel_moments"](x2)
        mean_r, var_r = NUMPY["channel_moments"](x2)
        ex2 = (x2.astype(np.float64) ** 2).mean(0)
        abs_mean = np.abs(x2.astype(np.float64)).mean(0)
        if dt == np.float64:
            _bitwise(mean, mean_r, "compiled mean")
        else:  # the float64 sum / M rounded once, against the sum rounded and then divided in float32
            _within(mean, mean_r.astype(np.float64), 2 * e * np.abs(mean_r) + 1e-15 * abs_mean, "compiled mean")
        if dt == np.float64:
            _bitwise(var, var_r, "compiled variance")
        else:
            _within(var, var_r.astype(np.float64), 8 * e * ex2, "compiled variance vs reference")
        lm, lv, ly, ldx, ldg, ldb, rstd, xhat = _bn_loop(x2, g2, gamma.astype(np.float64), beta.astype(np.float64), eps)
        _within(mean, lm, (2 * e + 2 * acc) * abs_mean, "mean vs loop")
        _within(var, lv, (8 * e + 4 * acc) * ex2, "variance vs loop")
        y = FAST["normalize"](x2, mean, var, gamma, beta, eps)
        _bitwise(y, NUMPY["normalize"](x2, mean, var, gamma, beta, eps), "compiled normalize")
        # y from the kernel's own statistics: the loop's mean/var differ by the bounds above, which
        # move y by up to rstd * (|dmean| + |x - mean| * |dvar| / (2 (var + eps)))
        dstat = rstd * ((2 * e + 2 * acc) * abs_mean + np.abs(x2 - lm) * (8 * e + 4 * acc) * ex2 * rstd ** 2)
        _within(y, ly, 16 * e * (np.abs(xhat * gamma) + np.abs(beta) + np.abs(lm * rstd * gamma))
                + np.abs(gamma) * dstat, "normalize vs loop")
        got = FAST["batch_norm_train_backward"](g2, x2, mean, var, gamma, eps)
        ref = NUMPY["batch_norm_train_backward"](g2, x2, mean, var, gamma, eps)
        sgx = (np.abs(g2) * np.abs(xhat)).sum(0)
        scale_dx = np.abs(gamma) * rstd * (np.abs(g2) + np.abs(g2).sum(0) / m + np.abs(xhat) * sgx / m)
        for a, b, bound, what in zip(got, ref, (4 * e * scale_dx, 2 * e * sgx, 0 * sgx), ("dx", "dgamma", "dbeta")):
            if dt == np.float64 or what == "dbeta":
                _bitwise(a, b, "compiled batch norm backward " + what)
            else:
                _within(a, b.astype(np.float64), bound, "compiled batch norm backward " + what)
        # against the loop (which uses its own statistics): 16 eps of the terms plus what the
        # statistics' bounds move rstd and xhat by
        tol = (16 * e + 4 * acc) * (1 + np.abs(xhat).max(0, initial=0) * 8 * ex2 * rstd ** 2)
        for a, want, size in zip(ref, (ldx, ldg, ldb), (scale_dx, sgx, np.abs(g2).sum(0))):
            _within(a, want, tol * size + 1e-300, "batch norm backward vs loop")
    check()
    compiled_calls.assert_reached("wide_sums", "wide_scale_shift", "wide_bn_sums", "wide_bn_dx")


def test_adam(compiled_calls):
    """Compiled Adam over a list of variables (``adam_update_many``: small ones packed into one
    call, the others one call each): bitwise the reference (the same operations in the same order).
    Reference vs a float64 loop of Keras's formulas: m and v within 4 eps of their terms, w within
    8 eps of |w| + |step| (a product, a quotient, a sqrt and a sum, each one rounding)."""
    @given(st.lists(st.integers(0, 200), min_size=1, max_size=4), st.sampled_from(L.FLOATS), st.booleans(),
           st.integers(0, 2**32 - 1), st.floats(1e-4, 0.5), st.floats(0.01, 0.5), st.floats(1e-4, 0.2))
    def check(sizes, dtype, amsgrad, seed, lr, omb1, omb2):
        rng = _rng(seed)
        gs, ws, ms = ([L.make(rng, (n,), dtype) for n in sizes] for _ in range(3))
        vs = [np.abs(L.make(rng, (n,), dtype)) for n in sizes]
        vhs = [np.abs(L.make(rng, (n,), dtype)) for n in sizes] if amsgrad else None
        hyper = tuple(dtype(h) for h in (lr, omb1, omb2, 1e-7))
        got = FAST["adam_update_many"](gs, ws, ms, vs, vhs, *hyper)
        refs = NUMPY["adam_update_many"](gs, ws, ms, vs, vhs, *hyper)
        for k, (one, ref) in enumerate(zip(got, refs)):
            for a, b, what in zip(one, ref, ("w", "m", "v", "vhat")):
                if b is not None:
                    _bitwise(a, b, f"compiled adam {what} of variable {k}")
        lr, b1, b2, ep = (float(h) for h in hyper)
        for k, ref in enumerate(refs):
            g64, w64, m64, v64 = (a[k].astype(np.float64) for a in (gs, ws, ms, vs))
            m_new = m64 + (g64 - m64) * b1
            v_new = v64 + (g64 * g64 - v64) * b2
            vu = v_new if vhs is None else np.maximum(vhs[k].astype(np.float64), v_new)
            step = m_new * lr / (np.sqrt(vu) + ep)
            e = L.eps(dtype)
            _within(ref[1], m_new, 4 * e * (np.abs(m64) + np.abs(g64)), "adam m vs loop")
            _within(ref[2], v_new, 4 * e * (v64 + g64 * g64), "adam v vs loop")
            _within(ref[0], w64 - step, 8 * e * (np.abs(w64) + np.abs(step))
                    * (1 + 4 * (np.abs(m64) + np.abs(g64)) / np.maximum(np.abs(m_new), 1e-30)) + 1e-300,
                    "adam w vs loop")
    check()
    compiled_calls.assert_reached("adam")
