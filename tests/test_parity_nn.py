"""Parity of tinytf's tf.nn ops with real TensorFlow 2.21.

Reference numbers live in tests/fixtures/*.npz, recorded by
tests/fixtures/record_tf.py (run with the TensorFlow venv).  These tests never
need TensorFlow: they feed the recorded inputs to tinytf and compare.

Every test body is plain TensorFlow code.  To check the tests themselves
against TensorFlow, run them with the TensorFlow venv:

    TINYTF_PARITY_BACKEND=tensorflow /opt/venvs/tf/bin/python -m pytest tests/test_parity_nn.py
"""

import importlib
import json
import os

import numpy as np
import pytest

BACKEND = os.environ.get("TINYTF_PARITY_BACKEND", "tinytf")
tf = importlib.import_module(BACKEND)  # i.e. `import tinytf as tf`

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
RTOL = 1e-5
ATOL = 1e-5


def load(filename):
    """Return ([(case dict, {field: array})...], ids) for one fixture file."""
    with np.load(os.path.join(FIXTURES, filename), allow_pickle=False) as data:
        cases = json.loads(str(data["cases"]))
        arrays = {k: data[k] for k in data.files if k != "cases"}
    params = []
    for case in cases:
        prefix = case["name"] + "/"
        fields = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        params.append(pytest.param(case, fields, id=case["name"]))
    return params


def close(actual, expected, what, rtol=RTOL, atol=ATOL):
    actual = actual.numpy() if hasattr(actual, "numpy") else np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


