"""The public ops on random geometries (Hypothesis), on the default kernels (the compiled ones where
Numba is installed), forward and ``GradientTape`` gradients against the slow float64 loops of
``tests/kernel_loops.py``: ``tf.nn.conv2d``, ``max_pool2d`` / ``avg_pool2d`` (SAME / VALID),
``depthwise_conv2d``, ``conv2d_transpose``, the fused batch norm (training), ``bias_add`` + ``relu``
and ``bias_add_relu``. The loss is ``sum(y * G)`` with a random G, so every gradient is the loops'
adjoint applied to G. Geometries as in tests/kernels/test_kernel_properties.py (its docstring has
the profiles: ``TINYTF_HYPOTHESIS=thorough`` for 1000 examples a test); TensorFlow's own rule
applies here: dilations > 1 only with strides 1 (conv2d, depthwise).

Tolerances: a sum of m terms within m * eps * |terms| of the float64 loop (|terms|: the loop on
absolute values), m as in the kernel tests; max pooling exact; batch norm within (32 + M) eps of
its terms (statistics, rsqrt and the backward's closed form, each a few roundings, and sums over
the M rows).
"""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import kernel_loops as L
import tinytf as tf
from tinytf.ops import nn_ops


def _within(got, want, bound, what):
    got = np.asarray(got.numpy() if hasattr(got, "numpy") else got, np.float64)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    err = np.abs(got - want)
    assert not (err > bound).any(), f"{what}: {(err > bound).sum()} off, worst {err.max():.3g}"


def _tf_pad(pad):
    return pad if isinstance(pad, str) else [[0, 0], list(pad[0]), list(pad[1]), [0, 0]]


@st.composite
def op_cases(draw, pool=False):
    hw, k, s, d, pad = draw(L.geometries(dilate=not pool, explicit=not pool))
    if max(d) > 1:
        s = (1, 1)
        p = L.plan(hw, k, s, d, pad)
        if p[0][2] <= 0 or p[1][2] <= 0:
            d = (1, 1)
    return dict(hw=hw, k=k, s=s, d=d, pad=pad, n=draw(st.integers(1, 3)), c=draw(st.integers(1, 17)),
                o=draw(st.integers(1, 5)), dtype=draw(st.sampled_from(L.FLOATS)),
                seed=draw(st.integers(0, 2**32 - 1)))


def _setup(case):
    rng = np.random.default_rng(case["seed"])
    x = L.make(rng, (case["n"],) + case["hw"] + (case["c"],), case["dtype"])
    return rng, x, L.plan(case["hw"], case["k"], case["s"], case["d"], case["pad"])


