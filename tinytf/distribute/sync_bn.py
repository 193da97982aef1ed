"""Synchronized batch norm: statistics over the global batch (``BatchNormalization(synchronized=True)``).

Forward: each replica sums ``x`` and ``x*x`` per channel in float64 with its row count; the sums
are added over the replicas (in rank order) and give the global mean and biased variance. Backward:
the per-channel sums of ``g`` and ``g * xhat`` are added the same way, so ``dx`` is the one-worker
gradient over the global batch. ``gamma`` / ``beta`` gradients stay local: the optimizer sums them
over the replicas like every other gradient.

``fit`` computes each replica's loss as a mean over its own ``n_r`` rows and weights its gradients
by ``w = n_r / n`` before summing them; the true upstream gradient is then ``w * g``, which is what
the global sums use (``dx`` is returned divided by ``w`` again, so the weighting stays in one place).
The communicator and ``w`` are bound when the op runs (``training.py: sync_batch_norm_op``), not
looked up when the gradient is taken.
"""
import numpy as np

from ..ops.core import as_tensor
from ..tape import record


def sync_batch_norm(x, gamma, beta, epsilon, comm, grad_weight):
    """``(y, mean, variance)`` over the last axis of ``x`` with the global batch's statistics, summed
    over the replicas of ``comm``; ``grad_weight`` is this replica's weight ``w`` of its gradients."""
    x = as_tensor(x)
    xv = x._v
    c = xv.shape[-1]
    x2 = xv.reshape(-1, c)
    x64 = x2.astype(np.float64)
    s1, s2, n = comm.sum_arrays([x64.sum(axis=0), np.einsum("ij,ij->j", x64, x64),
                                 np.array([x2.shape[0]], np.float64)], "the batch-norm statistics")
    count = n[0]
    mean64 = s1 / count
    var64 = np.maximum(s2 / count - mean64 * mean64, 0.0)
    dt = xv.dtype
    mean, var = mean64.astype(dt), var64.astype(dt)
    eps = dt.type(epsilon)
    rstd = (1.0 / np.sqrt(var64 + float(eps))).astype(dt)
    gv = None if gamma is None else np.asarray(gamma)
    bv = None if beta is None else np.asarray(beta)
    scale = rstd if gv is None else gv * rstd
    shift = -mean * scale if bv is None else bv - mean * scale
    y = xv * scale + shift
    params = [p for p in (gamma, beta) if p is not None]

    def backward(g, v, o, wanted):
        w = grad_weight
        g2 = g.reshape(-1, c).astype(np.float64)
        xhat = (x64 - mean64) * rstd.astype(np.float64)
        sum_g, sum_gx = g2.sum(axis=0), np.einsum("ij,ij->j", g2, xhat)
        tot_g, tot_gx = comm.sum_arrays([sum_g * w, sum_gx * w], "the batch-norm gradient")
        dx = (scale.astype(np.float64) / w) * (g2 * w - tot_g / count - xhat * (tot_gx / count))
        grads = [dx.astype(dt).reshape(o.shape)]
        grads += [sum_gx.astype(dt)] if gamma is not None else []
        grads += [sum_g.astype(dt)] if beta is not None else []
        return tuple(grads)
    return record("SyncBatchNorm", y, (x, *params), backward), mean, var
