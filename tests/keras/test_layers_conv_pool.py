"""tf.keras.layers.Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D
as a Keras 3 user writes them (names, arguments and defaults checked against Keras 3.15).

Outputs are checked against a direct NumPy loop (TensorFlow's SAME/VALID rules: out = ceil(n/s) for
SAME with the odd padding cell after, out = ceil((n - (k-1)*d) / s) for VALID).
"""
import re

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
RNG = np.random.default_rng(42)


def rand(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def npy(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


def wname(w):
    return w.name.split("/")[-1].split(":")[0]


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pads(n, k, s, d, padding):
    ke = (k - 1) * d + 1
    if padding == "valid":
        return -(-(n - ke + 1) // s), 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + ke - n, 0)
    return out, total // 2, total - total // 2


def ref_conv(x, w, b, strides, padding, dilation):
    (sh, sw), (dh, dw) = pair(strides), pair(dilation)
    kh, kw, _, f = w.shape
    n, h, wd, _ = x.shape
    oh, pt, pb = pads(h, kh, sh, dh, padding)
    ow, pl, pr = pads(wd, kw, sw, dw, padding)
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out + (0 if b is None else b)


def ref_pool(x, pool, strides, padding, kind):
    (ph, pw), (sh, sw) = pair(pool), pair(strides)
    n, h, wd, c = x.shape
    oh, pt, pb = pads(h, ph, sh, 1, padding)
    ow, pl, pr = pads(wd, pw, sw, 1, padding)
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=np.nan)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, i * sh:i * sh + ph, j * sw:j * sw + pw, :]
            out[:, i, j, :] = np.nanmax(win, (1, 2)) if kind == "max" else np.nanmean(win, (1, 2))
    return out


def assert_config_round_trip(layer, x):
    y = npy(layer(x))
    config = layer.get_config()
    clone = type(layer).from_config(config)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(npy(clone(x)), y, rtol=1e-6, atol=1e-6)
    assert clone.get_config() == config


# --------------------------------------------------------------------------------- Conv2D

CONV_CASES = [
    dict(kernel_size=3),
    dict(kernel_size=3, padding="same"),
    dict(kernel_size=3, padding="SAME"),
    dict(kernel_size=(2, 3), strides=2, padding="Same"),
    dict(kernel_size=3, strides=(2, 3), padding="VALID"),
    dict(kernel_size=4, strides=3, padding="same"),
    dict(kernel_size=3, dilation_rate=2, padding="valid"),
    dict(kernel_size=(3, 2), dilation_rate=(2, 3), padding="same"),
    dict(kernel_size=1, strides=2),
    dict(kernel_size=(1, 5), padding="same", use_bias=False),
]


@pytest.mark.parametrize("kw", CONV_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
@pytest.mark.parametrize("hw", [(9, 8), (7, 7)])
def test_conv2d_output_and_compute_output_shape(kw, hw):
    x = rand(2, *hw, 3)
    conv = layers.Conv2D(4, bias_initializer="random_normal", **kw)
    y = conv(x)
    assert tuple(y.shape) == tuple(conv.compute_output_shape(x.shape))
    static = tuple(conv.compute_output_shape((None,) + x.shape[1:]))
    assert static == (None,) + tuple(y.shape)[1:]
    b = None if conv.bias is None else npy(conv.bias)
    ref = ref_conv(x, npy(conv.kernel), b, kw.get("strides", 1), kw.get("padding", "valid").lower(),
                   kw.get("dilation_rate", 1))
    np.testing.assert_allclose(npy(y), ref, rtol=1e-4, atol=1e-5)


def test_conv2d_defaults():
    conv = layers.Conv2D(8, 3)
    assert conv.strides == (1, 1)
    assert conv.padding == "valid"
    assert conv.dilation_rate == (1, 1)
    assert conv.kernel_size == (3, 3)
    assert conv.use_bias is True
    cfg = conv.get_config()
    assert cfg["filters"] == 8 and cfg["kernel_size"] == (3, 3) and cfg["strides"] == (1, 1)
    assert cfg["padding"] == "valid" and cfg["data_format"] == "channels_last"
    assert cfg["activation"] == "linear"
    conv(rand(1, 5, 5, 2))
    np.testing.assert_array_equal(npy(conv.bias), np.zeros(8, np.float32))  # zeros bias


def test_conv2d_padding_is_case_insensitive_and_stored_lowercase():
    assert layers.Conv2D(2, 3, padding="SAME").padding == "same"
    assert layers.Conv2D(2, 3, padding="Valid").get_config()["padding"] == "valid"


def test_conv2d_default_kernel_is_glorot_uniform_with_receptive_field_fans():
    conv = layers.Conv2D(64, 5)
    conv(np.zeros((1, 5, 5, 32), np.float32))
    k = npy(conv.kernel)
    assert k.shape == (5, 5, 32, 64)
    fan_in, fan_out = 5 * 5 * 32, 5 * 5 * 64
    limit = np.sqrt(6.0 / (fan_in + fan_out))  # 0.05; without the receptive field it would be 0.25
    assert np.abs(k).max() <= limit + 1e-7
    assert np.abs(k).max() > 0.99 * limit
    np.testing.assert_allclose(k.std(), limit / np.sqrt(3), rtol=0.02)
    assert abs(k.mean()) < 0.002


def test_conv2d_weights_in_keras_order():
    conv = layers.Conv2D(3, (2, 2), name="c")
    conv(rand(1, 4, 4, 2))
    assert [wname(w) for w in conv.weights] == ["kernel", "bias"]
    assert [wname(w) for w in conv.trainable_weights] == ["kernel", "bias"]
    assert conv.non_trainable_weights == []
    assert conv.kernel is conv.weights[0] and conv.bias is conv.weights[1]
    k = rand(2, 2, 2, 3)
    b = rand(3)
    conv.set_weights([k, b])
    got = conv.get_weights()
    np.testing.assert_array_equal(got[0], k)
    np.testing.assert_array_equal(got[1], b)
    x = rand(2, 4, 4, 2)
    np.testing.assert_allclose(npy(conv(x)), ref_conv(x, k, b, 1, "valid", 1), rtol=1e-5, atol=1e-5)
    assert conv.count_params() == 2 * 2 * 2 * 3 + 3


def test_conv2d_no_bias_and_not_trainable():
    conv = layers.Conv2D(3, 2, use_bias=False, trainable=False)
    conv(rand(1, 4, 4, 2))
    assert conv.bias is None
    assert conv.trainable_weights == []
    assert [wname(w) for w in conv.non_trainable_weights] == ["kernel"]


@pytest.mark.parametrize("activation", ["relu", tf.nn.relu])
def test_conv2d_activation_as_string_or_function(activation):
    conv = layers.Conv2D(4, 3, padding="same", activation=activation)
    x = rand(2, 5, 5, 2)
    y = npy(conv(x))
    ref = np.maximum(ref_conv(x, npy(conv.kernel), npy(conv.bias), 1, "same", 1), 0)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    assert conv.get_config()["activation"] == "relu"


def test_conv2d_initializers_and_regularizers():
    conv = layers.Conv2D(2, 3, kernel_initializer=tf.keras.initializers.Constant(0.5),
                         bias_initializer="ones",
                         kernel_regularizer=tf.keras.regularizers.l2(0.01),
                         bias_regularizer="l1")
    conv(np.zeros((1, 4, 4, 2), np.float32))
    np.testing.assert_array_equal(npy(conv.kernel), np.full((3, 3, 2, 2), 0.5, np.float32))
    np.testing.assert_array_equal(npy(conv.bias), np.ones(2, np.float32))
    total = sum(float(npy(l)) for l in conv.losses)
    expected = 0.01 * np.sum(npy(conv.kernel) ** 2) + 0.01 * np.sum(np.abs(npy(conv.bias)))  # l1 default 0.01
    np.testing.assert_allclose(total, expected, rtol=1e-5)
    assert_config_round_trip(conv, rand(1, 4, 4, 2))


@pytest.mark.parametrize("kw", [
    dict(kernel_size=3, strides=2, padding="same", activation="relu"),
    dict(kernel_size=(3, 1), dilation_rate=(2, 1), use_bias=False, kernel_initializer="he_normal"),
])
def test_conv2d_config_round_trip(kw):
    conv = layers.Conv2D(3, **kw)
    assert_config_round_trip(conv, rand(2, 7, 7, 2))


def test_conv2d_legacy_names():
    assert layers.Convolution2D is layers.Conv2D


def test_conv2d_default_names():
    a, b = layers.Conv2D(1, 1), layers.Conv2D(1, 1)
    assert re.match(r"^conv2d(_\d+)?$", a.name) and re.match(r"^conv2d(_\d+)?$", b.name)
    assert a.name != b.name


@pytest.mark.parametrize("kw, arg", [
    (dict(filters=0, kernel_size=3), "filters"),
    (dict(filters=-2, kernel_size=3), "filters"),
    (dict(filters=2, kernel_size=3, padding="full"), "padding"),
    (dict(filters=2, kernel_size=3, padding="causal"), "padding"),
    (dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
    (dict(filters=2, kernel_size=3, strides=(1, 2), dilation_rate=(2, 1)), "dilation_rate"),
    (dict(filters=2, kernel_size=0), "kernel_size"),
    (dict(filters=2, kernel_size=3, strides=0), "strides"),
])
def test_conv2d_bad_arguments_are_value_errors_naming_the_argument(kw, arg):
    with pytest.raises(ValueError, match=arg):
        layers.Conv2D(**kw)


def test_conv2d_dilation_error_also_names_strides():
    with pytest.raises(ValueError, match="strides"):
        layers.Conv2D(2, 3, strides=2, dilation_rate=2)


@pytest.mark.parametrize("shape", [(2, 5, 5), (2, 5, 5, 1, 1)])
def test_conv2d_wrong_input_rank_is_a_value_error(shape):
    with pytest.raises(ValueError, match="4"):
        layers.Conv2D(2, 3)(np.zeros(shape, np.float32))


def test_conv2d_explicit_build_then_call_keeps_the_weights():
    conv = layers.Conv2D(2, 1)
    conv.build((None, 3, 3, 1))
    assert conv.built
    conv.set_weights([np.ones((1, 1, 1, 2), np.float32), np.zeros(2, np.float32)])
    x = rand(1, 3, 3, 1)
    np.testing.assert_allclose(npy(conv(x)), np.repeat(x, 2, axis=-1), rtol=1e-6)
    assert len(conv.weights) == 2


# --------------------------------------------------------------------------------- pooling

POOL_CASES = [
    dict(),
    dict(pool_size=3),
    dict(pool_size=3, strides=2, padding="same"),
    dict(pool_size=(2, 3), strides=1),
    dict(pool_size=2, strides=(1, 2), padding="SAME"),
    dict(pool_size=3, strides=3, padding="Same"),
    dict(pool_size=(3, 2), strides=2, padding="VALID"),
]


@pytest.mark.parametrize("kw", POOL_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "default")
@pytest.mark.parametrize("cls, kind", [(layers.MaxPooling2D, "max"), (layers.AveragePooling2D, "avg")])
def test_pooling_output_and_compute_output_shape(cls, kind, kw):
    x = rand(2, 7, 8, 3)
    pool = cls(**kw)
    y = pool(x)
    assert tuple(y.shape) == tuple(pool.compute_output_shape(x.shape))
    assert tuple(pool.compute_output_shape((None, 7, 8, 3))) == (None,) + tuple(y.shape)[1:]
    size = kw.get("pool_size", 2)
    ref = ref_pool(x, size, kw.get("strides", size), kw.get("padding", "valid").lower(), kind)
    np.testing.assert_allclose(npy(y), ref, rtol=1e-5, atol=1e-6)
    assert pool.weights == [] and pool.get_weights() == []


@pytest.mark.parametrize("cls", [layers.MaxPooling2D, layers.AveragePooling2D])
def test_pooling_defaults_strides_equal_pool_size(cls):
    pool = cls(pool_size=3)
    assert pool.pool_size == (3, 3) and pool.strides == (3, 3) and pool.padding == "valid"
    cfg = pool.get_config()
    assert cfg["pool_size"] == (3, 3) and cfg["strides"] == (3, 3) and cfg["padding"] == "valid"
    assert layers.MaxPooling2D().pool_size == (2, 2) and layers.MaxPooling2D().strides == (2, 2)


@pytest.mark.parametrize("cls", [layers.MaxPooling2D, layers.AveragePooling2D])
def test_pooling_config_round_trip(cls):
    assert_config_round_trip(cls(pool_size=(2, 3), strides=(1, 2), padding="same"), rand(2, 5, 6, 2))


def test_pooling_tf2_aliases_and_names():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool2D is layers.AveragePooling2D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool2D is layers.GlobalMaxPooling2D
    for make, base in [(layers.MaxPool2D, "max_pooling2d"), (layers.MaxPooling2D, "max_pooling2d"),
                       (lambda: layers.AvgPool2D(2), "average_pooling2d"),
                       (layers.GlobalAveragePooling2D, "global_average_pooling2d"),
                       (layers.GlobalMaxPooling2D, "global_max_pooling2d")]:
        a, b = make(), make()
        assert re.match(rf"^{base}(_\d+)?$", a.name), a.name
        assert a.name != b.name


def test_average_pooling_same_excludes_padded_cells():
    x = np.ones((1, 3, 3, 1), np.float32)
    y = npy(layers.AveragePooling2D(2, strides=2, padding="same")(x))
    np.testing.assert_array_equal(y, np.ones((1, 2, 2, 1), np.float32))


@pytest.mark.parametrize("cls", [layers.MaxPooling2D, layers.AveragePooling2D,
                                 layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D])
def test_pooling_wrong_input_rank_is_a_value_error(cls):
    with pytest.raises(ValueError, match="4"):
        cls()(np.zeros((2, 5, 5), np.float32))


@pytest.mark.parametrize("kw, arg", [(dict(padding="bad"), "padding"), (dict(pool_size=0), "pool_size"),
                                     (dict(strides=0), "strides")])
def test_pooling_bad_arguments(kw, arg):
    with pytest.raises(ValueError, match=arg):
        layers.MaxPooling2D(**kw)


@pytest.mark.parametrize("cls, ref", [(layers.GlobalAveragePooling2D, np.mean),
                                      (layers.GlobalMaxPooling2D, np.max)])
def test_global_pooling(cls, ref):
    x = rand(2, 5, 4, 3)
    g = cls()
    y = g(x)
    assert tuple(y.shape) == (2, 3) == tuple(g.compute_output_shape(x.shape))
    assert tuple(g.compute_output_shape((None, 5, 4, 3))) == (None, 3)
    np.testing.assert_allclose(npy(y), ref(x, axis=(1, 2)), rtol=1e-5, atol=1e-6)
    g2 = cls(keepdims=True)
    y2 = g2(x)
    assert tuple(y2.shape) == (2, 1, 1, 3) == tuple(g2.compute_output_shape(x.shape))
    assert g.get_config()["keepdims"] is False and g.get_config()["data_format"] == "channels_last"
    assert_config_round_trip(g2, x)
    assert g.weights == []


def test_conv_pool_stack_shapes_symbolic():
    x = tf.keras.Input((28, 28, 1))
    h = layers.Conv2D(6, 3)(x)
    assert tuple(h.shape) == (None, 26, 26, 6)
    h = layers.MaxPooling2D(2, 2)(h)
    assert tuple(h.shape) == (None, 13, 13, 6)
    h = layers.Conv2D(16, 3, padding="same", strides=2)(h)
    assert tuple(h.shape) == (None, 7, 7, 16)
    h = layers.GlobalAveragePooling2D()(h)
    assert tuple(h.shape) == (None, 16)


@pytest.mark.parametrize("make", [lambda act: tf.keras.layers.Conv2D(4, 3, padding="same", activation=act),
                                  lambda act: tf.keras.layers.Dense(5, activation=act)])
def test_layer_relu_is_fused_with_the_bias_and_changes_no_bit(make):
    """activation='relu' (or tf.nn.relu) runs as one fused op; values and gradients are those of
    the layer without activation followed by a ReLU layer."""
    x = tf.constant(np.random.default_rng(0).standard_normal((2, 6, 6, 3)).astype(np.float32))
    plain = make(None)
    plain.build(x.shape)
    plain.bias.assign(np.linspace(-1, 1, plain.bias.shape[0]).astype(np.float32))
    results = []
    for act in ("relu", tf.nn.relu, None):
        layer = make(act)
        layer.build(x.shape)
        layer.set_weights(plain.get_weights())
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x) if act else tf.keras.layers.ReLU()(layer(x))
            loss = tf.reduce_sum(y * y)
        assert ("BiasAddRelu" in [e.name for e in tape._entries]) == (act is not None)
        grads = tape.gradient(loss, [x] + layer.trainable_variables)
        results.append([y.numpy().tobytes()] + [g.numpy().tobytes() for g in grads])
    assert results[0] == results[1] == results[2]
