"""Contract point 4: ``tf.nn``.

tests/test_parity_nn.py compares forward values and gradients with recorded TensorFlow
numbers; here: gradients by central finite differences in float64 for every op, NCHW equal to
transposed NHWC, the argument forms TensorFlow accepts, and dropout's semantics.
"""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad, numeric_grad, tape_grad  # noqa: F401


# ---- helpers --------------------------------------------------------------------------------

def weighted(y, seed=11):
    """y * fixed random weights, so that sum(...) exercises every output element differently."""
    return y * np.random.default_rng(seed).standard_normal(tuple(y.shape))


def conv2d_loops(x, w, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1)):
    """An independent, slow NHWC/HWIO cross-correlation."""
    x = np.pad(np.asarray(x, np.float64), [(0, 0), pads[0], pads[1], (0, 0)])
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    ekh, ekw = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    oh, ow = (h - ekh) // stride[0] + 1, (wd - ekw) // stride[1] + 1
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    pix = x[:, i * stride[0] + a * dilation[0], j * stride[1] + b * dilation[1], :]
                    out[:, i, j, :] += pix @ w[a, b]
    return out


def pool_loops(x, k, s, kind, pads=((0, 0), (0, 0))):
    """Slow pooling; padded cells never win a max and are not counted in an average."""
    x = np.asarray(x, np.float64)
    n, h, w, c = x.shape
    (pt, pb), (pl, pr) = pads
    oh, ow = (h + pt + pb - k[0]) // s[0] + 1, (w + pl + pr - k[1]) // s[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * s[0] - pt, j * s[1] - pl
            win = x[:, max(r0, 0):min(r0 + k[0], h), max(c0, 0):min(c0 + k[1], w), :]
            out[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


def same_pads(n, k, s, d=1):
    ke = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + ke - n, 0)
    return total // 2, total - total // 2


RNG = np.random.default_rng(2024)
X = RNG.standard_normal((2, 5, 5, 2))
W = RNG.standard_normal((3, 3, 2, 3))
Z = RNG.standard_normal((4, 6))


# ---- conv2d -------------------------------------------------------------------------------------

CONV_CASES = [
    ("SAME", 1, 1), ("SAME", 2, 1), ("VALID", 1, 1), ("VALID", 2, 1),
    ([[0, 0], [1, 2], [0, 1], [0, 0]], 1, 1), ([[0, 0], [1, 2], [0, 1], [0, 0]], 2, 1),
    ("SAME", 1, 2), ("VALID", 1, 2),
]


@pytest.mark.parametrize("padding, stride, dilation", CONV_CASES)
def test_conv2d_values_match_loops(padding, stride, dilation):
    out = tf.nn.conv2d(X, W, strides=stride, padding=padding, dilations=dilation)
    if padding == "SAME":
        pads = (same_pads(5, 3, stride, dilation),) * 2
    elif padding == "VALID":
        pads = ((0, 0), (0, 0))
    else:
        pads = (tuple(padding[1]), tuple(padding[2]))
    expected = conv2d_loops(X, W, (stride, stride), pads, (dilation, dilation))
    assert out.dtype == tf.float64
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("padding, stride, dilation", CONV_CASES)
def test_conv2d_gradients(padding, stride, dilation):
    x, w = X[:1], W[:, :, :, :2]
    assert_grad(lambda t: weighted(tf.nn.conv2d(t, w, stride, padding, dilations=dilation)), x)
    assert_grad(lambda t: weighted(tf.nn.conv2d(x, t, stride, padding, dilations=dilation)), w)


def test_conv2d_rectangular_strides_and_kernel():
    x = RNG.standard_normal((1, 6, 7, 2))
    w = RNG.standard_normal((2, 3, 2, 2))
    out = tf.nn.conv2d(x, w, strides=[1, 2, 3, 1], padding="SAME")
    pads = (same_pads(6, 2, 2), same_pads(7, 3, 3))
    np.testing.assert_allclose(out.numpy(), conv2d_loops(x, w, (2, 3), pads), rtol=1e-10, atol=1e-10)
    assert out.shape == (1, 3, 3, 2)
    assert_grad(lambda t: weighted(tf.nn.conv2d(t, w, [2, 3], "SAME")), x)
    assert_grad(lambda t: weighted(tf.nn.conv2d(x, t, [2, 3], "VALID")), w)


