"""Activation layers (tinytf/keras/layers/activations.py): ReLU, LeakyReLU, ELU, PReLU, Softmax.

Forward and gradients against Keras 3.15 (tests/fixtures/keras_activation_layers.npz, with
inputs at the kinks); arguments, configs, names, weights, and the Keras 2 spelling ``alpha=``."""
import re
import warnings

import numpy as np
import pytest

import tinytf as tf
from gradcheck import numeric_grad
from layer_parity import check_case, params

layers = tf.keras.layers
RNG = np.random.default_rng(31)


@pytest.mark.parametrize("case, d", params("keras_activation_layers.npz"))
def test_against_keras(case, d):
    check_case(case, d)


def test_still_importable_from_core():
    from tinytf.keras.layers import core
    assert core.ReLU is layers.ReLU and core.LeakyReLU is layers.LeakyReLU and core.Softmax is layers.Softmax


@pytest.mark.parametrize("make, base", [(layers.ReLU, "re_lu"), (layers.LeakyReLU, "leaky_re_lu"),
                                        (layers.ELU, "elu"), (layers.PReLU, "p_re_lu"),
                                        (layers.Softmax, "softmax")])
def test_default_names(make, base):
    a, b = make(), make()
    assert re.match(rf"^{base}(_\d+)?$", a.name) and a.name != b.name


def test_leaky_relu_keras2_alpha_warns_and_is_the_slope():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == pytest.approx(0.1)
    np.testing.assert_allclose(layer(np.array([-2.0, 3.0], np.float32)).numpy(), [-0.2, 3.0], rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.LeakyReLU(negative_slope=0.1)


@pytest.mark.parametrize("make, arg", [
    (lambda: layers.ReLU(max_value=-1), "max_value"), (lambda: layers.ReLU(negative_slope=-0.1), "negative_slope"),
    (lambda: layers.ReLU(threshold=-1), "threshold"), (lambda: layers.LeakyReLU(-0.2), "negative_slope"),
    (lambda: layers.PReLU(shared_axes=[0]), "shared_axes"), (lambda: layers.PReLU(shared_axes="1"), "shared_axes")])
def test_bad_values_are_value_errors_naming_the_argument(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


@pytest.mark.parametrize("make, arg", [
    (lambda: layers.ReLU(max_value="6"), "max_value"), (lambda: layers.LeakyReLU(None), "negative_slope"),
    (lambda: layers.ELU(alpha=True), "alpha"), (lambda: layers.Softmax(axis=1.5), "axis")])
def test_bad_types_are_type_errors_naming_the_argument(make, arg):
    with pytest.raises(TypeError, match=arg):
        make()


@pytest.mark.parametrize("make", [lambda: layers.ReLU(3.0, 0.1, 0.5), lambda: layers.LeakyReLU(0.2),
                                  lambda: layers.ELU(0.7), lambda: layers.PReLU(shared_axes=[1, 2]),
                                  lambda: layers.Softmax(axis=[1, 2])])
def test_config_round_trip(make):
    layer = make()
    x = RNG.normal(size=(2, 3, 4, 2)).astype(np.float32)
    y = layer(x).numpy()
    if layer.weights:
        layer.set_weights([RNG.normal(size=w.shape).astype(np.float32) for w in layer.weights])
        y = layer(x).numpy()
    clone = type(layer).from_config(layer.get_config())
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), y)
    assert clone.get_config() == layer.get_config()


def test_prelu_weight_shapes_and_training():
    assert tuple(layers.PReLU()(np.zeros((2, 3, 4, 5), np.float32)).shape) == (2, 3, 4, 5)
    p = layers.PReLU(shared_axes=[1, 2])
    p.build((None, 3, 4, 5))
    assert tuple(p.alpha.shape) == (1, 1, 5) and p.trainable_weights == [p.alpha]
    np.testing.assert_array_equal(p.alpha.numpy(), 0)  # 'zeros': starts as a ReLU
    p2 = layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(0.25), shared_axes=1)
    np.testing.assert_allclose(p2(np.array([[-4.0, 2.0]], np.float32)).numpy(), [[-1.0, 2.0]])
    with pytest.raises(ValueError, match="shared axis 3"):
        layers.PReLU(shared_axes=3)(np.zeros((2, 3, 4), np.float32))


def test_prelu_gradients_match_finite_differences_in_float64():
    p = layers.PReLU(shared_axes=[1], dtype="float64")
    x = RNG.normal(size=(3, 2, 4))
    p.build(x.shape)
    p.set_weights([RNG.normal(size=(1, 4))])
    w = RNG.normal(size=x.shape)
    f = lambda t: p(t) * w  # noqa: E731
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        loss = tf.reduce_sum(f(t))
    gx, ga = tape.gradient(loss, [t, p.alpha])
    np.testing.assert_allclose(gx.numpy(), numeric_grad(f, x), rtol=1e-6, atol=1e-8)
    alpha = p.alpha.numpy()

    def f_alpha(a):
        p.alpha.assign(a.numpy())
        return f(tf.constant(x))
    np.testing.assert_allclose(ga.numpy(), numeric_grad(f_alpha, alpha), rtol=1e-6, atol=1e-8)


def test_softmax_mask_gives_zero_probability():
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], np.float32)
    mask = np.array([[True, False, True], [True, True, True]])
    y = layers.Softmax()(x, mask=mask).numpy()
    e = np.exp([1.0, 3.0]) / np.exp([1.0, 3.0]).sum()
    np.testing.assert_allclose(y[0], [e[0], 0, e[1]], rtol=1e-6)
    np.testing.assert_allclose(y[1], 1 / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="mask"):
        layers.Softmax()(x, mask=np.ones((3, 3), bool))


def test_activation_layers_in_a_functional_model():
    inp = layers.Input((4,))
    out = layers.Softmax()(layers.PReLU()(layers.ELU()(layers.LeakyReLU()(inp))))
    model = tf.keras.Model(inp, out)
    assert tuple(out.shape) == (None, 4)
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(model(x).numpy().sum(-1), 1, rtol=1e-6)


def test_activations_relu_is_the_relu_layer():
    """keras.activations.relu and layers.ReLU are one function (the layer is checked against Keras)."""
    x = tf.constant(np.linspace(-3, 3, 25, dtype=np.float32))
    for kw in ({}, {"max_value": 2.5}, {"threshold": 0.5}, {"negative_slope": 0.1, "max_value": 6.0},
               {"negative_slope": 0.2, "threshold": 1.0, "max_value": 2.0}):
        np.testing.assert_array_equal(tf.keras.activations.relu(x, **kw).numpy(), tf.keras.layers.ReLU(**kw)(x).numpy())
