"""Activation gradient kernels (kernels/activation.py via the table) against slow loops."""
import numpy as np
import pytest

from tinytf.kernels import activation, table


def relu_grad_ref(g, out):
    dx = np.zeros(g.shape, g.dtype)
    for i in np.ndindex(*g.shape):
        dx[i] = g[i] if out[i] > 0 else 0.0
    return dx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4, 5, 2), (6, 7), (5,)])
def test_relu_backward_matches_loops(shape, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    x.flat[::4] = 0.0
    x.flat[1::7] = np.nan
    out = np.maximum(x, dtype(0))
    g = rng.standard_normal(shape).astype(dtype)
    g.flat[::3] = -0.0
    want = relu_grad_ref(g, out)
    for fn in (activation.relu_backward, table.relu_backward):
        got = fn(g, out)
        assert got.dtype == dtype and got.shape == shape
        assert got.tobytes() == want.tobytes()  # +0 where blocked, g's own bits (-0 too) elsewhere


def test_both_paths_bitwise_alike():
    pytest.importorskip("numba")
    from tinytf.kernels import fast
    rng = np.random.default_rng(1)
    out = np.maximum(rng.standard_normal((64, 13, 13, 6)).astype(np.float32), 0)
    g = rng.standard_normal(out.shape).astype(np.float32)
    assert fast.relu_backward(g, out).tobytes() == activation.relu_backward(g, out).tobytes()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_backward_bit_mask_is_where(dtype):
    """The reference's bit-mask AND gives ``where(out > 0, g, 0)`` bit for bit: NaN, inf and
    signed zeros in g and out, strided views, a broadcast g (falls back to where)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((40, 9)).astype(dtype)
    x.flat[::5], x.flat[1::6], x.flat[2::9], x.flat[3::11] = np.nan, 0.0, -0.0, np.inf
    out = np.maximum(x, dtype(0))
    g = rng.standard_normal(x.shape).astype(dtype)
    g.flat[::4], g.flat[1::13], g.flat[2::17] = -0.0, np.nan, -np.inf
    for gg, oo in ((g, out), (g[:, ::2], out[:, ::2]), (g.T, out.T), (g[:1], out)):
        want = np.where(oo > 0, gg, dtype(0))
        assert activation.relu_backward(gg, oo).tobytes() == want.tobytes()
        assert activation.masked(gg, oo > 0).tobytes() == want.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4, 5, 2), (6, 7), (5,)])
def test_bias_relu_matches_loops(shape, dtype):
    """relu(x + b) on both paths: the bits of the two separate ops (NaN passes, -0 becomes +0,
    as NumPy's ``maximum(-0, 0)`` gives)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(dtype)
    b = rng.standard_normal(shape[-1]).astype(dtype)
    x.flat[1::7] = np.nan
    x[..., 0], b[0] = -0.0, -0.0  # -0 + -0 = -0
    want = np.empty_like(x)
    for i in np.ndindex(*shape):
        v = x[i] + b[i[-1]]
        want[i] = v if (v > 0 or v != v) else 0.0
    for fn in (activation.bias_relu, table.bias_relu):
        got = fn(x, b)
        assert got.dtype == dtype and got.shape == shape
        assert got.tobytes() == want.tobytes()
        assert got.tobytes() == np.maximum(x + b, dtype(0)).tobytes()
