"""Batch-norm arithmetic (kernels/norm.py via the table) against NumPy and finite differences."""
import numpy as np
import pytest

from gradcheck import fd_inplace as _fd
from tinytf.kernels import table as K  # norm.py's kernels as the ops get them (NumPy or Numba)

SHAPES = [(2, 3, 4, 3), (1, 5, 5, 1), (4, 1, 1, 2), (3, 2, 7, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_channel_sum(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(K.channel_sum(x.reshape(-1, shape[-1])), x.sum(axis=(0, 1, 2)),
                               rtol=1e-12, atol=1e-12)


def test_channel_sum_float32_accumulates_in_float64():
    """Many float32 rows: the float64 sum, rounded once (a float32 running sum drifts)."""
    x = np.random.default_rng(3).random((200003, 3), dtype=np.float32) + np.float32(1000)
    want = x.astype(np.float64).sum(axis=0)
    got = K.channel_sum(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-7)
    assert np.abs(x.sum(axis=0, dtype=np.float32) - want).max() > np.abs(got - want).max()


@pytest.mark.parametrize("shape", SHAPES)
def test_channel_moments_match_numpy(shape):
    x = np.random.default_rng(1).standard_normal(shape) * 3.0 + 5.0
    mean, var = K.channel_moments(x.reshape(-1, shape[-1]))
    assert mean.shape == var.shape == (shape[-1],)
    np.testing.assert_allclose(mean, np.mean(x, axis=(0, 1, 2)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var, np.var(x, axis=(0, 1, 2)), rtol=1e-12, atol=1e-12)


def test_channel_moments_large_offset_is_two_pass():
    # E[(x - mean)^2], not E[x^2] - mean^2: no catastrophic cancellation
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((1000, 2)) * 1e-3 + 1e4)
    _, var = K.channel_moments(x)
    np.testing.assert_allclose(var, np.var(x, axis=0), rtol=1e-6)
    assert np.all(var > 0)


def test_channel_moments_float32():
    x = np.random.default_rng(3).standard_normal((64, 3)).astype(np.float32)
    mean, var = K.channel_moments(x)
    assert mean.dtype == np.float32 and var.dtype == np.float32
    np.testing.assert_allclose(var, np.var(x.astype(np.float64), axis=0), rtol=1e-5)


def _textbook(x, mean, var, gamma, beta, eps):
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


@pytest.mark.parametrize("use_gamma", [True, False])
@pytest.mark.parametrize("use_beta", [True, False])
def test_normalize_matches_textbook(use_gamma, use_beta):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4, 3)) * 2 + 1
    mean = rng.standard_normal(3)
    var = rng.random(3) + 0.5
    gamma = rng.standard_normal(3) if use_gamma else None
    beta = rng.standard_normal(3) if use_beta else None
    y = K.normalize(x, mean, var, gamma, beta, 1e-3)
    assert y.shape == x.shape
    np.testing.assert_allclose(y, _textbook(x, mean, var, gamma, beta, 1e-3), rtol=1e-12, atol=1e-12)


def test_normalize_batch_statistics_give_unit_moments():
    x = np.random.default_rng(5).standard_normal((50, 4)) * 7 - 3
    mean, var = K.channel_moments(x)
    y = K.normalize(x, mean, var, None, None, 0.0)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1.0, rtol=1e-12)


def test_normalize_float32():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 3, 2)).astype(np.float32)
    mean = x.mean(axis=(0, 1, 2))
    var = x.var(axis=(0, 1, 2))
    gamma = np.array([1.5, -0.5], np.float32)
    beta = np.array([0.1, 0.2], np.float32)
    y = K.normalize(x, mean, var, gamma, beta, 1e-3)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, _textbook(x.astype(np.float64), mean, var, gamma, beta, 1e-3),
                               rtol=1e-5, atol=1e-5)


