"""distribute/sync_bn.py: the communicator and the gradient weight are bound when the op runs, so
the gradient is taken without any replica context; over one process it is fused batch norm."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.distribute.comm import LocalComm
from tinytf.distribute.sync_bn import sync_batch_norm
from tinytf.ops import nn_ops


@pytest.mark.parametrize("weight", [1.0, 0.25])
def test_one_process_is_fused_batch_norm_with_the_weight_bound_at_op_time(weight):
    gen = np.random.default_rng(0)
    x = tf.constant(gen.standard_normal((6, 3, 3, 4)).astype(np.float64))
    gamma = tf.Variable(gen.standard_normal(4))
    beta = tf.Variable(gen.standard_normal(4))
    g = gen.standard_normal((6, 3, 3, 4))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y, mean, var = sync_batch_norm(x, gamma, beta, 1e-3, LocalComm(), weight)
        y_ref, mean_ref, var_ref = nn_ops.fused_batch_norm(x, gamma, beta, 1e-3, True)
        loss, loss_ref = tf.reduce_sum(y * g), tf.reduce_sum(y_ref * g)
    np.testing.assert_allclose(y.numpy(), y_ref.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mean, np.asarray(mean_ref), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var, np.asarray(var_ref), rtol=1e-12, atol=1e-12)
    # taken here, outside any strategy.run: the op needs no replica context at gradient time
    for a, b in zip(tape.gradient(loss, [x, gamma, beta]), tape.gradient(loss_ref, [x, gamma, beta])):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12)


class _Recording(LocalComm):
    def __init__(self):
        self.sums = []

    def sum_arrays(self, arrays, what="sum"):
        self.sums.append((what, [np.array(a, copy=True) for a in arrays]))
        return super().sum_arrays(arrays, what)


def test_the_backward_sums_use_the_weight_bound_at_op_time():
    gen = np.random.default_rng(1)
    x = tf.constant(gen.standard_normal((4, 2, 2, 3)).astype(np.float64))
    comm = _Recording()
    with tf.GradientTape() as tape:
        tape.watch(x)
        y, _, _ = sync_batch_norm(x, None, None, 1e-3, comm, 0.25)
        loss = tf.reduce_sum(y * y)
    tape.gradient(loss, x)  # no replica context here
    (what_f, _), (what_b, (tot_g, tot_gx)) = comm.sums
    assert what_f == "the batch-norm statistics" and what_b == "the batch-norm gradient"
    g = 2 * y.numpy().reshape(-1, 3)
    np.testing.assert_allclose(tot_g, 0.25 * g.sum(axis=0), rtol=1e-12, atol=1e-12)