def _grads(fn, inputs, rng):
    """(y, G, gradients of sum(y * G) w.r.t. inputs)."""
    ts = [tf.constant(a) for a in inputs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = fn(*ts)
        g = L.make(rng, tuple(y.shape), inputs[0].dtype)
        loss = tf.reduce_sum(y * g)
    return y.numpy(), g, tape.gradient(loss, ts)


def test_conv2d(compiled_calls):
    @given(op_cases())
    def check(case):
        rng, x, p = _setup(case)
        s, d = case["s"], case["d"]
        w = L.make(rng, case["k"] + (case["c"], case["o"]), x.dtype)
        y, g, (dx, dw) = _grads(lambda a, b: tf.nn.conv2d(a, b, list(s), _tf_pad(case["pad"]), dilations=list(d)),
                                [x, w], rng)
        e = L.eps(x.dtype)
        kk = case["k"][0] * case["k"][1]
        _within(y, L.conv(x, w, s, d, p), kk * case["c"] * e * L.conv(*L.abs_of(x, w), s, d, p), "conv2d")
        dx_want, dw_want = L.conv_adjoint(x, w, g, s, d, p)
        dx_size, dw_size = L.conv_adjoint(*L.abs_of(x, w, g), s, d, p)
        _within(dx, dx_want, kk * case["o"] * e * dx_size, "conv2d input gradient")
        _within(dw, dw_want, y.shape[0] * y.shape[1] * y.shape[2] * e * dw_size, "conv2d filter gradient")
    check()
    compiled_calls.assert_reached("im2col", "col2im")


def test_conv2d_transpose(compiled_calls):
    """y = conv2d's input gradient for ``output_shape`` = the drawn input: its loop is the adjoint."""
    @given(op_cases())
    def check(case):
        rng, z, p = _setup(case)
        s, d = case["s"], case["d"]
        x = L.make(rng, (case["n"], p[0][2], p[1][2], case["o"]), z.dtype)
        w = L.make(rng, case["k"] + (case["c"], case["o"]), z.dtype)
        y, g, (dx, dw) = _grads(lambda a, b: tf.nn.conv2d_transpose(a, b, list(z.shape), list(s), _tf_pad(case["pad"]),
                                                                     dilations=list(d)), [x, w], rng)
        e = L.eps(z.dtype)
        kk = case["k"][0] * case["k"][1]
        _within(y, L.conv_adjoint(z, w, x, s, d, p)[0], kk * case["o"] * e * L.conv_adjoint(
            np.zeros(z.shape), *L.abs_of(w, x), s, d, p)[0], "conv2d_transpose")
        _within(dx, L.conv(g, w, s, d, p), kk * case["c"] * e * L.conv(*L.abs_of(g, w), s, d, p),
                "conv2d_transpose input gradient")
        _within(dw, L.conv_adjoint(g, w, x, s, d, p)[1], x.shape[0] * x.shape[1] * x.shape[2] * e * L.conv_adjoint(
            *L.abs_of(g, w, x), s, d, p)[1], "conv2d_transpose filter gradient")
    check()
    compiled_calls.assert_reached("im2col", "col2im")


def test_depthwise_conv2d():
    @given(op_cases(), st.integers(1, 3))
    def check(case, mult):
        rng, x, p = _setup(case)
        s, d = case["s"], case["d"]
        w = L.make(rng, case["k"] + (case["c"], mult), x.dtype)
        y, g, (dx, dw) = _grads(lambda a, b: tf.nn.depthwise_conv2d(a, b, [1, s[0], s[1], 1], _tf_pad(case["pad"]),
                                                                     dilations=list(d)), [x, w], rng)
        e = L.eps(x.dtype)
        kk = case["k"][0] * case["k"][1]
        _within(y, L.depthwise(x, w, s, d, p), kk * e * L.depthwise(*L.abs_of(x, w), s, d, p), "depthwise")
        dx_want, dw_want = L.depthwise_adjoint(x, w, g, s, d, p)
        dx_size, dw_size = L.depthwise_adjoint(*L.abs_of(x, w, g), s, d, p)
        _within(dx, dx_want, kk * mult * e * dx_size, "depthwise input gradient")
        _within(dw, dw_want, y.shape[0] * y.shape[1] * y.shape[2] * e * dw_size, "depthwise filter gradient")
    check()


def test_pools(compiled_calls):
    @given(op_cases(pool=True), st.booleans())
    def check(case, ties):
        rng, x, p = _setup(case)
        if ties:
            x = np.round(x)
        k, s = case["k"], case["s"]
        y, g, (dx,) = _grads(lambda a: tf.nn.max_pool2d(a, list(k), list(s), case["pad"]), [x], rng)
        want, arg = L.max_pool(x, k, s, p)
        np.testing.assert_array_equal(y, want.astype(x.dtype))
        _within(dx, L.max_pool_adjoint(g, arg, x.shape, k, s, p),
                k[0] * k[1] * L.eps(x.dtype) * L.max_pool_adjoint(*L.abs_of(g), arg, x.shape, k, s, p), "max pool gradient")
        y, g, (dx,) = _grads(lambda a: tf.nn.avg_pool2d(a, list(k), list(s), case["pad"]), [x], rng)
        e = (k[0] * k[1] + 2) * L.eps(x.dtype)
        _within(y, L.avg_pool(x, k, s, p), e * L.avg_pool(*L.abs_of(x), k, s, p), "avg pool")
        _within(dx, L.avg_pool_adjoint(g, x.shape, k, s, p), e * L.avg_pool_adjoint(*L.abs_of(g), x.shape, k, s, p),
                "avg pool gradient")
    check()
    compiled_calls.assert_reached("max_pool_fwd_argmax", "max_pool_bwd_argmax")


@st.composite
def channel_cases(draw):
    dims = (draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 17)))
    return dict(dims=dims, dtype=draw(st.sampled_from(L.FLOATS)), seed=draw(st.integers(0, 2**32 - 1)),
                scale=draw(st.floats(0.2, 4)), offset=draw(st.floats(-2, 2)))