@pytest.mark.parametrize("strides", [2, [2], [2, 2], (2, 2), [1, 2, 2, 1], np.int64(2)])
def test_conv2d_stride_forms_are_equivalent(strides):
    ref = tf.nn.conv2d(X, W, 2, "SAME").numpy()
    np.testing.assert_array_equal(tf.nn.conv2d(X, W, strides, "SAME").numpy(), ref)


@pytest.mark.parametrize("padding", [[[0, 0], [1, 1], [1, 1], [0, 0]], ((0, 0), (1, 1), (1, 1), (0, 0))])
def test_conv2d_explicit_padding_forms(padding):
    ref = tf.nn.conv2d(X, W, 1, "SAME").numpy()
    np.testing.assert_allclose(tf.nn.conv2d(X, W, 1, padding).numpy(), ref, rtol=1e-12)


def test_conv2d_keyword_arguments_and_inputs():
    x32, w32 = X.astype(np.float32), W.astype(np.float32)
    out = tf.nn.conv2d(input=x32, filters=w32, strides=1, padding="VALID", data_format="NHWC", dilations=1)
    assert out.dtype == tf.float32 and out.shape == (2, 3, 3, 3)
    from_lists = tf.nn.conv2d(x32.tolist(), tf.Variable(w32), 1, "VALID")
    np.testing.assert_allclose(from_lists.numpy(), out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(out.numpy(), conv2d_loops(X, W).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_conv2d_gradient_of_variables_in_float32():
    x = tf.Variable(X.astype(np.float32))
    w = tf.Variable(W.astype(np.float32))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.conv2d(x, w, 1, "SAME") ** 2)
    gx, gw = tape.gradient(y, [x, w])
    assert gx.dtype == tf.float32 and gw.dtype == tf.float32
    assert gx.shape == x.shape and gw.shape == w.shape
    # float64 run as the reference of the float32 run
    x64, w64 = tf.constant(X), tf.constant(W)
    with tf.GradientTape() as tape:
        tape.watch([x64, w64])
        y = tf.reduce_sum(tf.nn.conv2d(x64, w64, 1, "SAME") ** 2)
    rx, rw = tape.gradient(y, [x64, w64])
    np.testing.assert_allclose(gx.numpy(), rx.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw.numpy(), rw.numpy(), rtol=1e-4, atol=1e-4)


def test_convolution_alias():
    np.testing.assert_allclose(tf.nn.convolution(X, W, padding="SAME").numpy(),
                               tf.nn.conv2d(X, W, 1, "SAME").numpy())


# ---- NCHW == transposed NHWC ---------------------------------------------------------------------

def to_nchw(a):
    return np.transpose(np.asarray(a), (0, 3, 1, 2))


@pytest.mark.parametrize("padding_nhwc, padding_nchw", [
    ("SAME", "SAME"), ("VALID", "VALID"),
    ([[0, 0], [1, 0], [2, 1], [0, 0]], [[0, 0], [0, 0], [1, 0], [2, 1]]),
])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_nchw_equals_transposed_nhwc(padding_nhwc, padding_nchw, stride):
    nhwc = tf.nn.conv2d(X, W, stride, padding_nhwc)
    nchw = tf.nn.conv2d(to_nchw(X), W, stride, padding_nchw, data_format="NCHW")
    assert nchw.shape == to_nchw(nhwc).shape
    np.testing.assert_allclose(nchw.numpy(), to_nchw(nhwc), rtol=1e-12, atol=1e-12)
    xc, w = to_nchw(X[:1]), W[:, :, :, :2]
    assert_grad(lambda t: weighted(tf.nn.conv2d(t, w, stride, padding_nchw, data_format="NCHW")), xc)
    assert_grad(lambda t: weighted(tf.nn.conv2d(xc, t, stride, padding_nchw, data_format="NCHW")), w)


def test_conv2d_nchw_four_element_strides():
    nchw = tf.nn.conv2d(to_nchw(X), W, strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW")
    np.testing.assert_allclose(nchw.numpy(), to_nchw(tf.nn.conv2d(X, W, 2, "SAME")), rtol=1e-12)


@pytest.mark.parametrize("fn", [tf.nn.max_pool2d, tf.nn.avg_pool2d])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_pool_nchw_equals_transposed_nhwc(fn, padding):
    nhwc = fn(X, ksize=3, strides=2, padding=padding)
    nchw = fn(to_nchw(X), ksize=3, strides=2, padding=padding, data_format="NCHW")
    np.testing.assert_allclose(nchw.numpy(), to_nchw(nhwc), rtol=1e-12)
    nchw4 = fn(to_nchw(X), ksize=[1, 1, 3, 3], strides=[1, 1, 2, 2], padding=padding, data_format="NCHW")
    np.testing.assert_allclose(nchw4.numpy(), nchw.numpy())
    assert_grad(lambda t: weighted(fn(t, 3, 2, padding, data_format="NCHW")), to_nchw(X[:1]))


def test_bias_add_nchw_equals_transposed_nhwc():
    b = np.array([0.5, -1.0])
    np.testing.assert_allclose(tf.nn.bias_add(to_nchw(X), b, data_format="NCHW").numpy(),
                               to_nchw(tf.nn.bias_add(X, b)), rtol=1e-12)


# ---- pooling ------------------------------------------------------------------------------------

POOL_CASES = [(2, 2, "VALID"), (2, 2, "SAME"), (3, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME"),
              (2, 1, "VALID")]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("k, s, padding", POOL_CASES)
def test_pool_values_match_loops(kind, k, s, padding):
    fn = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    out = fn(X, ksize=k, strides=s, padding=padding)
    pads = (same_pads(5, k, s),) * 2 if padding == "SAME" else ((0, 0), (0, 0))
    np.testing.assert_allclose(out.numpy(), pool_loops(X, (k, k), (s, s), kind, pads), rtol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("k, s, padding", POOL_CASES)
def test_pool_gradients(kind, k, s, padding):
    fn = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    assert_grad(lambda t: weighted(fn(t, k, s, padding)), X[:1])


def test_max_pool_padding_never_wins():
    x = -np.ones((1, 3, 3, 1), np.float32) - np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    out = tf.nn.max_pool2d(x, 2, 2, "SAME")
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0], [[-1.0, -3.0], [-7.0, -9.0]])
    avg = tf.nn.avg_pool2d(np.ones((1, 3, 3, 1), np.float32), 2, 2, "SAME")
    np.testing.assert_array_equal(avg.numpy(), np.ones((1, 2, 2, 1)))


@pytest.mark.parametrize("ksize, strides", [
    (2, 2), ([2], [2]), ([2, 2], [2, 2]), ([1, 2, 2, 1], [1, 2, 2, 1]), ((2, 2), (2, 2)),
])
@pytest.mark.parametrize("fn, fn2d", [(tf.nn.max_pool, tf.nn.max_pool2d), (tf.nn.avg_pool, tf.nn.avg_pool2d)])
def test_pool_argument_forms(ksize, strides, fn, fn2d):
    ref = fn2d(X, 2, 2, "VALID").numpy()
    np.testing.assert_array_equal(fn(input=X, ksize=ksize, strides=strides, padding="VALID").numpy(), ref)
    np.testing.assert_array_equal(fn2d(X, ksize, strides, "VALID").numpy(), ref)


def test_rectangular_pool():
    x = RNG.standard_normal((1, 6, 5, 2))
    out = tf.nn.max_pool2d(x, ksize=[3, 2], strides=[2, 1], padding="VALID")
    np.testing.assert_allclose(out.numpy(), pool_loops(x, (3, 2), (2, 1), "max"))
    assert_grad(lambda t: weighted(tf.nn.avg_pool2d(t, [3, 2], [2, 1], "SAME")), x)


def test_max_pool_gradient_routes_to_the_max():
    x = tf.Variable(np.array([[1.0, 5.0], [3.0, 2.0]]).reshape(1, 2, 2, 1))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.max_pool2d(x, 2, 2, "VALID"))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy().reshape(2, 2), [[0.0, 1.0], [0.0, 0.0]])


