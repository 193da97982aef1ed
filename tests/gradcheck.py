"""Gradient checks shared by the op tests: tape gradients against central finite differences."""
import numpy as np

import tinytf as tf


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of sum(f(x)) w.r.t. the float64 array ``x``."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        orig = x[i]
        x[i] = orig + eps
        fp = np.sum(f(tf.constant(x)).numpy())
        x[i] = orig - eps
        fm = np.sum(f(tf.constant(x)).numpy())
        x[i] = orig
        g[i] = (fp - fm) / (2 * eps)
    return g


def tape_grad(f, x):
    """d sum(f(x)) / dx by GradientTape, x as a float64 constant."""
    t = tf.constant(np.asarray(x, dtype=np.float64))
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = f(t)
    return tape.gradient(y, t)


def assert_grad(f, x, atol=1e-6):
    """The tape gradient exists, is float64 of x's shape and matches finite differences."""
    g = tape_grad(f, x)
    assert g is not None, "gradient is None"
    assert g.dtype == tf.float64 and g.shape == np.shape(x)
    np.testing.assert_allclose(g.numpy(), numeric_grad(f, x), rtol=1e-5, atol=atol)


def fd_inplace(f, a, eps=1e-6):
    """Central finite differences of the scalar ``f()`` w.r.t. the array ``a``, which ``f``
    reads and which is perturbed in place (for kernel tests on plain arrays)."""
    grad = np.zeros_like(a)
    flat, gflat = a.reshape(-1), grad.reshape(-1)
    for idx in range(flat.size):
        old = flat[idx]
        flat[idx] = old + eps
        up = f()
        flat[idx] = old - eps
        down = f()
        flat[idx] = old
        gflat[idx] = (up - down) / (2 * eps)
    return grad