def test_batch_norm_bias_relu(compiled_calls):
    @given(channel_cases())
    def check(case):
        rng = np.random.default_rng(case["seed"])
        dt, c = case["dtype"], case["dims"][-1]
        x = L.make(rng, case["dims"], dt, scale=case["scale"], offset=case["offset"] * case["scale"])
        gamma, beta = L.make(rng, (c,), dt), L.make(rng, (c,), dt)
        eps = 1e-3
        y, g, (dx, dgamma, dbeta) = _grads(lambda a, b, bb: nn_ops.fused_batch_norm(a, b, bb, eps, True)[0],
                                           [x, gamma, beta], rng)
        x2, g2 = x.reshape(-1, c).astype(np.float64), g.reshape(-1, c).astype(np.float64)
        m = x2.shape[0]
        mean, var = x2.mean(0), ((x2 - x2.mean(0)) ** 2).mean(0)
        rstd = 1 / np.sqrt(var + eps)
        xhat = (x2 - mean) * rstd
        gam = gamma.astype(np.float64)
        # 32 roundings, and m for sums over the rows; the statistics' error moves rstd and xhat
        e = (32 + m) * L.eps(dt) * (1 + (x2 ** 2).mean(0) * rstd ** 2)
        # y = x * inv + (beta - mean * inv) (TensorFlow's form): its terms are x * inv and mean * inv
        inv = np.abs(gam * rstd)
        _within(y.reshape(-1, c), xhat * gam + beta, e * (np.abs(x2) * inv + np.abs(mean) * inv + np.abs(beta)),
                "batch norm")
        sgx = np.abs(g2 * xhat).sum(0)
        dx_size = np.abs(gam) * rstd * (np.abs(g2) + np.abs(g2).sum(0) / m + np.abs(xhat) * sgx / m)
        _within(dx.numpy().reshape(-1, c), gam * rstd / m * (m * g2 - g2.sum(0) - xhat * (g2 * xhat).sum(0)),
                e * dx_size, "batch norm input gradient")
        _within(dgamma, (g2 * xhat).sum(0), e * sgx, "batch norm gamma gradient")
        _within(dbeta, g2.sum(0), m * L.eps(dt) * np.abs(g2).sum(0), "batch norm beta gradient")
        for fn in (lambda a, b: tf.nn.relu(tf.nn.bias_add(a, b)), nn_ops.bias_add_relu):
            y, g, (dx, db) = _grads(fn, [x, beta], rng)
            np.testing.assert_array_equal(y, np.maximum(x + beta, dt(0)))
            np.testing.assert_array_equal(dx, np.where(y > 0, g, dt(0)))
            gb = np.where(y > 0, g, 0).reshape(-1, c).astype(np.float64)
            _within(db, gb.sum(0), m * L.eps(dt) * np.abs(gb).sum(0), "bias gradient")
    check()
    compiled_calls.assert_reached("wide_sums", "wide_scale_shift", "wide_bn_sums", "wide_bn_dx", "wide_bias_relu",
                                  "relu_bwd")