# ---- activations ------------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": (tf.nn.relu, lambda a: np.maximum(a, 0)),
    "relu6": (tf.nn.relu6, lambda a: np.clip(a, 0, 6)),
    "leaky_relu": (tf.nn.leaky_relu, lambda a: np.where(a > 0, a, 0.2 * a)),
    "leaky_relu_0.1": (lambda t: tf.nn.leaky_relu(t, alpha=0.1), lambda a: np.where(a > 0, a, 0.1 * a)),
    "sigmoid": (tf.nn.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    "tanh": (tf.nn.tanh, np.tanh),
    "softmax": (tf.nn.softmax, lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
    "softmax_axis0": (lambda t: tf.nn.softmax(t, axis=0), lambda a: np.exp(a) / np.exp(a).sum(0, keepdims=True)),
    "log_softmax": (tf.nn.log_softmax, lambda a: a - np.log(np.exp(a).sum(-1, keepdims=True))),
    "log_softmax_axis0": (lambda t: tf.nn.log_softmax(t, axis=0),
                          lambda a: a - np.log(np.exp(a).sum(0, keepdims=True))),
}
# relu6 input spread over its two kinks (0 and 6), away from them
Z_RELU6 = np.array([[-2.0, -0.3, 0.4, 3.0, 5.7, 6.5], [7.0, 1.0, -1.0, 2.5, 4.0, 9.0]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values(name):
    fn, ref = ACTIVATIONS[name]
    x = Z_RELU6 if name == "relu6" else Z
    for dtype in (np.float32, np.float64):
        out = fn(x.astype(dtype))
        assert out.dtype == tf.as_dtype(dtype)
        np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradients(name):
    fn, _ = ACTIVATIONS[name]
    assert_grad(lambda t: weighted(fn(t)), Z_RELU6 if name == "relu6" else Z)


def test_activation_argument_names():
    a = np.array([-1.0, 2.0], np.float32)
    np.testing.assert_allclose(tf.nn.relu(features=a).numpy(), [0.0, 2.0])
    np.testing.assert_allclose(tf.nn.relu6(features=a * 4).numpy(), [0.0, 6.0])
    np.testing.assert_allclose(tf.nn.leaky_relu(features=a, alpha=0.5).numpy(), [-0.5, 2.0])
    np.testing.assert_allclose(tf.nn.softmax(logits=a, axis=-1).numpy().sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(tf.nn.log_softmax(logits=a, axis=-1).numpy(),
                               np.log(tf.nn.softmax(a).numpy()), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.sigmoid(x=0.0).numpy(), 0.5)
    np.testing.assert_allclose(tf.nn.tanh(x=0.0).numpy(), 0.0)


def test_softmax_is_stable():
    out = tf.nn.softmax([1000.0, 1000.0, -1000.0]).numpy()
    np.testing.assert_allclose(out, [0.5, 0.5, 0.0])
    ls = tf.nn.log_softmax([1000.0, 0.0]).numpy()
    assert np.all(np.isfinite(ls))
    np.testing.assert_allclose(ls, [0.0, -1000.0])


# ---- bias_add, moments, batch_normalization -----------------------------------------------------

def test_bias_add_values_and_gradients():
    b = RNG.standard_normal(6)
    np.testing.assert_allclose(tf.nn.bias_add(value=Z, bias=b).numpy(), Z + b)
    np.testing.assert_allclose(tf.nn.bias_add(X, b[:2]).numpy(), X + b[:2])
    assert_grad(lambda t: weighted(tf.nn.bias_add(t, b)), Z)
    assert_grad(lambda t: weighted(tf.nn.bias_add(Z, t)), b)
    assert_grad(lambda t: weighted(tf.nn.bias_add(to_nchw(X[:1]), t, data_format="NCHW")), b[:2])


@pytest.mark.parametrize("axes, keepdims", [([0], False), ([0, 1, 2], False), ([0, 1, 2], True), ([1], True)])
def test_moments_values_and_gradients(axes, keepdims):
    mean, var = tf.nn.moments(x=X, axes=axes, keepdims=keepdims)
    np.testing.assert_allclose(mean.numpy(), X.mean(axis=tuple(axes), keepdims=keepdims), rtol=1e-12)
    np.testing.assert_allclose(var.numpy(), X.var(axis=tuple(axes), keepdims=keepdims), rtol=1e-12)  # biased
    assert_grad(lambda t: weighted(tf.nn.moments(t, axes, keepdims=keepdims)[0]), X[:1])
    assert_grad(lambda t: weighted(tf.nn.moments(t, axes, keepdims=keepdims)[1]), X[:1])


BN_M = RNG.standard_normal(6)
BN_V = np.abs(RNG.standard_normal(6)) + 0.5
BN_OFF = RNG.standard_normal(6)
BN_SC = RNG.standard_normal(6)


def test_batch_normalization_values():
    out = tf.nn.batch_normalization(x=Z, mean=BN_M, variance=BN_V, offset=BN_OFF, scale=BN_SC,
                                    variance_epsilon=1e-3)
    np.testing.assert_allclose(out.numpy(), (Z - BN_M) / np.sqrt(BN_V + 1e-3) * BN_SC + BN_OFF, rtol=1e-10)
    out = tf.nn.batch_normalization(Z, BN_M, BN_V, None, None, 1e-3)
    np.testing.assert_allclose(out.numpy(), (Z - BN_M) / np.sqrt(BN_V + 1e-3), rtol=1e-10)


@pytest.mark.parametrize("which", ["x", "mean", "variance", "offset", "scale"])
def test_batch_normalization_gradients(which):
    args = {"x": Z, "mean": BN_M, "variance": BN_V, "offset": BN_OFF, "scale": BN_SC}

    def f(t):
        return weighted(tf.nn.batch_normalization(variance_epsilon=1e-3, **{**args, which: t}))
    assert_grad(f, args[which])


def test_batch_normalization_with_batch_moments_gradient():
    def f(t):
        mean, var = tf.nn.moments(t, axes=[0])
        return weighted(tf.nn.batch_normalization(t, mean, var, BN_OFF, BN_SC, 1e-3))
    assert_grad(f, Z)
    assert_grad(lambda t: weighted(tf.nn.batch_normalization(t, BN_M, BN_V, None, None, 1e-3)), Z)


def test_batch_normalization_float64_with_python_scalars():
    out = tf.nn.batch_normalization(Z, 0.0, 1.0, 0.0, 1.0, 1e-3)
    assert out.dtype == tf.float64
    np.testing.assert_allclose(out.numpy(), Z / np.sqrt(1.0 + 1e-3), rtol=1e-6)


# ---- losses -------------------------------------------------------------------------------------

LABELS = np.abs(RNG.standard_normal((4, 6)))
LABELS /= LABELS.sum(axis=1, keepdims=True)
SPARSE = np.array([0, 5, 2, 2])


def test_softmax_cross_entropy_values():
    out = tf.nn.softmax_cross_entropy_with_logits(labels=LABELS, logits=Z)
    logp = Z - np.log(np.exp(Z).sum(-1, keepdims=True))
    assert out.shape == (4,)
    np.testing.assert_allclose(out.numpy(), -(LABELS * logp).sum(-1), rtol=1e-12)
    out0 = tf.nn.softmax_cross_entropy_with_logits(labels=LABELS.T, logits=Z.T, axis=0)
    np.testing.assert_allclose(out0.numpy(), out.numpy(), rtol=1e-12)


def test_sparse_softmax_cross_entropy_values():
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=SPARSE, logits=Z)
    dense = tf.nn.softmax_cross_entropy_with_logits(labels=tf.one_hot(SPARSE, 6, dtype=tf.float64), logits=Z)
    assert out.shape == (4,) and out.dtype == tf.float64
    np.testing.assert_allclose(out.numpy(), dense.numpy(), rtol=1e-12)
    out32 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([1], tf.int64),
                                                           logits=[[1.0, 2.0]])
    np.testing.assert_allclose(out32.numpy(), [np.log1p(np.exp(-1.0))], rtol=1e-6)


@pytest.mark.parametrize("wrt", ["logits", "labels", "logits_axis0"])
def test_softmax_cross_entropy_gradients(wrt):
    if wrt == "logits":
        assert_grad(lambda t: weighted(tf.nn.softmax_cross_entropy_with_logits(labels=LABELS, logits=t)), Z)
    elif wrt == "labels":
        assert_grad(lambda t: weighted(tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=Z)), LABELS)
    else:
        assert_grad(lambda t: weighted(tf.nn.softmax_cross_entropy_with_logits(
            labels=LABELS.T, logits=t, axis=0)), Z.T)


def test_sparse_softmax_cross_entropy_gradients():
    assert_grad(lambda t: weighted(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=SPARSE, logits=t)), Z)
    z3 = RNG.standard_normal((2, 2, 6))
    assert_grad(lambda t: weighted(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=np.array([[0, 5], [2, 2]]), logits=t)), z3)


