"""tf.custom_gradient: the value is f's, the gradient grad_fn's (TensorFlow's log1pexp example
stays finite where the plain gradient is NaN; a gradient-reversal layer flips the sign), through
a Keras model, with a second-order tape, and a clear error for a wrong number of gradients."""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad


@tf.custom_gradient
def log1pexp(x):
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))
    return tf.math.log(1 + e), grad


@tf.custom_gradient
def reverse(x):
    return tf.identity(x), lambda dy: -dy


def test_the_gradient_is_grad_fns():
    x = tf.constant([0.0, 2.0, 100.0])
    with tf.GradientTape() as tape, np.errstate(over="ignore"):  # exp(100) is inf in float32, as in TF
        tape.watch(x)
        y = log1pexp(x)
    np.testing.assert_allclose(y.numpy()[:2], np.log1p(np.exp([0.0, 2.0])), rtol=1e-6)
    g = tape.gradient(y, x).numpy()
    assert np.all(np.isfinite(g)) and g[2] == 1.0
    np.testing.assert_allclose(g[:2], 1 / (1 + np.exp(-np.array([0.0, 2.0]))), rtol=1e-6)
    assert_grad(lambda t: log1pexp(t) ** 2, np.array([-1.0, 0.5, 3.0]))


def test_gradient_reversal_in_a_model_and_second_order():
    dense = tf.keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)
    x = np.ones((2, 3), np.float32)
    with tf.GradientTape(persistent=True) as tape:
        plain = tf.reduce_sum(dense(x))
        flipped = tf.reduce_sum(reverse(dense(x)))
    np.testing.assert_array_equal(tape.gradient(flipped, dense.kernel).numpy(),
                                  -tape.gradient(plain, dense.kernel).numpy())
    x = tf.constant(1.5, tf.float64)

    @tf.custom_gradient
    def cube(t):
        return t ** 3, lambda dy: dy * 3 * t ** 2
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        dy = inner.gradient(y, x)
    assert float(dy.numpy()) == pytest.approx(3 * 1.5 ** 2)
    assert float(outer.gradient(dy, x).numpy()) == pytest.approx(6 * 1.5)


def test_wrong_number_of_gradients():
    @tf.custom_gradient
    def two(a, b):
        return a * b, lambda dy: dy * b
    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = two(a, b)
    with pytest.raises(ValueError, match="returned 1 gradients for 2 arguments"):
        tape.gradient(y, a)
