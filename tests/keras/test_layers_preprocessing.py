"""Keras preprocessing layers: the deterministic ones and fixed transforms of the random ones against
Keras 3.15 (tests/fixtures/keras_preproc.npz, recorded by record_tf_image.py); the random ones by
their invariants (inference identity, repeatable seeds, outputs that are one of the allowed ones)."""
import json
import os

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with np.load(os.path.join(HERE, "fixtures", "keras_preproc.npz"), allow_pickle=False) as _d:
    FIX = {k: _d[k] for k in _d.files}
CASES = {c["name"]: c for c in json.loads(str(FIX.pop("cases")))}
X = np.random.default_rng(0).random((4, 6, 7, 2)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_keras(name):
    c = CASES[name]
    layer = getattr(layers, c["layer"])(**c["config"])
    out = layer(FIX[f"{name}/x"], training=c.get("training", False))
    want = FIX[f"{name}/out"]
    assert out.shape == want.shape and out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


RANDOM = [lambda: layers.RandomFlip(seed=1), lambda: layers.RandomRotation(0.2, seed=1),
          lambda: layers.RandomZoom(0.3, seed=1), lambda: layers.RandomTranslation(0.2, 0.3, seed=1),
          lambda: layers.RandomContrast(0.5, seed=1), lambda: layers.RandomFlip("horizontal"),
          lambda: layers.RandomRotation((-0.1, 0.3), fill_mode="constant", interpolation="nearest")]


@pytest.mark.parametrize("make", RANDOM)
def test_random_layers_identity_at_inference(make):
    layer = make()
    np.testing.assert_array_equal(layer(X).numpy(), X)
    np.testing.assert_array_equal(layer(X, training=False).numpy(), X)
    assert layer.compute_output_shape((None, 6, 7, 2)) == (None, 6, 7, 2)


@pytest.mark.parametrize("make", RANDOM + [lambda: layers.RandomCrop(3, 4, seed=2)])
def test_random_layers_repeat_after_set_seed(make):
    outs = []
    for _ in range(2):
        tf.random.set_seed(5)
        layer = make()
        outs.append([layer(X, training=True).numpy() for _ in range(2)])
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])
    assert not np.array_equal(outs[0][0], X[:, :outs[0][0].shape[1], :outs[0][0].shape[2]])


@pytest.mark.parametrize("mode, options", [
    ("horizontal", lambda x: [x, x[:, ::-1]]), ("vertical", lambda x: [x, x[::-1]]),
    ("horizontal_and_vertical", lambda x: [x, x[::-1, ::-1]])])
def test_random_flip_gives_one_of_the_flips(mode, options):
    x = np.random.default_rng(1).random((32, 3, 4, 1)).astype(np.float32)
    out = layers.RandomFlip(mode, seed=3)(x, training=True).numpy()
    which = [[np.array_equal(o, c) for c in options(xi)] for o, xi in zip(out, x)]
    assert all(any(w) for w in which)
    assert 4 < sum(w[1] for w in which) < 28  # both outcomes happen
    one = layers.RandomFlip(mode, seed=3)(x[0], training=True).numpy()
    assert any(np.array_equal(one, c) for c in options(x[0]))


def test_zero_factors_are_identity():
    for layer in (layers.RandomRotation(0.0), layers.RandomTranslation(0.0, 0.0), layers.RandomZoom(0.0),
                  layers.RandomContrast(0.0)):
        np.testing.assert_allclose(layer(X, training=True).numpy(), X, atol=1e-6)


def test_rotation_quarter_turn_is_rot90():
    x = np.random.default_rng(2).random((1, 5, 5, 1)).astype(np.float32)
    out = layers.RandomRotation((0.25, 0.25))(x, training=True).numpy()
    np.testing.assert_allclose(out, tf.image.rot90(x, 1).numpy(), atol=1e-5)


def test_random_crop_training_window_and_inference_resize():
    x = np.arange(6 * 7, dtype=np.float32).reshape(1, 6, 7, 1)
    out = layers.RandomCrop(3, 4, seed=4)(x, training=True).numpy()[0, :, :, 0]
    top, left = np.argwhere(x[0, :, :, 0] == out[0, 0])[0]
    np.testing.assert_array_equal(out, x[0, top:top + 3, left:left + 4, 0])
    inf = layers.RandomCrop(3, 4)(x).numpy()
    assert inf.shape == (1, 3, 4, 1)
    np.testing.assert_allclose(inf, layers.Resizing(3, 4, crop_to_aspect_ratio=True)(x).numpy())