def test_sparse_softmax_cross_entropy_bad_labels():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"label value of 3.*\[0, 3\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 3], logits=tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0, 1.0], logits=tf.zeros([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels shape"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0]], logits=tf.zeros([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels shape"):
        tf.nn.softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 4]))


# ---- dropout ------------------------------------------------------------------------------------

def test_dropout_rate_and_scaling():
    x = tf.ones([20000])
    y = tf.nn.dropout(x, rate=0.25).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - 0.25), rtol=1e-6)
    assert abs((~kept).mean() - 0.25) < 0.02
    assert tf.nn.dropout(x, 0.25).dtype == tf.float32


def test_dropout_rate_zero_is_identity():
    x = tf.constant(Z)
    np.testing.assert_array_equal(tf.nn.dropout(x, rate=0.0).numpy(), Z)


def test_dropout_is_repeatable_with_seeds():
    x = tf.ones([64])
    tf.random.set_seed(3)
    a = tf.nn.dropout(x, 0.5, seed=1).numpy()
    b = tf.nn.dropout(x, 0.5, seed=1).numpy()
    c = tf.nn.dropout(x, 0.5).numpy()
    tf.random.set_seed(3)
    np.testing.assert_array_equal(tf.nn.dropout(x, 0.5, seed=1).numpy(), a)
    np.testing.assert_array_equal(tf.nn.dropout(x, 0.5, seed=1).numpy(), b)
    np.testing.assert_array_equal(tf.nn.dropout(x, 0.5).numpy(), c)
    assert not np.array_equal(a, b)       # successive calls draw new masks


