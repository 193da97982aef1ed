"""Keras layers Conv2DTranspose, SeparableConv2D, DepthwiseConv2D, Conv1D, UpSampling2D,
ZeroPadding2D and Cropping2D: outputs and gradients (w.r.t. the input and every weight) against
Keras 3.15 / TF 2.21 (tests/fixtures/keras_conv_layers.npz, tests/fixtures/record_tf_conv.py),
output shapes, channels_first, configs, the model summary, clear argument errors.
"""
import json
import os

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
RNG = np.random.default_rng(5)


def load(filename):
    with np.load(os.path.join(FIXTURES, filename), allow_pickle=False) as data:
        cases = json.loads(str(data["cases"]))
        arrays = {k: data[k] for k in data.files if k != "cases"}
    return [pytest.param(c, {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(c["name"] + "/")},
                         id=c["name"]) for c in cases]


@pytest.mark.parametrize("case, d", load("keras_conv_layers.npz"))
def test_matches_keras(case, d):
    layer = getattr(layers, case["cls"])(**case["kwargs"])
    layer.build(d["x"].shape)
    names = [w.name.split("/")[-1].split(":")[0] for w in layer.weights]
    assert names == case["weight_names"]
    assert tuple(layer.compute_output_shape(d["x"].shape)) == tuple(case["output_shape"])
    layer.set_weights([d[f"w{i}"] for i in range(case["n_weights"])])
    x = tf.constant(d["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * d["g"])
    np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-5, atol=1e-5)
    grads = tape.gradient(loss, [x] + layer.trainable_weights)
    np.testing.assert_allclose(grads[0].numpy(), d["dx"], rtol=1e-5, atol=1e-5, err_msg="dx")
    for i, g in enumerate(grads[1:]):
        np.testing.assert_allclose(g.numpy(), d[f"dw{i}"], rtol=1e-5, atol=1e-5, err_msg=f"dw{i}")


LAYERS = [  # (layer factory, channels_last input shape)
    (lambda f: layers.Conv2DTranspose(3, 3, strides=2, padding="same", data_format=f), (2, 3, 4, 2)),
    (lambda f: layers.Conv2DTranspose(2, 2, strides=(2, 3), output_padding=(1, 0), data_format=f), (1, 3, 3, 2)),
    (lambda f: layers.Conv2DTranspose(2, 3, dilation_rate=2, padding="same", data_format=f), (1, 5, 5, 2)),
    (lambda f: layers.SeparableConv2D(4, 3, strides=2, depth_multiplier=2, data_format=f), (2, 7, 6, 3)),
    (lambda f: layers.DepthwiseConv2D(3, padding="same", depth_multiplier=3, data_format=f), (2, 5, 4, 2)),
    (lambda f: layers.UpSampling2D((2, 3), data_format=f), (2, 3, 2, 2)),
    (lambda f: layers.ZeroPadding2D(((1, 2), (0, 3)), data_format=f), (1, 3, 3, 2)),
    (lambda f: layers.Cropping2D(((1, 0), (2, 1)), data_format=f), (1, 5, 6, 2)),
]


@pytest.mark.parametrize("make, shape", LAYERS)
def test_channels_first_equals_transposed_channels_last(make, shape):
    last, first = make("channels_last"), make("channels_first")
    x = RNG.standard_normal(shape).astype(np.float32)
    y = last(x)
    first.build((shape[0], shape[3]) + shape[1:3])
    first.set_weights(last.get_weights())
    yf = first(np.transpose(x, (0, 3, 1, 2)))
    np.testing.assert_allclose(yf.numpy(), np.transpose(y.numpy(), (0, 3, 1, 2)), rtol=1e-5, atol=1e-6)
    assert tuple(last.compute_output_shape(shape)) == y.shape
    assert tuple(first.compute_output_shape((shape[0], shape[3]) + shape[1:3])) == yf.shape


def test_conv1d_channels_first_and_causal_sees_only_the_past():
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
    x = RNG.standard_normal((1, 9, 2)).astype(np.float32)
    y = layer(x).numpy()
    x2 = x.copy()
    x2[:, 5:] += 1.0
    np.testing.assert_array_equal(layer(x2).numpy()[:, :5], y[:, :5])
    first = layers.Conv1D(2, 3, padding="causal", dilation_rate=2, data_format="channels_first")
    first.build((1, 2, 9))
    first.set_weights(layer.get_weights())
    np.testing.assert_allclose(first(np.transpose(x, (0, 2, 1))).numpy(), np.transpose(y, (0, 2, 1)), rtol=1e-6)


def test_upsampling_gradient_sums_each_block():
    x = tf.constant(RNG.standard_normal((1, 2, 2, 1)).astype(np.float32))
    g = np.arange(1, 25, dtype=np.float32).reshape(1, 4, 6, 1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layers.UpSampling2D((2, 3))(x)
        loss = tf.reduce_sum(y * g)
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], np.repeat(np.repeat(x.numpy()[0, :, :, 0], 2, 0), 3, 1))
    expected = g[0, :, :, 0].reshape(2, 2, 2, 3).sum(axis=(1, 3))  # block (i, j): rows 2i.., cols 3j..
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy()[0, :, :, 0], expected)


