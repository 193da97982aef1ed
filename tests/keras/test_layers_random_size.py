"""keras.layers.RandomHeight / RandomWidth: with a fixed factor, the resize equals tf.keras's
(TF 2.21, tests/fixtures/layers19.npz); seeded draws repeat; identity outside training; checks."""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import layers

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "layers19.npz")
with np.load(FIXTURE, allow_pickle=False) as _d:
    ARR = {k: _d[k] for k in _d.files if k != "meta"}
X = ARR["random_height/x"]


@pytest.mark.parametrize("key, layer", [
    ("random_height/y", lambda: layers.RandomHeight((0.5, 0.5))),
    ("random_height/y_nearest", lambda: layers.RandomHeight((-0.4, -0.4), interpolation="nearest")),
    ("random_width/y", lambda: layers.RandomWidth((0.3, 0.3))),
    ("random_width/y_bicubic", lambda: layers.RandomWidth((-0.5, -0.5), interpolation="bicubic"))])
def test_fixed_factor_matches_tf_keras(key, layer):
    y = layer()(X, training=True)
    assert y.shape == ARR[key].shape
    # values up to 255 through the resize kernels: within 2 ulp of 255
    np.testing.assert_allclose(y.numpy(), ARR[key], rtol=0, atol=2 * np.spacing(np.float32(255)))


def test_seeded_draws_repeat_and_stay_in_range():
    sizes = []
    for _ in range(2):
        tf.random.set_seed(3)
        layer = layers.RandomWidth(0.5, seed=7)
        sizes.append([layer(X, training=True).shape[2] for _ in range(5)])
    assert sizes[0] == sizes[1]
    assert all(4 <= s <= 13 for s in sizes[0]) and len(set(sizes[0])) > 1
    layer = layers.RandomHeight(0.2)
    assert layer(X).shape == X.shape and np.array_equal(layer(X).numpy(), X)
    assert tuple(layer.compute_output_shape((None, 7, 9, 3))) == (None, None, 9, 3)
    assert layers.RandomHeight.from_config(layer.get_config()).factor == 0.2


def test_in_a_model_for_training():
    model = tf.keras.Sequential([layers.RandomHeight(0.3, seed=1), layers.RandomWidth(0.3, seed=2),
                                 layers.Resizing(8, 8), layers.Flatten(), layers.Dense(2)])
    model.compile("sgd", "mse")
    model.fit(X, np.zeros((2, 2), np.float32), epochs=1, verbose=0)
    assert model.predict(X, verbose=0).shape == (2, 2)


def test_argument_checks():
    with pytest.raises(ValueError, match="upper bound lesser"):
        layers.RandomHeight((0.3, 0.1))
    with pytest.raises(ValueError, match="larger than -1"):
        layers.RandomWidth((-1.5, 0.1))
    with pytest.raises(ValueError, match="interpolation"):
        layers.RandomWidth(0.1, interpolation="cubic")
    with pytest.raises(ValueError, match="factor"):
        layers.RandomHeight("0.1")
