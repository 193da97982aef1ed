"""LayerNormalization and GroupNormalization (tinytf/keras/layers/layer_normalization.py), and
GlobalMaxPooling2D's keepdims / data_format / ties.

Forward and gradients w.r.t. input, gamma and beta against Keras 3.15
(tests/fixtures/keras_norm_layers.npz, keras_pool_layers.npz); float64 gradients against finite
differences; argument checks, configs, weights."""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import numeric_grad
from layer_parity import check_case, params

layers = tf.keras.layers
RNG = np.random.default_rng(33)


@pytest.mark.parametrize("case, d", params("keras_norm_layers.npz"))
def test_against_keras(case, d):
    check_case(case, d)


@pytest.mark.parametrize("case, d", params("keras_pool_layers.npz"))
def test_global_max_pooling_against_keras(case, d):
    check_case(case, d)


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.LayerNormalization(axis=[1, 2], dtype="float64"), (2, 3, 2, 2)),
    (lambda: layers.GroupNormalization(groups=2, axis=1, dtype="float64"), (2, 4, 3)),
])
def test_gradients_match_finite_differences_in_float64(make, shape):
    layer = make()
    x = RNG.normal(size=shape)
    layer.build(shape)
    layer.set_weights([RNG.normal(size=w.shape) for w in layer.weights])
    w = RNG.normal(size=shape)
    f = lambda t: layer(t) * w  # noqa: E731
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        loss = tf.reduce_sum(f(t))
    grads = tape.gradient(loss, [t] + layer.trainable_weights)
    np.testing.assert_allclose(grads[0].numpy(), numeric_grad(f, x), rtol=1e-5, atol=1e-8)
    for var, g in zip(layer.trainable_weights, grads[1:]):
        def f_w(v, var=var):
            var.assign(v.numpy())
            return f(tf.constant(x))
        np.testing.assert_allclose(g.numpy(), numeric_grad(f_w, var.numpy()), rtol=1e-5, atol=1e-8)


def test_layer_norm_normalises_each_sample():
    x = RNG.normal(3.0, 2.0, size=(4, 5, 6)).astype(np.float32)
    y = layers.LayerNormalization(epsilon=1e-6)(x).numpy()
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(-1), 1, rtol=1e-4)


def test_group_norm_with_one_group_per_channel_is_instance_norm():
    x = RNG.normal(size=(2, 3, 4, 6)).astype(np.float32)
    y = layers.GroupNormalization(groups=-1)(x).numpy()
    ref = (x - x.mean((1, 2), keepdims=True)) / np.sqrt(x.var((1, 2), keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_weights_names_order_and_switches():
    ln = layers.LayerNormalization(axis=[1, 2])
    ln.build((None, 3, 4, 5))
    assert [w.name.split("/")[-1].split(":")[0] for w in ln.weights] == ["gamma", "beta"]
    assert tuple(ln.gamma.shape) == (3, 4)
    gn = layers.GroupNormalization(groups=2, center=False)
    gn.build((None, 5, 6))
    assert gn.beta is None and [tuple(w.shape) for w in gn.weights] == [(6,)]
    assert layers.LayerNormalization(scale=False, center=False).count_params() == 0


@pytest.mark.parametrize("make, err, match", [
    (lambda: layers.LayerNormalization(axis="x"), TypeError, "axis"),
    (lambda: layers.LayerNormalization(epsilon=0), ValueError, "epsilon"),
    (lambda: layers.GroupNormalization(groups=0), ValueError, "groups"),
    (lambda: layers.GroupNormalization(groups=2.0), ValueError, "groups"),
    (lambda: layers.GroupNormalization(axis=[1]), TypeError, "axis"),
])
def test_bad_arguments(make, err, match):
    with pytest.raises(err, match=match):
        make()


@pytest.mark.parametrize("layer, shape, match", [
    (lambda: layers.GroupNormalization(groups=4), (2, 3, 6), "divide"),
    (lambda: layers.LayerNormalization(axis=3), (2, 3, 6), "out of range"),
    (lambda: layers.LayerNormalization(axis=[1, -2]), (2, 3, 6), "twice"),
])
def test_bad_input_shapes(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer()(np.zeros(shape, np.float32))


@pytest.mark.parametrize("make", [lambda: layers.LayerNormalization(axis=[1, 2], epsilon=0.01, center=False),
                                  lambda: layers.GroupNormalization(groups=3, axis=1)])
def test_config_round_trip(make):
    layer = make()
    x = RNG.normal(size=(2, 3, 4, 3)).astype(np.float32)
    layer(x)
    layer.set_weights([RNG.normal(size=w.shape).astype(np.float32) for w in layer.weights])
    clone = type(layer).from_config(layer.get_config())
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    assert clone.get_config() == layer.get_config()


def test_in_a_functional_model_with_symbolic_shapes():
    inp = layers.Input((6, 6, 4))
    h = layers.GroupNormalization(groups=2)(inp)
    h = layers.LayerNormalization()(h)
    out = layers.GlobalMaxPooling2D(keepdims=True)(h)
    assert tuple(h.shape) == (None, 6, 6, 4) and tuple(out.shape) == (None, 1, 1, 4)
    model = tf.keras.Model(inp, out)
    assert model(RNG.normal(size=(2, 6, 6, 4)).astype(np.float32)).shape == (2, 1, 1, 4)
