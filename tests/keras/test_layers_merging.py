"""Merge layers (tinytf/keras/layers/merging.py) and their functional forms.

Forward and gradients against Keras 3.15 (tests/fixtures/keras_merge_layers.npz: ties for
Maximum / Minimum, rank broadcasting, Concatenate, Dot); the functional forms on eager tensors
and KerasTensors; clear errors for wrong inputs."""
import re

import numpy as np
import pytest

import tinytf as tf
from layer_parity import check_case, params

layers = tf.keras.layers
RNG = np.random.default_rng(32)


def rand(*shape):
    return RNG.normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("case, d", params("keras_merge_layers.npz"))
def test_against_keras(case, d):
    check_case(case, d)


def test_still_importable_from_core():
    from tinytf.keras.layers import core
    assert core.Add is layers.Add and core.Concatenate is layers.Concatenate


FORMS = [(layers.add, layers.Add, "add"), (layers.subtract, layers.Subtract, "subtract"),
         (layers.multiply, layers.Multiply, "multiply"), (layers.average, layers.Average, "average"),
         (layers.maximum, layers.Maximum, "maximum"), (layers.minimum, layers.Minimum, "minimum"),
         (layers.concatenate, layers.Concatenate, "concatenate"), (layers.dot, layers.Dot, "dot")]


@pytest.mark.parametrize("fn, cls, base", FORMS, ids=[f[2] for f in FORMS])
def test_functional_form_equals_the_layer_eagerly(fn, cls, base):
    a, b = rand(3, 4), rand(3, 4)
    layer = cls(axes=-1) if cls is layers.Dot else cls()
    assert re.match(rf"^{base}(_\d+)?$", layer.name), layer.name
    np.testing.assert_array_equal(fn([a, b]).numpy(), layer([a, b]).numpy())
    assert fn([a, b], name=f"my_{base}") is not None


@pytest.mark.parametrize("fn, cls, base", FORMS, ids=[f[2] for f in FORMS])
def test_functional_form_on_keras_tensors_builds_a_model(fn, cls, base):
    a, b = layers.Input((4,)), layers.Input((4,))
    out = fn([a, b])
    want = {"concatenate": (None, 8), "dot": (None, 1)}.get(base, (None, 4))
    assert tuple(out.shape) == want
    model = tf.keras.Model([a, b], out)
    x, y = rand(3, 4), rand(3, 4)
    np.testing.assert_array_equal(model([x, y]).numpy(), fn([x, y]).numpy())


def test_three_way_merge_in_a_functional_model_trains():
    tf.random.set_seed(0)  # weights and data fixed: for some draws 3 epochs of SGD do not lower the loss
    inp = layers.Input((5,))
    h1, h2, h3 = layers.Dense(3)(inp), layers.Dense(3)(inp), layers.Dense(3)(inp)
    merged = layers.concatenate([layers.add([h1, h2, h3]), layers.maximum([h1, h2, h3]),
                                 layers.average([h1, h2])], axis=1)
    model = tf.keras.Model(inp, layers.Dense(1)(merged))
    assert tuple(merged.shape) == (None, 9)
    model.compile(optimizer="sgd", loss="mse")
    r = np.random.default_rng(5)
    x, y = r.normal(size=(16, 5)).astype(np.float32), r.normal(size=(16, 1)).astype(np.float32)
    hist = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_average_divides_like_keras():
    a, b, c = (np.float32(v) * np.ones((1, 1), np.float32) for v in (0.1, 0.2, 0.4))
    assert layers.Average()([a, b, c]).numpy()[0, 0] == (np.float32(0.1) + np.float32(0.2) + np.float32(0.4)) \
        / np.float32(3)


def test_rank_broadcast_inserts_axes_after_the_batch():
    a, b = rand(2, 3, 4), rand(2, 4)
    np.testing.assert_array_equal(layers.Add()([a, b]).numpy(), a + b[:, None, :])
    assert tuple(layers.Add().compute_output_shape([(None, 3, 4), (None, 4)])) == (None, 3, 4)


@pytest.mark.parametrize("call, match", [
    (lambda: layers.Add()(rand(2, 3)), "list"),
    (lambda: layers.Subtract()([rand(2, 3)] * 3), "2 inputs"),
    (lambda: layers.Add()([rand(2, 3), rand(2, 4)]), "incompatible"),
    (lambda: layers.Add()([rand(2, 3), rand(3, 3)]), "batch"),
    (lambda: layers.Concatenate()([rand(2, 3, 4), rand(2, 2, 4)]), "matching shapes"),
    (lambda: layers.Concatenate(axis=3)([rand(2, 3), rand(2, 3)]), "axis 3"),
    (lambda: layers.Dot(axes=1)([rand(2, 3), rand(2, 4)]), "differ"),
    (lambda: layers.Dot(axes=0)([rand(2, 3), rand(2, 3)]), "non-batch"),
    (lambda: layers.Dot(axes=1)([rand(2, 3), rand(2, 3), rand(2, 3)]), "2 inputs"),
])
def test_wrong_inputs_are_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_inputs_on_keras_tensors_fail_at_definition():
    with pytest.raises(ValueError, match="incompatible"):
        layers.add([layers.Input((3,)), layers.Input((4,))])


@pytest.mark.parametrize("make, arg", [(lambda: layers.Concatenate(axis="1"), "axis"),
                                       (lambda: layers.Dot(axes=[1, 2, 3]), "axes"),
                                       (lambda: layers.Dot(axes=1.0), "axes")])
def test_bad_arguments_are_type_errors(make, arg):
    with pytest.raises(TypeError, match=arg):
        make()


@pytest.mark.parametrize("make", [lambda: layers.Concatenate(axis=1), lambda: layers.Dot(axes=[2, 1], normalize=True),
                                  lambda: layers.Maximum()])
def test_config_round_trip(make):
    layer = make()
    a, b = rand(2, 3, 3), rand(2, 3, 3)
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_array_equal(clone([a, b]).numpy(), layer([a, b]).numpy())
    assert clone.get_config() == layer.get_config()