def test_config_round_trip_and_summary():
    model = tf.keras.Sequential([
        layers.Input((8, 8, 3)),
        layers.Conv2D(4, 3, padding="same"),
        layers.SeparableConv2D(6, 3, depth_multiplier=2),
        layers.DepthwiseConv2D(3, padding="same"),
        layers.ZeroPadding2D(1),
        layers.Cropping2D(((0, 1), (1, 0))),
        layers.UpSampling2D(2),
        layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
    ])
    out = []
    model.summary(print_fn=lambda s, *a, **k: out.append(s))
    text = "\n".join(out)
    for cls, shape, params in [("SeparableConv2D", "(None, 6, 6, 6)", 3 * 3 * 4 * 2 + 8 * 6 + 6),
                               ("DepthwiseConv2D", "(None, 6, 6, 6)", 3 * 3 * 6 + 6),
                               ("ZeroPadding2D", "(None, 8, 8, 6)", 0), ("Cropping2D", "(None, 7, 7, 6)", 0),
                               ("UpSampling2D", "(None, 14, 14, 6)", 0),
                               ("Conv2DTranspose", "(None, 28, 28, 2)", 3 * 3 * 2 * 6 + 2)]:
        row = next(line for line in text.splitlines() if f"({cls})" in line)
        assert shape in row and f" {params} " in row, row
    assert model.predict(np.zeros((2, 8, 8, 3), np.float32), verbose=0).shape == (2, 28, 28, 2)
    for layer in model.layers:
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv2DTranspose(0, 3), "filters"),
    (lambda: layers.Conv2DTranspose(2, 3, output_padding=-1), "output_padding"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
    (lambda: layers.SeparableConv2D(2, 3, padding="full"), "padding"),
    (lambda: layers.Conv1D(2, 3, padding="full"), "causal"),
    (lambda: layers.Conv1D(2, (3, 3)), "kernel_size"),
    (lambda: layers.UpSampling2D(interpolation="cubic"), "interpolation"),
    (lambda: layers.ZeroPadding2D(((1, 2), (3,))), "padding"),
    (lambda: layers.Cropping2D(-1), "cropping"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


# Keras 3.15's UpSampling2D((2, 3), interpolation=...) on this input, max |diff| from tinytf was
# 6e-8 (bilinear), 1.2e-7 (bicubic), 2.4e-7 (area): it is tf.image.resize by the factor.
@pytest.mark.parametrize("method", ["bilinear", "bicubic", "area", "lanczos3"])
def test_resizing_upsampling_is_tf_image_resize_by_the_factor(method):
    x = np.random.default_rng(0).random((2, 3, 4, 2), dtype=np.float32)
    y = layers.UpSampling2D((2, 3), interpolation=method)(x)
    np.testing.assert_array_equal(y.numpy(), tf.image.resize(x, [6, 12], method=method).numpy())
    first = layers.UpSampling2D((2, 3), data_format="channels_first", interpolation=method)(x.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(first.numpy(), y.numpy().transpose(0, 3, 1, 2))


@pytest.mark.parametrize("layer, shape, match", [
    (layers.Cropping2D(((2, 2), (0, 0))), (1, 4, 4, 1), "removes all"),
    (layers.Conv2DTranspose(2, 2, strides=2, padding="same", output_padding=0), (1, 3, 3, 1), "output_padding"),
    (layers.Conv1D(2, 3), (1, 4, 4, 1), "3-D"),
    (layers.DepthwiseConv2D(5), (1, 4, 4, 1), "output would be empty"),
])
def test_bad_input_shapes(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape, np.float32))


def test_receptive_field_column_knows_the_new_layers():
    model = tf.keras.Sequential([layers.Input((9, 9, 2)), layers.SeparableConv2D(2, 3),
                                 layers.DepthwiseConv2D(3, strides=2), layers.ZeroPadding2D(1)])
    out = []
    model.summary(print_fn=out.append, receptive_field=True)
    rows = [line for line in "\n".join(out).splitlines() if "Conv2D)" in line or "Padding2D)" in line]
    assert [row.split("│")[-3].strip() for row in rows] == ["3", "5", "5"]
    assert [row.split("│")[-2].strip() for row in rows] == ["1", "2", "2"]
    seq = tf.keras.Sequential([layers.Input((12, 2)), layers.Conv1D(2, 3, strides=2, padding="causal"),
                               layers.Conv1D(2, 3, dilation_rate=2)])
    out = []
    seq.summary(print_fn=out.append, receptive_field=True)
    rows = [line for line in "\n".join(out).splitlines() if "(Conv1D)" in line]
    assert [row.split("│")[-3].strip() for row in rows] == ["1x3", "1x11"]
    up = tf.keras.Sequential([layers.Input((4, 4, 1)), layers.UpSampling2D(2)])
    with pytest.raises(ValueError, match="upsampling layer"):
        up.summary(print_fn=out.append, receptive_field=True)