# --------------------------------------------------------------------------
# a. tf.nn.conv2d
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case,d", load("conv2d.npz"))
def test_conv2d(case, d):
    kwargs = {k: case[k] for k in ("strides", "padding", "dilations") if k in case}
    x = tf.constant(d["x"])
    w = tf.constant(d["w"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(w)
        y = tf.nn.conv2d(x, w, **kwargs)
        loss = tf.reduce_sum(y * d["g"])
    dx, dw = tape.gradient(loss, [x, w])
    close(y, d["y"], "conv2d output")
    close(dx, d["dx"], "dL/dx")
    close(dw, d["dw"], "dL/dw")


@pytest.fixture
def winograd_from_16_channels(monkeypatch):
    """tinytf: Winograd from 16 channels on (its default threshold is 64), so that the small
    fixture's shapes take it."""
    if BACKEND == "tinytf":
        from tinytf.kernels import conv
        monkeypatch.setattr(conv, "WINOGRAD_CHANNELS", 16)


@pytest.mark.parametrize("case,d", load("conv2d_winograd.npz"))
def test_conv2d_winograd_shapes(case, d, winograd_from_16_channels):
    """Shapes where tinytf uses Winograd's F(2x2, 3x3) (tests/fixtures/record_tf_winograd.py):
    within 6 eps of the terms' magnitude (sum |x||w| per output; per gradient the same with g)
    of TensorFlow's numbers. Measured on an AVX-512 EPYC: at most 2.0 (output), 3.1 (dL/dx: a
    Winograd convolution of g) and 2.0 (dL/dw) against 2.0, 1.8 and 2.0 with the direct product."""
    x, w, g = (tf.constant(d[k]) for k in ("x", "w", "g"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(w)
        y = tf.nn.conv2d(x, w, case["strides"], case["padding"])
        loss = tf.reduce_sum(y * g)
    dx, dw = tape.gradient(loss, [x, w])
    ax, aw, ag = (tf.abs(tf.cast(t, tf.float64)) for t in (x, w, g))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(ax)
        tape.watch(aw)
        terms_y = tf.nn.conv2d(ax, aw, case["strides"], case["padding"])
        terms = tf.reduce_sum(terms_y * ag)
    terms_dx, terms_dw = tape.gradient(terms, [ax, aw])
    eps = float(np.finfo(np.float32).eps)
    for got, want, size, what in [(y, d["y"], terms_y, "conv2d output"), (dx, d["dx"], terms_dx, "dL/dx"),
                                  (dw, d["dw"], terms_dw, "dL/dw")]:
        err = np.abs(got.numpy().astype(np.float64) - want)
        assert np.all(err <= 6 * eps * size.numpy()), f"{what}: worst {np.max(err / (eps * size.numpy())):.2f} eps"
    if BACKEND == "tinytf":
        from tinytf.kernels import conv, padding
        geo = conv.geometry(d["x"].shape[1:3], (3, 3), (1, 1), (1, 1), padding.normalize_padding(case["padding"]))
        assert conv.winograd_applies(geo, d["w"].shape[2], d["w"].shape[3], np.float32)


# --------------------------------------------------------------------------
# b. tf.nn.max_pool2d / tf.nn.avg_pool2d
# --------------------------------------------------------------------------
POOL_CASES = load("pool.npz")
POOLS = {"max": lambda: tf.nn.max_pool2d, "avg": lambda: tf.nn.avg_pool2d}


def _check_pool(op_name, case, d):
    op = POOLS[op_name]()
    x = tf.constant(d["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = op(x, ksize=case["ksize"], strides=case["strides"], padding=case["padding"])
        loss = tf.reduce_sum(y * d[op_name + "_g"])
    dx = tape.gradient(loss, x)
    close(y, d[op_name + "_y"], f"{op_name}_pool2d output")
    close(dx, d[op_name + "_dx"], f"{op_name}_pool2d dL/dx")


@pytest.mark.parametrize("case,d", [p for p in POOL_CASES if not p.values[0].get("ties")])
@pytest.mark.parametrize("op_name", ["max", "avg"])
def test_pool2d(op_name, case, d):
    _check_pool(op_name, case, d)


@pytest.mark.parametrize("case,d", [p for p in POOL_CASES if p.values[0].get("ties")])
def test_max_pool2d_ties(case, d):
    """With equal values in a window TF routes the gradient to the first
    maximum in row-major (h, then w) order."""
    _check_pool("max", case, d)


# --------------------------------------------------------------------------
# c. tf.nn.moments / tf.nn.batch_normalization
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case,d", load("moments_bn.npz"))
def test_moments(case, d):
    x = tf.constant(d["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        mean, variance = tf.nn.moments(x, axes=case["axes"], keepdims=case["keepdims"])
        loss = tf.reduce_sum(mean * d["g_mean"]) + tf.reduce_sum(variance * d["g_var"])
    dx = tape.gradient(loss, x)
    close(mean, d["mean"], "mean")
    close(variance, d["variance"], "variance")
    close(dx, d["dx_moments"], "d(moments)/dx")


@pytest.mark.parametrize("case,d", load("moments_bn.npz"))
def test_batch_normalization(case, d):
    x = tf.constant(d["x"])
    scale = tf.constant(d["scale"])
    offset = tf.constant(d["offset"])
    with tf.GradientTape() as tape:
        tape.watch([x, scale, offset])
        mean, variance = tf.nn.moments(x, axes=case["axes"], keepdims=case["keepdims"])
        y = tf.nn.batch_normalization(x, mean, variance, offset, scale,
                                      variance_epsilon=case["variance_epsilon"])
        loss = tf.reduce_sum(y * d["g"])
    dx, dscale, doffset = tape.gradient(loss, [x, scale, offset])
    close(y, d["y"], "batch_normalization output")
    close(dx, d["dx"], "dL/dx")
    close(dscale, d["dscale"], "dL/dscale")
    close(doffset, d["doffset"], "dL/doffset")


# --------------------------------------------------------------------------
# d. activations
# --------------------------------------------------------------------------
ACTIVATIONS = {
    "relu": lambda t: tf.nn.relu(t),
    "relu6": lambda t: tf.nn.relu6(t),
    "leaky_relu": lambda t: tf.nn.leaky_relu(t, alpha=0.2),
    "sigmoid": lambda t: tf.nn.sigmoid(t),
    "tanh": lambda t: tf.nn.tanh(t),
    "softmax": lambda t: tf.nn.softmax(t),
    "log_softmax": lambda t: tf.nn.log_softmax(t),
}


@pytest.mark.parametrize("case,d", load("activations.npz"))
def test_activation(case, d):
    """`*_kinks` cases pin TF's gradient at the kinks: relu'(0) = 0,
    relu6'(0) = relu6'(6) = 0, leaky_relu'(0) = alpha (also at -0.0)."""
    x = tf.constant(d["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ACTIVATIONS[case["activation"]](x)
        loss = tf.reduce_sum(y * d["g"])
    dx = tape.gradient(loss, x)
    close(y, d["y"], "activation output")
    close(dx, d["dx"], "dL/dx")


# --------------------------------------------------------------------------
# d. losses
# --------------------------------------------------------------------------
LOSS_CASES = {p.id: p for p in load("losses.npz")}


def test_softmax_cross_entropy_with_logits():
    _, d = LOSS_CASES["softmax_cross_entropy_with_logits"].values
    labels = tf.constant(d["labels"])
    logits = tf.constant(d["logits"])
    with tf.GradientTape() as tape:
        tape.watch([labels, logits])
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        total = tf.reduce_sum(loss * d["g"])
    dlabels, dlogits = tape.gradient(total, [labels, logits])
    close(loss, d["loss"], "per-example loss")
    close(dlogits, d["dlogits"], "dL/dlogits")
    close(dlabels, d["dlabels"], "dL/dlabels")


def test_sparse_softmax_cross_entropy_with_logits():
    _, d = LOSS_CASES["sparse_softmax_cross_entropy_with_logits"].values
    labels = tf.constant(d["labels"])
    logits = tf.constant(d["logits"])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        total = tf.reduce_sum(loss * d["g"])
    dlogits = tape.gradient(total, logits)
    close(loss, d["loss"], "per-example loss")
    close(dlogits, d["dlogits"], "dL/dlogits")


def test_keras_categorical_crossentropy_function():
    _, d = LOSS_CASES["categorical_crossentropy_fn_logits"].values
    labels = tf.constant(d["labels"])
    logits = tf.constant(d["logits"])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = tf.keras.losses.categorical_crossentropy(labels, logits, from_logits=True)
        total = tf.reduce_sum(loss * d["g"])
    dlogits = tape.gradient(total, logits)
    close(loss, d["loss"], "per-example loss")
    close(dlogits, d["dlogits"], "dL/dlogits")


@pytest.mark.parametrize(
    "case,d", [p for p in LOSS_CASES.values() if "loss_class" in p.values[0]])
def test_keras_loss_class(case, d):
    loss_fn = getattr(tf.keras.losses, case["loss_class"])(**case["kwargs"])
    y_true = tf.constant(d["y_true"])
    y_pred = tf.constant(d["y_pred"])
    with tf.GradientTape() as tape:
        tape.watch(y_pred)
        loss = loss_fn(y_true, y_pred)
    dy_pred = tape.gradient(loss, y_pred)
    close(loss, d["loss"], "loss (scalar, sum_over_batch_size)")
    close(dy_pred, d["dy_pred"], "dL/dy_pred")
