"""``keras.layers.UnitNormalization`` and ``keras.losses.KLDivergence`` / ``kl_divergence`` against
Keras 3.15 (tests/fixtures/keras_extras.npz, written by tests/fixtures/record_keras_ops.py; the
runner: tests/keras_cases.py), plus their arguments, configs and finite-difference gradients."""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad
from keras_cases import check_case, load
from tinytf import keras

CASES, ARRAYS = load("keras_extras.npz")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case):
    check_case(case, ARRAYS)


def test_unit_normalization_layer():
    layer = keras.layers.UnitNormalization(axis=[1, 2])
    assert layer.get_config()["axis"] == [1, 2]
    assert keras.layers.UnitNormalization.from_config(layer.get_config()).axis == [1, 2]
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 4)
    with pytest.raises(ValueError, match="out of bounds"):
        keras.layers.UnitNormalization(axis=3).compute_output_shape((None, 3))
    with pytest.raises(TypeError, match="`axis`"):
        keras.layers.UnitNormalization(axis="last")
    assert not layer.weights
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.UnitNormalization()])
    np.testing.assert_allclose(np.linalg.norm(model(np.ones((2, 4), np.float32)).numpy(), axis=-1), 1, rtol=1e-6)
    weights = tf.constant(np.arange(12.0).reshape(3, 4))
    assert_grad(lambda t: keras.layers.UnitNormalization(dtype="float64")(t) * weights,
                np.random.default_rng(1).standard_normal((3, 4)))


def test_kl_divergence_names_and_gradient():
    assert keras.losses.get("kld") is keras.losses.kl_divergence is keras.losses.KLD
    loss = keras.losses.get("KLDivergence")
    assert isinstance(loss, keras.losses.KLDivergence) and loss.name == "kl_divergence"
    assert keras.losses.deserialize(keras.losses.serialize(loss)).get_config() == loss.get_config()
    y = np.random.default_rng(2).dirichlet(np.ones(4), 3)
    assert_grad(lambda t: keras.losses.kl_divergence(y, t), np.random.default_rng(3).dirichlet(np.ones(4), 3))


def test_kl_divergence_trains():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="sgd", loss="kl_divergence")
    x = np.random.default_rng(4).standard_normal((8, 3)).astype(np.float32)
    h = model.fit(x, np.full((8, 4), 0.25, np.float32), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()
