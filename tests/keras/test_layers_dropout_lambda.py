"""SpatialDropout2D (whole channels, training only, seeded) and Lambda (call, inferred or given
output shape, training argument, no config)."""
import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
RNG = np.random.default_rng(34)


def rand(*shape):
    return RNG.normal(size=shape).astype(np.float32) + 3.0  # no zeros: a zero output means dropped


# ------------------------------------------------------------------------------ SpatialDropout2D

@pytest.mark.parametrize("data_format, channel_axis", [(None, 3), ("channels_first", 1)])
def test_spatial_dropout_drops_whole_channels_and_scales(data_format, channel_axis):
    x = rand(8, 5, 5, 16) if channel_axis == 3 else rand(8, 16, 5, 5)
    y = layers.SpatialDropout2D(0.5, data_format=data_format, seed=3)(x, training=True).numpy()
    kept = np.moveaxis(y != 0, channel_axis, 1).reshape(8, 16, -1)
    assert np.all(kept.all(-1) | ~kept.any(-1)), "a channel was partly dropped"
    frac = 1 - kept.all(-1).mean()
    assert 0.3 < frac < 0.7
    np.testing.assert_allclose(y[y != 0], (x * 2)[y != 0], rtol=1e-6)


@pytest.mark.parametrize("data_format, channel_axis", [(None, 4), ("channels_first", 1)])
def test_spatial_dropout3d_drops_whole_channels(data_format, channel_axis):
    x = rand(8, 3, 4, 5, 16) if channel_axis == 4 else rand(8, 16, 3, 4, 5)
    layer = layers.SpatialDropout3D(0.5, data_format=data_format, seed=3)
    y = layer(x, training=True).numpy()
    kept = np.moveaxis(y != 0, channel_axis, 1).reshape(8, 16, -1)
    assert np.all(kept.all(-1) | ~kept.any(-1)), "a channel was partly dropped"
    assert 0.3 < 1 - kept.all(-1).mean() < 0.7
    np.testing.assert_allclose(y[y != 0], (x * 2)[y != 0], rtol=1e-6)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    with pytest.raises(ValueError, match="5-D input"):
        layers.SpatialDropout3D(0.5)(rand(2, 3, 3, 4))


def test_spatial_dropout_is_the_identity_outside_training():
    x = rand(2, 3, 3, 4)
    layer = layers.SpatialDropout2D(0.9)
    for training in (None, False):
        np.testing.assert_array_equal(layer(x, training=training).numpy(), x)
    np.testing.assert_array_equal(layers.SpatialDropout2D(0.0)(x, training=True).numpy(), x)


def test_spatial_dropout_seeded_masks_repeat_after_set_seed():
    x = rand(4, 2, 2, 8)

    def masks():
        tf.random.set_seed(5)
        layer = layers.SpatialDropout2D(0.5, seed=11)
        return [layer(x, training=True).numpy() != 0 for _ in range(2)]
    a, b = masks(), masks()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1]), "every call should draw a new mask"


def test_spatial_dropout_gradient_is_the_mask():
    x = tf.constant(rand(4, 2, 2, 8))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layers.SpatialDropout2D(0.25, seed=1)(x, training=True)
    g = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(g, np.where(y.numpy() != 0, 1 / 0.75, 0), rtol=1e-6)


def test_spatial_dropout_in_fit_and_config():
    model = tf.keras.Sequential([layers.Input((4, 4, 2)), layers.Conv2D(3, 3), layers.SpatialDropout2D(0.3),
                                 layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rand(8, 4, 4, 2), rand(8, 1), epochs=1, verbose=0)
    layer = layers.SpatialDropout2D(0.3, data_format="channels_first", seed=2)
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("kw, err", [(dict(rate=1.0), ValueError), (dict(rate=-0.1), ValueError),
                                     (dict(rate="0.5"), ValueError), (dict(rate=0.5, seed=1.5), TypeError),
                                     (dict(rate=0.5, data_format="nhwc"), ValueError)])
def test_spatial_dropout_bad_arguments(kw, err):
    with pytest.raises(err, match="rate|seed|data_format"):
        layers.SpatialDropout2D(**kw)


def test_spatial_dropout_needs_4d_input():
    with pytest.raises(ValueError, match="4"):
        layers.SpatialDropout2D(0.5)(rand(2, 3, 4), training=True)


# ------------------------------------------------------------------------------------- Lambda

def test_lambda_calls_the_function_and_infers_the_shape():
    layer = layers.Lambda(lambda t: tf.reduce_sum(t * 2.0, axis=-1, keepdims=True))
    x = rand(3, 4)
    np.testing.assert_allclose(layer(x).numpy(), (x * 2).sum(-1, keepdims=True), rtol=1e-6)
    assert tuple(layer.compute_output_shape((None, 4))) == (None, 1)
    assert tuple(layers.Lambda(lambda t: t[:, :2])(layers.Input((5, 3))).shape) == (None, 2, 3)
    assert tuple(layers.Lambda(tf.transpose)(layers.Input((5,), batch_size=2)).shape) == (5, 2)


def test_lambda_given_output_shape_and_arguments():
    layer = layers.Lambda(lambda t, k: t * k, output_shape=(4,), arguments={"k": 3.0})
    assert tuple(layer.compute_output_shape((None, 4))) == (None, 4)
    np.testing.assert_allclose(layer(np.ones((2, 4), np.float32)).numpy(), 3.0)
    shaped = layers.Lambda(lambda t: t, output_shape=lambda s: (s[0], 7))
    assert tuple(shaped.compute_output_shape((None, 4))) == (None, 7)


def test_lambda_on_a_list_and_in_a_functional_model_with_gradients():
    a, b = layers.Input((3,)), layers.Input((3,))
    out = layers.Lambda(lambda ts: ts[0] * ts[1])([a, b])
    assert tuple(out.shape) == (None, 3)
    model = tf.keras.Model([a, b], layers.Dense(1)(out))
    x, y = tf.constant(rand(2, 3)), tf.constant(rand(2, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(model([x, y]))
    k = model.layers[-1].kernel.numpy()[:, 0]
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), y.numpy() * k, rtol=1e-5)


def test_lambda_passes_training():
    layer = layers.Lambda(lambda t, training=None: t * (2.0 if training else 1.0))
    x = np.ones((1, 2), np.float32)
    assert layer(x, training=True).numpy()[0, 0] == 2 and layer(x).numpy()[0, 0] == 1


def test_lambda_config_is_refused_and_bad_arguments():
    with pytest.raises(NotImplementedError, match="serialize"):
        layers.Lambda(lambda t: t).get_config()
    with pytest.raises(TypeError, match="function"):
        layers.Lambda(3)
    with pytest.raises(TypeError, match="output_shape"):
        layers.Lambda(lambda t: t, output_shape=4)
    with pytest.raises(ValueError, match="output_shape"):
        layers.Lambda(lambda t: t @ np.ones((3, 3), np.float32))(layers.Input((4,)))