def test_dropout_noise_shape_broadcasts_the_mask():
    tf.random.set_seed(0)
    y = tf.nn.dropout(tf.ones([50, 3]), rate=0.5, noise_shape=[50, 1]).numpy()
    assert np.all((y == y[:, :1]))
    assert set(np.unique(y)) <= {0.0, 2.0}


def test_dropout_gradient_is_the_scaled_mask():
    tf.random.set_seed(5)
    x = tf.Variable(RNG.standard_normal((10, 10)))
    with tf.GradientTape() as tape:
        y = tf.nn.dropout(x, rate=0.3)
    g = tape.gradient(y, x).numpy()
    mask = (y.numpy() != 0) * (1 / 0.7)
    np.testing.assert_allclose(g, mask, rtol=1e-12)
    np.testing.assert_allclose(y.numpy(), x.numpy() * mask, rtol=1e-12)


def test_dropout_gradient_by_finite_differences_with_a_fixed_seed():
    def f(t):
        tf.random.set_seed(9)
        return weighted(tf.nn.dropout(t, 0.4, seed=2))
    assert_grad(f, Z)


def test_dropout_bad_rate():
    for rate in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="rate"):
            tf.nn.dropout(tf.ones([3]), rate=rate)


def test_max_pool_over_channels_as_tensorflow():
    """TF's depth pooling: ksize = strides = [1, 1, 1, k]: the max of each group of k channels
    (values recorded from TF 2.21 for this input: they are the group maxima, which this checks)."""
    x = np.random.default_rng(0).standard_normal((2, 3, 3, 6)).astype(np.float32)
    y = tf.nn.max_pool(x, (1, 1, 1, 3), (1, 1, 1, 3), "VALID")
    np.testing.assert_array_equal(y.numpy(), x.reshape(2, 3, 3, 2, 3).max(axis=4))
    assert_grad(lambda t: tf.nn.max_pool2d(t, [1, 1, 1, 2], [1, 1, 1, 2], "VALID") ** 2,
                np.random.default_rng(1).standard_normal((1, 2, 2, 4)))
    with pytest.raises(ValueError, match="channels"):
        tf.nn.max_pool(x, (1, 1, 1, 4), (1, 1, 1, 4), "VALID")
    with pytest.raises(ValueError, match="over channels"):
        tf.nn.max_pool(x, (1, 2, 2, 3), (1, 1, 1, 3), "VALID")


