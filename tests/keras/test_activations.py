"""``keras.activations.gelu`` and ``activation='gelu'`` (TensorFlow's erf form by default; the
numbers against TensorFlow are tests/keras/ops/test_keras_fixture.py's gelu cases)."""
import math

import numpy as np

import tinytf as tf
from tinytf.keras import activations, ops


def test_gelu_activation_is_the_exact_form():
    x = np.linspace(-4, 4, 33).astype(np.float32)
    np.testing.assert_array_equal(activations.gelu(x).numpy(), tf.nn.gelu(x).numpy())
    np.testing.assert_array_equal(activations.gelu(x).numpy(), ops.gelu(x, approximate=False).numpy())
    np.testing.assert_array_equal(activations.gelu(x, approximate=True).numpy(), ops.gelu(x).numpy())
    ref = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in x.astype(float)])
    np.testing.assert_allclose(activations.gelu(x).numpy(), ref, rtol=3e-7, atol=1e-7)


def test_gelu_by_name_in_a_layer():
    assert activations.get("gelu") is activations.gelu
    assert activations.serialize(activations.gelu) == "gelu"
    tf.random.set_seed(1)
    layer = tf.keras.layers.Dense(3, activation="gelu")
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    y = layer(x)
    pre = x @ layer.kernel.numpy() + layer.bias.numpy()
    np.testing.assert_array_equal(y.numpy(), tf.nn.gelu(pre).numpy())
    assert layer.get_config()["activation"] == "gelu"
