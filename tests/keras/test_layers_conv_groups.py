"""Conv2D(groups=...) against Keras 3 (tests/fixtures/record_tf_groups.py): outputs and gradients,
Keras's divisibility checks, config, and Conv1D / Conv2DTranspose untouched."""
import json
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_conv_groups.npz"))
CASES = json.loads(str(FIX["cases"]))


@pytest.mark.parametrize("key", sorted(CASES))
def test_grouped_conv_matches_keras(key):
    f = {n: FIX[f"{key}/{n}"] for n in ("x", "k", "b", "y", "g", "dx", "dk", "db")}
    layer = tf.keras.layers.Conv2D(**CASES[key])
    layer.build(f["x"].shape)
    assert layer.kernel.shape == f["k"].shape
    layer.set_weights([f["k"], f["b"]])
    x = tf.Variable(f["x"])
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * f["g"])
    dx, dk, db = tape.gradient(loss, [x, layer.kernel, layer.bias])
    for got, want in ((y, f["y"]), (dx, f["dx"]), (dk, f["dk"]), (db, f["db"])):  # sums in another order
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5 * float(np.abs(want).max()))


def test_groups_checks_and_config():
    with pytest.raises(ValueError, match="filters must be evenly divisible"):
        tf.keras.layers.Conv2D(5, 3, groups=2)
    layer = tf.keras.layers.Conv2D(4, 3, groups=2)
    with pytest.raises(ValueError, match="input channels must be evenly divisible"):
        layer.build((None, 8, 8, 3))
    assert layer.get_config()["groups"] == 2
    assert tf.keras.layers.Conv2D.from_config(layer.get_config()).groups == 2
    assert "groups" not in tf.keras.layers.Conv2DTranspose(4, 3).get_config()
    with pytest.raises(NotImplementedError, match="Conv1D"):
        tf.keras.layers.Conv1D(4, 3, groups=2)
    c1 = tf.keras.layers.Conv1D(4, 3, activation="relu")  # positional arguments still land where they did
    assert c1.activation is tf.keras.activations.get("relu") and c1.groups == 1
