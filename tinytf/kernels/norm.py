"""Batch-normalisation arithmetic over the last axis of an array viewed as [M, C].

Reductions over all but the channel axis view the [M, C] array as [M/k, k*C] (k rows side by
side, ``wide``), sum its columns in float64 and fold the k partial sums of each channel
(``fold``): long contiguous rows, one pass, no temporaries. On LeNet and VGG shapes this is 4-60x
faster than ``ones @ x2d`` (a BLAS matrix-vector product, 4 ms for [65536, 64] on a 2-core EPYC)
and than ``x2d.sum(axis=0)``. The per-channel factors (``inv_std``, ``scale_shift``,
``grad_scale``) are public so that every implementation of these kernels listed in the kernel
table uses the same formulas.
"""
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=64)
def _width(m, c):
    """The k <= 1024 // c dividing m with the longest row k * c."""
    for k in range(max(1, min(m, 1024 // max(c, 1))), 0, -1):
        if m % k == 0:
            return k
    return 1


def wide(x2d):
    """(x2d viewed as [M/k, k*C], k); a copy only when x2d is not C-contiguous."""
    m, c = x2d.shape
    k = _width(m, c)
    return np.ascontiguousarray(x2d).reshape(m // k, k * c), k


def fold(acc, c):
    """Per-channel totals of a row of k*C partial sums."""
    return acc.reshape(-1, c).sum(axis=0)


def channel_sum(x2d):
    """Sum over rows of an [M, C] array (accumulated in float64), in x2d's dtype."""
    if x2d.dtype.kind != "f" or x2d.size == 0:
        return x2d.sum(axis=0)
    xw, _ = wide(x2d)
    return fold(xw.sum(axis=0, dtype=np.float64), x2d.shape[1]).astype(x2d.dtype, copy=False)


def channel_moments(x2d):
    """(mean, biased variance) per column of an [M, C] array, variance as E[(x - mean)^2]."""
    m = x2d.shape[0]
    mean = channel_sum(x2d) / m
    d = x2d - mean
    return mean, channel_sum(d * d) / m


def inv_std(var, eps):
    """1 / sqrt(var + eps)."""
    return 1.0 / np.sqrt(var + eps)


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
