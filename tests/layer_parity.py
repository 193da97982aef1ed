"""Keras layers against numbers recorded from Keras 3.15 (tests/fixtures/record_tf_layers.py).

``params(filename)`` gives one pytest param per recorded case; ``check_case`` rebuilds the layer
in tinytf from the case's class name and arguments, sets the recorded weights, and compares the
output and the gradients of ``L = sum(y * g)`` w.r.t. the inputs and the weights."""
import json
import os

import numpy as np
import pytest

import tinytf as tf

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def params(filename):
    with np.load(os.path.join(FIXTURES, filename), allow_pickle=False) as data:
        cases = json.loads(str(data["cases"]))
        arrays = {k: data[k] for k in data.files if k != "cases"}
    out = []
    for case in cases:
        prefix = case["name"] + "/"
        fields = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        out.append(pytest.param(case, fields, id=case["name"]))
    return out


def _close(actual, expected, what, rtol, atol):
    actual = actual.numpy() if hasattr(actual, "numpy") else np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def check_case(case, d, rtol=1e-5, atol=1e-5):
    """The tinytf layer matches the recorded forward output and gradients."""
    layer = getattr(tf.keras.layers, case["layer"])(**case["kwargs"])
    n_in = len([k for k in d if k.startswith("x")])
    xs = [tf.constant(d[f"x{i}"]) for i in range(n_in)]
    inputs = xs if case["list_input"] else xs[0]
    layer(inputs)  # build
    assert [w.name.split("/")[-1].split(":")[0] for w in layer.weights] == case["weights"]
    layer.set_weights([d[f"w{i}"] for i in range(len(case["weights"]))])
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = layer(inputs)
        loss = tf.reduce_sum(y * d["g"])
    grads = tape.gradient(loss, xs + list(layer.trainable_weights))
    name = case["name"]
    _close(y, d["y"], f"{name}: output", rtol, atol)
    assert tuple(layer.compute_output_shape([x.shape for x in xs] if case["list_input"] else xs[0].shape)) \
        == d["y"].shape, f"{name}: compute_output_shape"
    for i in range(n_in):
        _close(grads[i], d[f"dx{i}"], f"{name}: d/dx{i}", rtol, atol)
    for i in range(len(case["weights"])):
        _close(grads[n_in + i], d[f"dw{i}"], f"{name}: d/d{case['weights'][i]}", rtol, atol)
    return layer
