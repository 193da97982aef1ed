"""Batch-normalisation arithmetic over the last axis of an array viewed as [M, C].

Reductions over all but the channel axis are done as ``ones @ x2d`` (a BLAS matrix-vector
product): several times faster than ``x.sum(axis=(0, 1, 2))`` for few channels.
"""
from ..backend import xp
from . import fast


def channel_sum(x2d):
    """Sum over rows of an [M, C] array."""
    return xp.ones(x2d.shape[0], dtype=x2d.dtype) @ x2d


def channel_moments(x2d):
    """(mean, biased variance) per column of an [M, C] array, variance as E[(x - mean)^2]."""
    if fast.enabled():
        return fast.channel_moments(x2d)
    m = x2d.shape[0]
    mean = channel_sum(x2d) / m
    d = x2d - mean
    return mean, channel_sum(d * d) / m


def normalize(x, mean, var, gamma, beta, eps):
    """y = (x - mean) * gamma / sqrt(var + eps) + beta, computed as TensorFlow's
    ``batch_normalization`` does: ``x * inv + (beta - mean * inv)`` with ``inv = gamma * rsqrt``."""
    if fast.enabled():
        return fast.normalize(x, mean, var, gamma, beta, eps)
    inv = 1.0 / xp.sqrt(var + eps)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv if beta is None else beta - mean * inv
    return x * inv + shift


def batch_norm_train_backward(g2d, x2d, mean, var, gamma, eps):
    """Gradients of the training-mode batch norm (statistics from the batch) -> (dx, dgamma, dbeta).

    Uses the closed form dx = gamma*rstd/M * (M*g - sum(g) - xhat*sum(g*xhat)).
    """
    if fast.enabled():
        return fast.batch_norm_train_backward(g2d, x2d, mean, var, gamma, eps)
    m = x2d.shape[0]
    rstd = 1.0 / xp.sqrt(var + eps)
    xhat = (x2d - mean) * rstd
    dbeta = channel_sum(g2d)
    dgamma = channel_sum(g2d * xhat)
    scale = rstd if gamma is None else gamma * rstd
    dx = (g2d - dbeta / m - xhat * (dgamma / m)) * scale
    return dx, dgamma, dbeta


def channel_add(x, b):
    """x + b for a per-channel vector b over the last axis of x (``bias_add``'s forward)."""
    if fast.enabled() and x.ndim >= 2 and x.size and x.dtype == b.dtype:
        return fast.bias_add(x, b)
    return x + b
