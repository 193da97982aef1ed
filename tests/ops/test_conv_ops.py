"""tf.nn.conv2d_transpose, depthwise_conv2d, separable_conv2d, conv1d, convolution (rank 3).

Forward values and gradients against numbers recorded from TensorFlow 2.21
(tests/fixtures/conv_ops.npz, written by tests/fixtures/record_tf_conv.py); gradients by float64
central finite differences; NCHW / NCW equal to the transposed NHWC / NWC results; the adjoint
identity <conv2d(a), b> = <a, conv2d_transpose(b)>; clear errors for bad arguments.
"""
import json
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
RNG = np.random.default_rng(31)


def weighted(y, seed=11):
    return y * np.random.default_rng(seed).standard_normal(tuple(y.shape))


def load(filename):
    with np.load(os.path.join(FIXTURES, filename), allow_pickle=False) as data:
        cases = json.loads(str(data["cases"]))
        arrays = {k: data[k] for k in data.files if k != "cases"}
    return [pytest.param(c, {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(c["name"] + "/")},
                         id=c["name"]) for c in cases]


def _call(case, d, *inputs):
    kw = {k: v for k, v in case.items() if k not in ("name", "op")}
    return getattr(tf.nn, case["op"])(*inputs, **kw)


# ---- parity with TensorFlow ---------------------------------------------------------------------

@pytest.mark.parametrize("case, d", load("conv_ops.npz"))
def test_matches_tensorflow(case, d):
    names = ["x", "dw", "pw"] if case["op"] == "separable_conv2d" else ["x", "w"]
    ts = [tf.constant(d[n]) for n in names]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = _call(case, d, *ts)
        loss = tf.reduce_sum(y * d["g"])
    assert y.dtype == tf.float32 and y.shape == d["y"].shape
    np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-5, atol=1e-5)
    for n, grad in zip(names, tape.gradient(loss, ts)):
        np.testing.assert_allclose(grad.numpy(), d["d" + n], rtol=1e-5, atol=1e-5, err_msg="d" + n)


# ---- gradients by finite differences (float64) -------------------------------------------------

TRANSPOSE_CASES = [  # x shape, filters, output_shape, strides, padding, dilations
    ((1, 3, 3, 2), (3, 3, 2, 2), (1, 6, 6, 2), 2, "SAME", 1),
    ((1, 3, 2, 2), (3, 2, 3, 2), (1, 7, 5, 3), [2, 2], "VALID", 1),
    ((2, 3, 3, 1), (2, 2, 2, 1), (2, 6, 6, 2), 2, [[0, 0], [1, 0], [0, 1], [0, 0]], 1),
    ((1, 4, 4, 2), (3, 3, 1, 2), (1, 4, 4, 1), 1, "SAME", 2),  # dilated: TF's CPU refuses, tinytf does it
]


@pytest.mark.parametrize("xs, ws, out, s, p, dil", TRANSPOSE_CASES)
def test_conv2d_transpose_gradients(xs, ws, out, s, p, dil):
    x, w = RNG.standard_normal(xs), RNG.standard_normal(ws)
    assert_grad(lambda t: weighted(tf.nn.conv2d_transpose(t, w, out, s, p, dilations=dil)), x)
    assert_grad(lambda t: weighted(tf.nn.conv2d_transpose(x, t, out, s, p, dilations=dil)), w)


@pytest.mark.parametrize("xs, ws, out, s, p, dil", TRANSPOSE_CASES)
def test_conv2d_transpose_is_the_adjoint_of_conv2d(xs, ws, out, s, p, dil):
    a, b, w = RNG.standard_normal(out[:3] + (ws[2],)), RNG.standard_normal(xs), RNG.standard_normal(ws)
    lhs = np.sum(tf.nn.conv2d(a, w, s, p, dilations=dil).numpy() * b)
    rhs = np.sum(a * tf.nn.conv2d_transpose(b, w, out, s, p, dilations=dil).numpy())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


@pytest.mark.parametrize("ws, s, p, dil", [
    ((3, 3, 2, 2), [1, 2, 2, 1], "SAME", None), ((2, 3, 2, 1), [1, 1, 1, 1], "VALID", [2, 2]),
    ((3, 3, 2, 3), [1, 1, 1, 1], [[0, 0], [2, 0], [1, 1], [0, 0]], None)])
def test_depthwise_and_separable_gradients(ws, s, p, dil):
    x, w = RNG.standard_normal((1, 6, 5, 2)), RNG.standard_normal(ws)
    pw = RNG.standard_normal((1, 1, ws[2] * ws[3], 2))
    assert_grad(lambda t: weighted(tf.nn.depthwise_conv2d(t, w, s, p, dilations=dil)), x)
    assert_grad(lambda t: weighted(tf.nn.depthwise_conv2d(x, t, s, p, dilations=dil)), w)
    assert_grad(lambda t: weighted(tf.nn.separable_conv2d(x, w, t, s, p, dilations=dil)), pw)


@pytest.mark.parametrize("stride, padding, dil", [(1, "SAME", 1), (2, "VALID", 1), (1, "SAME", 2),
                                                  ([1, 3, 1], [[0, 0], [2, 1], [0, 0]], 1)])
def test_conv1d_gradients(stride, padding, dil):
    x, w = RNG.standard_normal((2, 9, 2)), RNG.standard_normal((3, 2, 3))
    assert_grad(lambda t: weighted(tf.nn.conv1d(t, w, stride, padding, dilations=dil)), x)
    assert_grad(lambda t: weighted(tf.nn.conv1d(x, t, stride, padding, dilations=dil)), w)


