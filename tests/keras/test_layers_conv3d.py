"""keras.layers.Conv3D, MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D, GlobalMaxPooling3D
against Keras 3 outputs with the same weights (tests/fixtures/layers19.npz), their shapes,
configs, gradients through the layer, and Keras's argument checks."""
import json
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import layers

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "layers19.npz")
with np.load(FIXTURE, allow_pickle=False) as _d:
    META, ARR = json.loads(str(_d["meta"])), {k: _d[k] for k in _d.files if k != "meta"}


def case(prefix):
    return {k.split("/", 1)[1]: v for k, v in ARR.items() if k.startswith(prefix + "/")}


@pytest.mark.parametrize("name", ["conv3d_layer_same", "conv3d_layer_valid"])
def test_conv3d_layer_matches_keras(name):
    d = case(name)
    layer = layers.Conv3D(**META[name])
    layer.build(d["x"].shape)
    assert [tuple(w.shape) for w in layer.weights] == [d["kernel"].shape, d["bias"].shape]
    layer.set_weights([d["kernel"], d["bias"]])
    y = layer(d["x"])
    assert tuple(layer.compute_output_shape(d["x"].shape)) == d["y"].shape
    np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["conv3dT_layer_same", "conv3dT_layer_valid"])
def test_conv3d_transpose_layer_matches_keras(name):
    d = case(name)
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in META[name].items()}
    layer = layers.Conv3DTranspose(**kw)
    layer.build(d["x"].shape)
    assert [tuple(w.shape) for w in layer.weights] == [d["kernel"].shape, d["bias"].shape]
    layer.set_weights([d["kernel"], d["bias"]])
    assert tuple(layer.compute_output_shape(d["x"].shape)) == d["y"].shape
    np.testing.assert_allclose(layer(d["x"]).numpy(), d["y"], rtol=1e-5, atol=1e-5)
    assert layers.Conv3DTranspose.from_config(layer.get_config()).output_padding == layer.output_padding


@pytest.mark.parametrize("name, make", [
    ("maxpool3d_layer", lambda: layers.MaxPooling3D(pool_size=(2, 3, 2), padding="same")),
    ("avgpool3d_layer", lambda: layers.AveragePooling3D(pool_size=2, strides=(1, 2, 2))),
    ("gap3d_layer", lambda: layers.GlobalAveragePooling3D()),
    ("gmp3d_layer", lambda: layers.GlobalMaxPooling3D(keepdims=True))])
def test_pooling3d_layers_match_keras(name, make):
    d = case(name)
    layer = make()
    y = layer(d["x"])
    assert tuple(layer.compute_output_shape(d["x"].shape)) == d["y"].shape
    np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-6, atol=1e-6)


def test_channels_first_and_a_model_that_trains():
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 6, 3)).astype(np.float32)
    conv = layers.Conv3D(2, 3, padding="same")
    y = conv(x)
    conv_cf = layers.Conv3D(2, 3, padding="same", data_format="channels_first")
    conv_cf.build((2, 3, 4, 5, 6))
    conv_cf.set_weights(conv.get_weights())
    np.testing.assert_allclose(np.transpose(conv_cf(np.transpose(x, (0, 4, 1, 2, 3))).numpy(), (0, 2, 3, 4, 1)),
                               y.numpy(), rtol=1e-5, atol=1e-6)
    model = tf.keras.Sequential([tf.keras.Input((4, 5, 6, 3)), layers.Conv3D(4, 3, activation="relu"),
                                 layers.MaxPooling3D(pool_size=(1, 2, 2)), layers.GlobalAveragePooling3D(),
                                 layers.Dense(2)])
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, np.array([0, 1]), epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert layers.Conv3D.from_config(model.layers[0].get_config()).kernel_size == (3, 3, 3)


def test_argument_checks():
    with pytest.raises(ValueError, match="padding"):
        layers.Conv3D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.Conv3D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv3D(2, (3, 3))
    with pytest.raises(ValueError, match="5-D input"):
        layers.Conv3D(2, 3)(np.zeros((1, 4, 4, 2), np.float32))
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling3D(pool_size=(2, 2))
    with pytest.raises(ValueError, match="5-D input"):
        layers.GlobalMaxPooling3D()(np.zeros((1, 4, 4, 2), np.float32))
    with pytest.raises(ValueError, match="window"):
        layers.AveragePooling3D(pool_size=5)(np.zeros((1, 4, 6, 6, 1), np.float32))