def test_random_contrast_clips_and_keeps_mean_inside_range():
    x = np.random.default_rng(3).random((8, 5, 5, 3)).astype(np.float32) * 255
    out = layers.RandomContrast((0.4, 0.9), seed=1)(x, training=True).numpy()
    assert out.min() >= 0 and out.max() <= 255
    wide = layers.RandomContrast(0.5, value_range=(-1e9, 1e9), seed=1)(x, training=True).numpy()
    np.testing.assert_allclose(wide.mean((1, 2)), x.mean((1, 2)), rtol=1e-4)


def test_in_a_sequential_model_and_gradient_through_augmentation():
    model = tf.keras.Sequential([layers.Rescaling(1 / 255.0), layers.RandomFlip(seed=1), layers.RandomRotation(0.1),
                                 layers.Resizing(4, 4), layers.Flatten(), layers.Dense(2)])
    x = tf.constant(X * 255)
    assert model(x).shape == (4, 2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(model(x, training=True))
    assert tape.gradient(y, x).shape == x.shape


def test_config_round_trip_and_output_shapes():
    for layer in (layers.Resizing(3, 5, "nearest", crop_to_aspect_ratio=True), layers.CenterCrop(2, 3),
                  layers.RandomZoom((-0.2, 0.1), 0.3, fill_mode="wrap", seed=3), layers.Rescaling([1, 2], 0.5),
                  layers.RandomCrop(2, 2), layers.RandomContrast(0.2)):
        clone = type(layer).from_config(layer.get_config())
        assert {k: v for k, v in clone.get_config().items() if k != "name"} == \
            {k: v for k, v in layer.get_config().items() if k != "name"}
    assert layers.Resizing(3, 5).compute_output_shape((None, 9, 9, 1)) == (None, 3, 5, 1)
    assert layers.CenterCrop(2, 3).compute_output_shape((9, 9, 1)) == (2, 3, 1)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Resizing(0, 3), "height must be a positive int"),
    (lambda: layers.Resizing(3, 3, interpolation="cubic"), "interpolation must be one of"),
    (lambda: layers.CenterCrop(2, 2.5), "width must be a positive int"),
    (lambda: layers.RandomFlip("diagonal"), "mode must be one of"),
    (lambda: layers.RandomRotation(1.5), r"factor must be in \[-1.0, 1.0\]"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "fill_mode must be one of"),
    (lambda: layers.RandomZoom(-1.0), r"height_factor must be in \(-1.0, 1.0\]"),
    (lambda: layers.RandomTranslation(0.1, "a"), "width_factor must be a number"),
    (lambda: layers.RandomContrast(-0.1), r"factor must be in \[0.0, 1.0\]"),
    (lambda: layers.Rescaling("x"), "scale must be a number"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_resizing_pad_to_aspect_ratio_pads_both_sides_with_fill_value():
    x = np.ones((1, 4, 4, 1), np.float32)
    out = layers.Resizing(4, 8, pad_to_aspect_ratio=True, fill_value=-1.0)(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, np.tile([-1, -1, 1, 1, 1, 1, -1, -1], (4, 1)))
    with pytest.raises(ValueError, match="only one of"):
        layers.Resizing(4, 8, pad_to_aspect_ratio=True, crop_to_aspect_ratio=True)


def test_data_layers_stack_a_list_of_images_as_keras():
    """Keras 3 (TF 2.21): CenterCrop/Rescaling/Resizing/RandomFlip called on a Python list of
    images stack it into a batch; a Sequential of them too."""
    imgs = [np.full((6, 8, 3), float(i), "float32") for i in range(3)]
    assert tuple(layers.CenterCrop(4, 4)(imgs).shape) == (3, 4, 4, 3)
    assert tuple(layers.Resizing(3, 4)(imgs).shape) == (3, 3, 4, 3)
    assert tuple(layers.RandomFlip()(imgs).shape) == (3, 6, 8, 3)
    out = tf.keras.Sequential([layers.CenterCrop(4, 4), layers.Rescaling(0.5)])(imgs)
    np.testing.assert_array_equal(np.asarray(out)[:, 0, 0, 0], [0.0, 0.5, 1.0])