# ---- channels-first equal to transposed channels-last ------------------------------------------

def to_nchw(a):
    return np.transpose(np.asarray(a), (0, 3, 1, 2))


def test_nchw_equals_transposed_nhwc():
    x, w = RNG.standard_normal((2, 3, 3, 2)), RNG.standard_normal((3, 3, 4, 2))
    nhwc = tf.nn.conv2d_transpose(x, w, [2, 6, 5, 4], 2, "SAME")
    nchw = tf.nn.conv2d_transpose(to_nchw(x), w, [2, 4, 6, 5], [1, 1, 2, 2], "SAME", data_format="NCHW")
    np.testing.assert_allclose(nchw.numpy(), to_nchw(nhwc), rtol=1e-12)
    x, w = RNG.standard_normal((2, 5, 5, 2)), RNG.standard_normal((3, 3, 2, 2))
    pw = RNG.standard_normal((1, 1, 4, 3))
    for fn, args in ((tf.nn.depthwise_conv2d, (w,)), (tf.nn.separable_conv2d, (w, pw))):
        nhwc = fn(x, *args, [1, 2, 2, 1], "SAME")
        nchw = fn(to_nchw(x), *args, [1, 1, 2, 2], "SAME", data_format="NCHW")
        np.testing.assert_allclose(nchw.numpy(), to_nchw(nhwc), rtol=1e-12)
    assert_grad(lambda t: weighted(tf.nn.depthwise_conv2d(t, w, [1, 1, 2, 2], "SAME", "NCHW")), to_nchw(x[:1]))


def test_conv1d_ncw_and_convolution_rank3():
    x, w = RNG.standard_normal((2, 9, 2)), RNG.standard_normal((3, 2, 3))
    nwc = tf.nn.conv1d(x, w, 2, "SAME")
    ncw = tf.nn.conv1d(np.transpose(x, (0, 2, 1)), w, [1, 1, 2], "SAME", data_format="NCW")
    np.testing.assert_allclose(ncw.numpy(), np.transpose(nwc.numpy(), (0, 2, 1)), rtol=1e-12)
    np.testing.assert_array_equal(tf.nn.convolution(x, w, [2], "SAME").numpy(), nwc.numpy())
    assert tf.nn.conv1d(x, w, 1, "VALID").shape == (2, 7, 3)


# ---- bad arguments --------------------------------------------------------------------------------

X4, W4 = np.ones((1, 3, 3, 2), np.float32), np.ones((3, 3, 4, 2), np.float32)


@pytest.mark.parametrize("call, match", [
    (lambda: tf.nn.conv2d_transpose(X4, W4, [1, 7, 7, 4], 2, "SAME"), "does not fit the input"),
    (lambda: tf.nn.conv2d_transpose(X4, W4, [1, 6, 6, 3], 2, "SAME"), "out_channels"),
    (lambda: tf.nn.conv2d_transpose(X4, W4, [2, 6, 6, 4], 2, "SAME"), "batch"),
    (lambda: tf.nn.conv2d_transpose(X4, W4, [6, 6], 2, "SAME"), "output_shape must be 4"),
    (lambda: tf.nn.conv2d_transpose(X4, W4[..., :1], [1, 6, 6, 4], 2, "SAME"), "input has 2 channels"),
    (lambda: tf.nn.conv2d_transpose(X4, W4, [1, 6, 6, 4], 2, "FULL"), "padding"),
    (lambda: tf.nn.depthwise_conv2d(X4, np.ones((3, 3, 3, 1), np.float32), [1, 1, 1, 1], "SAME"),
     "input has 2 channels"),
    (lambda: tf.nn.depthwise_conv2d(X4, np.ones((3, 3, 2), np.float32), [1, 1, 1, 1], "SAME"), "rank-4"),
    (lambda: tf.nn.depthwise_conv2d(X4, np.ones((3, 3, 2, 1), np.float32), [1, 2, 2, 1], "SAME", dilations=[2, 2]),
     "require strides of 1"),
    (lambda: tf.nn.depthwise_conv2d(X4, np.ones((5, 5, 2, 1), np.float32), 1, "VALID"), "empty"),
    (lambda: tf.nn.separable_conv2d(X4, np.ones((3, 3, 2, 2), np.float32), np.ones((1, 1, 2, 3), np.float32),
                                    1, "SAME"), "in_channels \\* multiplier = 4"),
    (lambda: tf.nn.separable_conv2d(X4, np.ones((3, 3, 2, 1), np.float32), np.ones((3, 3, 2, 3), np.float32),
                                    1, "SAME"), "pointwise_filter must be"),
    (lambda: tf.nn.conv1d(X4, np.ones((3, 2, 1), np.float32), 1, "SAME"), "rank-3"),
    (lambda: tf.nn.conv1d(X4[0], np.ones((3, 3, 1), np.float32), [1, 2], "SAME"), "stride"),
    (lambda: tf.nn.conv1d(X4[0], np.ones((3, 3, 1), np.float32), 1, "SAME", data_format="NHWC"), "data_format"),
    (lambda: tf.nn.convolution(np.ones((1, 2, 2, 2, 1)), np.ones((1, 1, 1, 1, 1)), padding="SAME"), "rank"),
])
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
