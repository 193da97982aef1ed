"""Batch-normalisation arithmetic over the last axis of an array viewed as [M, C].

Reductions over all but the channel axis are done as ``ones @ x2d`` (a BLAS matrix-vector
product): several times faster than ``x.sum(axis=(0, 1, 2))`` for few channels. The per-channel
factors (``inv_std``, ``scale_shift``, ``grad_scale``) are public so that every implementation
of these kernels listed in the kernel table uses the same formulas.
"""
from ..backend import xp


def channel_sum(x2d):
    """Sum over rows of an [M, C] array."""
    return xp.ones(x2d.shape[0], dtype=x2d.dtype) @ x2d


def channel_moments(x2d):
    """(mean, biased variance) per column of an [M, C] array, variance as E[(x - mean)^2]."""
    m = x2d.shape[0]
    mean = channel_sum(x2d) / m
    d = x2d - mean
    return mean, channel_sum(d * d) / m


def inv_std(var, eps):
    """1 / sqrt(var + eps)."""
    return 1.0 / xp.sqrt(var + eps)


def scale_shift(mean, var, gamma, beta, eps):
    """(inv, shift) with ``normalize(x) == x * inv + shift``: TensorFlow's ``batch_normalization``
    form, ``inv = gamma * rsqrt(var + eps)``, ``shift = beta - mean * inv``."""
    inv = inv_std(var, eps)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv if beta is None else beta - mean * inv
    return inv, shift


def normalize(x, mean, var, gamma, beta, eps):
    """y = (x - mean) * gamma / sqrt(var + eps) + beta, computed as ``x * inv + shift``."""
    inv, shift = scale_shift(mean, var, gamma, beta, eps)
    return x * inv + shift


def grad_scale(rstd, gamma):
    """The per-channel factor of dx: gamma * rstd (rstd without gamma)."""
    return rstd if gamma is None else gamma * rstd


def batch_norm_train_backward(g2d, x2d, mean, var, gamma, eps):
    """Gradients of the training-mode batch norm (statistics from the batch) -> (dx, dgamma, dbeta).

    Uses the closed form dx = gamma*rstd/M * (M*g - sum(g) - xhat*sum(g*xhat)).
    """
    m = x2d.shape[0]
    rstd = inv_std(var, eps)
    xhat = (x2d - mean) * rstd
    dbeta = channel_sum(g2d)
    dgamma = channel_sum(g2d * xhat)
    dx = (g2d - dbeta / m - xhat * (dgamma / m)) * grad_scale(rstd, gamma)
    return dx, dgamma, dbeta


def channel_add(x, b):
    """x + b for a per-channel vector b over the last axis of x (``bias_add``'s forward)."""
    return x + b
