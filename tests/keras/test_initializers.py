"""tf.keras.initializers as in Keras 3 (formulas from keras/src/initializers, checked with Keras 3.15):

* glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out));
* glorot_normal: truncated normal (cut at 2 std), stddev = sqrt(2 / (fan_in + fan_out)) / .8796...
  so the draws' std is sqrt(2 / (fan_in + fan_out));
* he_normal: the same with variance 2 / fan_in; he_uniform: l = sqrt(6 / fan_in);
* zeros, ones, constant(value), random_normal(mean=0, stddev=0.05);
* fans of a conv kernel [kh, kw, in, out] include the receptive field kh*kw.
"""
import numpy as np
import pytest

import tinytf as tf

initializers = tf.keras.initializers


def npy(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


TRUNC = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


@pytest.mark.parametrize("shape, fans", [
    ((3, 3, 4, 8), (36, 72)),
    ((5, 5, 1, 6), (25, 150)),
    ((1, 1, 16, 32), (16, 32)),
    ((7, 3), (7, 3)),
    ((5,), (5, 5)),
    ((), (1, 1)),
])
def test_compute_fans(shape, fans):
    assert tuple(initializers.compute_fans(shape)) == fans


def test_glorot_uniform_limit_uses_receptive_field_fans():
    shape = (5, 5, 16, 32)
    w = npy(initializers.GlorotUniform()(shape))
    assert w.shape == shape and w.dtype == np.float32
    limit = np.sqrt(6.0 / (5 * 5 * 16 + 5 * 5 * 32))
    assert np.abs(w).max() <= limit + 1e-7
    assert np.abs(w).max() > 0.99 * limit
    np.testing.assert_allclose(w.std(), limit / np.sqrt(3), rtol=0.03)


def test_glorot_normal():
    w = npy(initializers.GlorotNormal()((100, 300)))
    std = np.sqrt(2.0 / 400)
    np.testing.assert_allclose(w.std(), std, rtol=0.03)
    assert np.abs(w).max() <= 2 * std / TRUNC + 1e-6  # truncated at two (pre-truncation) stddevs
    assert abs(w.mean()) < 0.01 * std * 10


def test_he_normal():
    w = npy(initializers.HeNormal()((3, 3, 50, 20)))
    fan_in = 3 * 3 * 50
    std = np.sqrt(2.0 / fan_in)
    np.testing.assert_allclose(w.std(), std, rtol=0.03)
    assert np.abs(w).max() <= 2 * std / TRUNC + 1e-6
    assert np.abs(w).max() > 0.95 * 2 * std / TRUNC


def test_he_uniform():
    w = npy(initializers.HeUniform()((200, 100)))
    limit = np.sqrt(6.0 / 200)
    assert np.abs(w).max() <= limit + 1e-7 and np.abs(w).max() > 0.99 * limit


def test_random_normal_defaults_and_arguments():
    w = npy(initializers.RandomNormal()((200, 200)))
    np.testing.assert_allclose(w.std(), 0.05, rtol=0.03)
    assert abs(w.mean()) < 0.002
    w = npy(initializers.RandomNormal(mean=1.0, stddev=2.0)((200, 200)))
    np.testing.assert_allclose([w.mean(), w.std()], [1.0, 2.0], rtol=0.03, atol=0.03)


def test_zeros_ones_constant():
    np.testing.assert_array_equal(npy(initializers.Zeros()((2, 3))), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(npy(initializers.Ones()((4,))), np.ones(4, np.float32))
    c = npy(initializers.Constant(0.25)((2, 2)))
    np.testing.assert_array_equal(c, np.full((2, 2), 0.25, np.float32))
    assert c.dtype == np.float32
    assert npy(initializers.Constant(3.0)((2,), dtype="float64")).dtype == np.float64


@pytest.mark.parametrize("name, cls", [
    ("glorot_uniform", "GlorotUniform"), ("glorot_normal", "GlorotNormal"), ("he_normal", "HeNormal"),
    ("he_uniform", "HeUniform"), ("zeros", "Zeros"), ("ones", "Ones"), ("constant", "Constant"),
    ("random_normal", "RandomNormal"),
])
def test_get_by_keras_name(name, cls):
    init = initializers.get(name)
    assert type(init).__name__ == cls
    assert npy(init((3, 4))).shape == (3, 4)


def test_get_passes_instances_and_config_dicts():
    inst = initializers.RandomNormal(stddev=0.3)
    assert initializers.get(inst) is inst
    cfg = {"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.5, "seed": None}}
    got = initializers.get(cfg)
    assert isinstance(got, initializers.RandomNormal) and got.stddev == 0.5 and got.mean == 1.0
    with pytest.raises(ValueError):
        initializers.get("no_such_initializer")


@pytest.mark.parametrize("cls", ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "RandomNormal"])
def test_set_seed_makes_draws_repeatable(cls):
    make = getattr(initializers, cls)
    tf.random.set_seed(123)
    a = npy(make()((6, 5)))
    b = npy(make()((6, 5)))
    tf.random.set_seed(123)
    a2 = npy(make()((6, 5)))
    b2 = npy(make()((6, 5)))
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    assert not np.array_equal(a, b)


def test_set_seed_makes_layer_weights_repeatable():
    def kernels():
        tf.random.set_seed(7)
        conv = tf.keras.layers.Conv2D(4, 3, kernel_initializer="he_normal")
        dense = tf.keras.layers.Dense(3)
        conv(np.zeros((1, 5, 5, 2), np.float32))
        dense(np.zeros((1, 6), np.float32))
        return npy(conv.kernel), npy(dense.kernel)

    a, b = kernels(), kernels()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_seeded_initializer_repeats_across_calls():
    init = initializers.GlorotUniform(seed=3)
    a = npy(init((4, 4)))
    np.testing.assert_array_equal(npy(init((4, 4))), a)
    np.testing.assert_array_equal(npy(initializers.GlorotUniform(seed=3)((4, 4))), a)


def test_config_round_trip():
    for init in [initializers.GlorotUniform(seed=1), initializers.HeNormal(), initializers.Constant(0.5),
                 initializers.RandomNormal(mean=0.2, stddev=0.1), initializers.Zeros()]:
        clone = type(init).from_config(init.get_config())
        assert clone.get_config() == init.get_config()
    assert initializers.Constant(0.5).get_config() == {"value": 0.5}
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}


def test_layer_uses_given_initializers():
    dense = tf.keras.layers.Dense(3, kernel_initializer=initializers.Constant(2.0), bias_initializer="ones")
    dense(np.zeros((1, 2), np.float32))
    np.testing.assert_array_equal(npy(dense.kernel), np.full((2, 3), 2.0, np.float32))
    np.testing.assert_array_equal(npy(dense.bias), np.ones(3, np.float32))
    conv = tf.keras.layers.Conv2D(8, 3, kernel_initializer="he_uniform")
    conv(np.zeros((1, 3, 3, 10), np.float32))
    limit = np.sqrt(6.0 / (3 * 3 * 10))
    assert np.abs(npy(conv.kernel)).max() <= limit + 1e-7


def test_lowercase_aliases():
    for name in ["glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "zeros", "ones",
                 "random_normal"]:
        assert npy(getattr(initializers, name)()((2, 2))).shape == (2, 2)
    assert npy(initializers.constant(0.5)((2,))).tolist() == [0.5, 0.5]


def test_initializer_returns_a_tensor():
    out = initializers.GlorotUniform()((2, 2))
    assert tf.is_tensor(out)
    assert out.numpy().shape == (2, 2)


def test_orthogonal_is_orthonormal_seeded_and_configurable():
    init = tf.keras.initializers.Orthogonal(gain=2.0, seed=3)
    tall, wide = init((6, 3)), tf.keras.initializers.get("orthogonal")((2, 5))
    np.testing.assert_allclose(tall.numpy().T @ tall.numpy(), 4 * np.eye(3), atol=1e-5)
    np.testing.assert_allclose(wide.numpy() @ wide.numpy().T, np.eye(2), atol=1e-5)
    np.testing.assert_array_equal(init((6, 3)).numpy(), tall.numpy())  # a seed gives the same values
    assert init.get_config() == {"gain": 2.0, "seed": 3}
    with pytest.raises(ValueError, match="at least 2"):
        init((4,))