def _train_loss(x2d, gamma, beta, g2d, eps):
    mean = x2d.mean(axis=0)
    var = x2d.var(axis=0)
    return float(np.sum(K.normalize(x2d, mean, var, gamma, beta, eps) * g2d))


@pytest.mark.parametrize("shape,eps", [((2, 3, 2, 3), 1e-3), ((1, 4, 4, 2), 1e-5), ((5, 1, 1, 4), 0.1)])
def test_batch_norm_train_backward_matches_finite_differences(shape, eps):
    rng = np.random.default_rng(7)
    c = shape[-1]
    x2d = (rng.standard_normal(shape) * 2 + 0.5).reshape(-1, c)
    gamma = rng.standard_normal(c)
    beta = rng.standard_normal(c)
    g2d = rng.standard_normal(x2d.shape)
    loss = lambda: _train_loss(x2d, gamma, beta, g2d, eps)  # noqa: E731
    dx_fd, dgamma_fd, dbeta_fd = _fd(loss, x2d), _fd(loss, gamma), _fd(loss, beta)

    mean, var = K.channel_moments(x2d)
    dx, dgamma, dbeta = K.batch_norm_train_backward(g2d, x2d, mean, var, gamma, eps)
    assert dx.shape == x2d.shape and dgamma.shape == dbeta.shape == (c,)
    np.testing.assert_allclose(dx, dx_fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dgamma, dgamma_fd, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dbeta, dbeta_fd, rtol=1e-6, atol=1e-7)


def test_batch_norm_train_backward_without_gamma():
    rng = np.random.default_rng(8)
    x2d = rng.standard_normal((12, 3))
    g2d = rng.standard_normal((12, 3))
    eps = 1e-3
    loss = lambda: _train_loss(x2d, None, None, g2d, eps)  # noqa: E731
    dx_fd = _fd(loss, x2d)
    mean, var = K.channel_moments(x2d)
    dx, dgamma, dbeta = K.batch_norm_train_backward(g2d, x2d, mean, var, None, eps)
    np.testing.assert_allclose(dx, dx_fd, rtol=1e-5, atol=1e-7)
    dx1, dgamma1, dbeta1 = K.batch_norm_train_backward(g2d, x2d, mean, var, np.ones(3), eps)
    np.testing.assert_allclose(dx, dx1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dgamma, dgamma1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dbeta, dbeta1, rtol=1e-12, atol=1e-12)


def test_batch_norm_train_backward_properties():
    # dx sums to zero per channel and is orthogonal to xhat (the batch statistics absorb shifts/scales)
    rng = np.random.default_rng(9)
    x2d = rng.standard_normal((20, 3)) * 3 + 1
    g2d = rng.standard_normal((20, 3))
    mean, var = K.channel_moments(x2d)
    dx, _, _ = K.batch_norm_train_backward(g2d, x2d, mean, var, rng.standard_normal(3), 1e-3)
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)
    xhat = (x2d - mean) / np.sqrt(var + 1e-3)
    np.testing.assert_allclose((dx * xhat).sum(axis=0), 0.0, atol=1e-3 * np.abs(dx).sum())


def test_batch_norm_train_backward_float32():
    rng = np.random.default_rng(10)
    x2d = rng.standard_normal((16, 2)).astype(np.float32)
    g2d = rng.standard_normal((16, 2)).astype(np.float32)
    mean, var = K.channel_moments(x2d)
    gamma = np.array([1.0, 2.0], np.float32)
    dx, dgamma, dbeta = K.batch_norm_train_backward(g2d, x2d, mean, var, gamma, 1e-3)
    assert dx.dtype == dgamma.dtype == dbeta.dtype == np.float32
    dx64, dg64, db64 = K.batch_norm_train_backward(
        g2d.astype(np.float64), x2d.astype(np.float64), mean.astype(np.float64),
        var.astype(np.float64), gamma.astype(np.float64), 1e-3)
    np.testing.assert_allclose(dx, dx64, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dgamma, dg64, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dbeta, db64, rtol=1e-4, atol=1e-5)
