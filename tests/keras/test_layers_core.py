"""tf.keras.layers core layers, written as a Keras 3 user would: Dense, Flatten, Reshape, Dropout,
Activation, ReLU, Input / InputLayer (and Add / Concatenate).

Each layer: build, call, compute_output_shape == the shape of call's output, get_config /
from_config round trip (same output given the same weights), weights / trainable_weights /
non_trainable_weights, get_weights / set_weights in Keras's order, Keras's default names.
Keras facts were checked against TensorFlow 2.21 / Keras 3.15.
"""
import re

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
RNG = np.random.default_rng(1234)


def rand(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def npy(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


def wname(w):
    """'kernel' from 'kernel', 'kernel:0' or 'dense/kernel:0' (Keras 3 / TF 2 spellings)."""
    return w.name.split("/")[-1].split(":")[0]


def assert_config_round_trip(layer, x):
    """A layer rebuilt from its config computes the same thing given the same weights."""
    y = npy(layer(x))
    config = layer.get_config()
    clone = type(layer).from_config(config)
    clone(x)  # build
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(npy(clone(x)), y, rtol=1e-6, atol=1e-6)
    assert clone.get_config() == config
    return clone


# --------------------------------------------------------------------------------- names

@pytest.mark.parametrize("make, base", [
    (lambda: layers.Dense(2), "dense"),
    (lambda: layers.Flatten(), "flatten"),
    (lambda: layers.Reshape((4,)), "reshape"),
    (lambda: layers.Dropout(0.5), "dropout"),
    (lambda: layers.Activation("relu"), "activation"),
    (lambda: layers.ReLU(), "re_lu"),
])
def test_default_names_are_keras_snake_case_and_unique(make, base):
    a, b = make(), make()
    pattern = rf"^{base}(_\d+)?$"
    assert re.match(pattern, a.name), a.name
    assert re.match(pattern, b.name), b.name
    assert a.name != b.name


def test_explicit_name_is_kept():
    assert layers.Dense(3, name="logits").name == "logits"


# --------------------------------------------------------------------------------- Dense

def test_dense_build_call_and_keras_weights():
    d = layers.Dense(3)
    assert not d.built
    x = rand(5, 4)
    y = d(x)
    assert d.built
    assert tuple(y.shape) == (5, 3)
    assert tuple(d.kernel.shape) == (4, 3) and tuple(d.bias.shape) == (3,)
    assert [wname(w) for w in d.weights] == ["kernel", "bias"]
    assert [wname(w) for w in d.trainable_weights] == ["kernel", "bias"]
    assert d.non_trainable_weights == []
    k, b = d.get_weights()
    np.testing.assert_array_equal(b, np.zeros(3, np.float32))  # bias_initializer='zeros'
    np.testing.assert_allclose(npy(y), x @ k + b, rtol=1e-5, atol=1e-6)


def test_dense_defaults_and_glorot_uniform_kernel():
    d = layers.Dense(64)
    d.build((None, 192))
    k = npy(d.kernel)
    limit = np.sqrt(6.0 / (192 + 64))
    assert np.abs(k).max() <= limit + 1e-7
    assert np.abs(k).max() > 0.98 * limit
    cfg = d.get_config()
    assert cfg["units"] == 64 and cfg["use_bias"] is True
    assert cfg["activation"] == "linear"


def test_dense_set_weights_in_keras_order():
    d = layers.Dense(2)
    d(np.zeros((1, 3), np.float32))  # build by calling (see the explicit-build test below)
    k = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = np.array([10.0, -1.0], np.float32)
    d.set_weights([k, b])
    np.testing.assert_array_equal(npy(d.kernel), k)
    np.testing.assert_array_equal(npy(d.bias), b)
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(npy(d(x)), x @ k + b)


def test_set_weights_checks_count_and_shapes():
    d = layers.Dense(2)
    d.build((None, 3))
    before = d.get_weights()
    with pytest.raises(ValueError):
        d.set_weights([np.zeros((3, 2), np.float32)])
    with pytest.raises(ValueError):
        d.set_weights([np.zeros((2, 3), np.float32), np.zeros(2, np.float32)])
    for a, b in zip(before, d.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_dense_without_bias_and_on_3d_input():
    d = layers.Dense(5, use_bias=False)
    x = rand(2, 7, 3)
    y = d(x)
    assert tuple(y.shape) == (2, 7, 5) == tuple(d.compute_output_shape((2, 7, 3)))
    assert d.bias is None
    assert [wname(w) for w in d.weights] == ["kernel"]
    np.testing.assert_allclose(npy(y), x @ npy(d.kernel), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", ["relu", tf.nn.relu])
def test_dense_activation_as_string_or_function(activation):
    d = layers.Dense(4, activation=activation)
    y = npy(d(rand(8, 3)))
    assert y.min() >= 0
    assert d.get_config()["activation"] == "relu"


def test_dense_trainable_false_moves_weights_to_non_trainable():
    d = layers.Dense(2, trainable=False)
    d.build((None, 3))
    assert d.trainable_weights == []
    assert [wname(w) for w in d.non_trainable_weights] == ["kernel", "bias"]
    d.trainable = True
    assert [wname(w) for w in d.trainable_weights] == ["kernel", "bias"]


def test_dense_config_round_trip():
    d = layers.Dense(3, activation="tanh", use_bias=True, kernel_initializer="he_normal",
                     bias_initializer="ones", kernel_regularizer=tf.keras.regularizers.l2(0.01))
    clone = assert_config_round_trip(d, rand(4, 5))
    assert clone.units == 3


def test_dense_regularizer_losses():
    d = layers.Dense(3, kernel_regularizer=tf.keras.regularizers.L2(0.1),
                     bias_regularizer=tf.keras.regularizers.L1(0.5), bias_initializer="ones")
    d.build((None, 4))
    total = sum(float(npy(l)) for l in d.losses)
    expected = 0.1 * np.sum(npy(d.kernel) ** 2) + 0.5 * 3
    np.testing.assert_allclose(total, expected, rtol=1e-5)


@pytest.mark.parametrize("units", [0, -3])
def test_dense_non_positive_units_is_a_value_error_naming_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_dense_explicit_build_then_call_keeps_the_weights():
    d = layers.Dense(2)
    d.build((None, 3))
    assert d.built
    k = np.arange(6, dtype=np.float32).reshape(3, 2)
    d.set_weights([k, np.zeros(2, np.float32)])
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(npy(d(x)), x @ k)
    assert len(d.weights) == 2


# --------------------------------------------------------------------------------- Flatten / Reshape

def test_flatten():
    f = layers.Flatten()
    x = rand(2, 3, 4, 5)
    y = f(x)
    assert tuple(y.shape) == (2, 60) == tuple(f.compute_output_shape((2, 3, 4, 5)))
    assert tuple(f.compute_output_shape((None, 3, 4, 5))) == (None, 60)
    np.testing.assert_array_equal(npy(y), x.reshape(2, 60))
    assert f.weights == [] and f.get_weights() == []
    assert_config_round_trip(f, x)


@pytest.mark.parametrize("target", [(6, 4), (4, -1), (-1,), (2, 3, 4)])
def test_reshape(target):
    r = layers.Reshape(target)
    x = rand(3, 4, 6)
    y = r(x)
    assert tuple(y.shape) == tuple(r.compute_output_shape((3, 4, 6)))
    np.testing.assert_array_equal(npy(y), x.reshape((3,) + target))
    assert tuple(r.compute_output_shape((None, 4, 6)))[0] is None
    assert_config_round_trip(r, x)


# --------------------------------------------------------------------------------- Dropout

def test_dropout_is_identity_unless_training():
    drop = layers.Dropout(0.5)
    x = np.ones((40, 50), np.float32)
    np.testing.assert_array_equal(npy(drop(x)), x)  # training=None: inference
    np.testing.assert_array_equal(npy(drop(x, training=False)), x)
    y = npy(drop(x, training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}  # kept units scaled by 1 / (1 - rate)
    assert 0.35 < np.mean(y == 0) < 0.65
    assert tuple(drop.compute_output_shape((None, 50))) == (None, 50)
    assert drop.get_config()["rate"] == 0.5
    assert_config_round_trip(drop, x)


def test_dropout_rate_out_of_range_is_a_value_error():
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.5)


# --------------------------------------------------------------------------------- Activation / ReLU

@pytest.mark.parametrize("activation, ref", [
    ("relu", lambda x: np.maximum(x, 0)),
    (tf.nn.relu, lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    (None, lambda x: x),
])
def test_activation_layer(activation, ref):
    a = layers.Activation(activation)
    x = rand(3, 5)
    y = a(x)
    np.testing.assert_allclose(npy(y), ref(x), rtol=1e-5, atol=1e-6)
    assert tuple(a.compute_output_shape((3, 5))) == tuple(y.shape)
    assert_config_round_trip(a, x)


def test_unknown_activation_is_a_value_error():
    with pytest.raises(ValueError):
        layers.Activation("not_an_activation")


def test_relu_layer_default_and_options():
    x = np.array([[-3.0, -1.0, 0.0, 0.5, 2.0, 10.0]], np.float32)
    r = layers.ReLU()
    np.testing.assert_array_equal(npy(r(x)), np.maximum(x, 0))
    assert r.get_config()["max_value"] is None
    assert r.get_config()["negative_slope"] == 0.0 and r.get_config()["threshold"] == 0.0
    # Keras: max_value if x >= max_value; x if threshold <= x < max_value; slope * (x - threshold) else
    r = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0)
    expected = np.where(x >= 6, 6.0, np.where(x >= 1, x, 0.1 * (x - 1.0)))
    np.testing.assert_allclose(npy(r(x)), expected, rtol=1e-6, atol=1e-7)
    assert_config_round_trip(r, x)
    assert r.weights == []


def test_relu_negative_max_value_is_a_value_error():
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=-1.0)


# --------------------------------------------------------------------------------- Input

def test_input_gives_a_symbolic_tensor_with_batch_axis():
    x = tf.keras.Input(shape=(28, 28, 1))
    assert tuple(x.shape) == (None, 28, 28, 1)
    x = tf.keras.layers.Input((4,), batch_size=8)
    assert tuple(x.shape) == (8, 4)


def test_input_layer():
    il = layers.InputLayer(shape=(5,))
    assert re.match(r"^input_layer(_\d+)?$", il.name)
    assert tuple(il.output.shape) == (None, 5)
    assert il.weights == []
    clone = layers.InputLayer.from_config(il.get_config())
    assert tuple(clone.output.shape) == (None, 5)


def test_input_layer_without_shape_is_a_value_error():
    with pytest.raises(ValueError, match="shape"):
        layers.InputLayer()


def test_symbolic_calls_give_compute_output_shape():
    x = tf.keras.Input((6, 4))
    h = layers.Dense(3)(x)
    assert tuple(h.shape) == (None, 6, 3)
    h = layers.Flatten()(h)
    assert tuple(h.shape) == (None, 18)
    h = layers.Reshape((3, 6))(h)
    assert tuple(h.shape) == (None, 3, 6)


# --------------------------------------------------------------------------------- merge layers

def test_add_and_concatenate_eager():
    a, b = rand(2, 3), rand(2, 3)
    np.testing.assert_allclose(npy(layers.Add()([a, b])), a + b, rtol=1e-6)
    np.testing.assert_array_equal(npy(layers.Concatenate()([a, b])), np.concatenate([a, b], -1))


def test_add_and_concatenate_functional():
    a, b = tf.keras.Input((4,)), tf.keras.Input((4,))
    c = layers.Concatenate()([a, b])
    s = layers.Add()([a, b])
    assert tuple(c.shape) == (None, 8) and tuple(s.shape) == (None, 4)
    model = tf.keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([c, s])))
    assert tuple(model([rand(2, 4), rand(2, 4)]).shape) == (2, 1)