def test_bias_add_relu_is_relu_of_bias_add():
    """The fused op the layers use: the values of the two ops, bitwise, and their gradients
    (first order against finite differences; second order through an outer tape)."""
    from tinytf.ops.nn_ops import bias_add_relu
    b = RNG.standard_normal(6)
    for z in (Z, Z.astype(np.float32)):
        bb = b.astype(z.dtype)
        assert bias_add_relu(z, bb).numpy().tobytes() == tf.nn.relu(tf.nn.bias_add(z, bb)).numpy().tobytes()
    x4 = RNG.standard_normal((2, 3, 3, 6))
    assert_grad(lambda t: weighted(bias_add_relu(t, b)), x4)
    assert_grad(lambda t: weighted(bias_add_relu(x4, t)), b)
    assert_grad(lambda t: weighted(bias_add_relu(Z, t)), b)
    x, w = tf.Variable(x4), tf.constant(np.abs(b))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(bias_add_relu(x * x, w))
        z = tf.reduce_sum(inner.gradient(y, x))
    h = outer.gradient(z, x)
    np.testing.assert_allclose(h.numpy(), np.where(x4 * x4 + np.abs(b) > 0, 2.0, 0.0))


def test_scale_regularization_loss_sums():
    terms = [tf.constant(1.0), tf.constant(2.5)]
    assert float(tf.nn.scale_regularization_loss(terms)) == 3.5
    assert float(tf.nn.scale_regularization_loss(tf.constant([1.0, 2.0]))) == 3.0
