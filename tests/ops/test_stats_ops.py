"""reduce_variance / reduce_std / l2_normalize / roll against TF 2.21 (tests/fixtures/record_tf_stats19.py),
values and gradients; roll's hand-written gradient also against finite differences."""
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "stats19.npz"))
CASES = {"var_all": lambda t: tf.math.reduce_variance(t), "var_1": lambda t: tf.math.reduce_variance(t, 1),
         "std_02k": lambda t: tf.math.reduce_std(t, [0, 2], keepdims=True),
         "std_m1": lambda t: tf.math.reduce_std(t, -1),
         "l2_m1": lambda t: tf.math.l2_normalize(t, -1), "l2_all": lambda t: tf.math.l2_normalize(t),
         "l2_01": lambda t: tf.nn.l2_normalize(t, [0, 1]),
         "roll_1": lambda t: tf.roll(t, 2, 1), "roll_multi": lambda t: tf.roll(t, shift=[-1, 7], axis=[0, 2])}


@pytest.mark.parametrize("key", list(CASES))
def test_values_and_gradients_match_tensorflow(key):
    up = FIX["up"]
    v = tf.Variable(FIX["x"])
    with tf.GradientTape() as tape:
        y = CASES[key](v)
        w = up[tuple(slice(0, d) for d in y.shape)] if len(y.shape) == 3 else \
            up.ravel()[:int(np.prod(y.shape))].reshape(tuple(y.shape))
        loss = tf.reduce_sum(y * w)
    exact = key.startswith("roll")
    ulps = 0 if exact else 8  # sums in another order, sqrt/rsqrt
    np.testing.assert_array_max_ulp(y.numpy(), FIX[key], maxulp=ulps)
    g = tape.gradient(loss, v).numpy()
    if exact:
        np.testing.assert_array_equal(g, FIX[key + "_grad"])
    else:
        np.testing.assert_allclose(g, FIX[key + "_grad"], rtol=1e-5, atol=1e-6)


def test_roll_gradient_against_finite_differences():
    x = np.random.default_rng(0).standard_normal((3, 5))
    assert_grad(lambda t: tf.roll(t, [1, -2], [0, 1]), x)


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="floating-point"):
        tf.math.reduce_std(tf.constant([1, 2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same length"):
        tf.roll(tf.zeros((2, 2)), [1, 2], [0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.roll(tf.zeros((2, 2)), 1, 2)
