"""tf.image.stateless_random_*: a function of the seed pair only (same seed, same image, whatever the
global seed), the draw in the documented range, TensorFlow's argument checks."""
import numpy as np
import pytest

import tinytf as tf

IMG = np.random.default_rng(0).random((4, 6, 5, 3), dtype=np.float32)


@pytest.mark.parametrize("fn,args", [
    (tf.image.stateless_random_brightness, (0.3,)),
    (tf.image.stateless_random_contrast, (0.2, 1.8)),
    (tf.image.stateless_random_saturation, (0.2, 1.8)),
    (tf.image.stateless_random_hue, (0.3,)),
    (tf.image.stateless_random_flip_left_right, ()),
    (tf.image.stateless_random_flip_up_down, ()),
])
def test_depends_on_the_seed_only(fn, args):
    tf.random.set_seed(1)
    a = fn(IMG, *args, seed=(5, 6)).numpy()
    tf.random.set_seed(2)
    tf.random.uniform([3])
    np.testing.assert_array_equal(fn(IMG, *args, seed=tf.constant([5, 6])).numpy(), a)
    outs = [fn(IMG, *args, seed=(5, s)).numpy() for s in range(8)]
    assert any(not np.array_equal(o, a) for o in outs)


def test_brightness_adds_one_delta_in_range():
    for s in range(10):
        d = tf.image.stateless_random_brightness(IMG, 0.25, seed=[s, 0]).numpy() - IMG
        assert np.ptp(d) < 1e-6 and -0.25 <= d.mean() < 0.25


def test_contrast_factor_in_range():
    for s in range(10):
        out = tf.image.stateless_random_contrast(IMG, 0.5, 0.7, seed=[s, 1]).numpy()
        mean = IMG.mean(axis=(1, 2), keepdims=True)
        k = (out - mean)[IMG != mean] / (IMG - mean)[IMG != mean]
        assert 0.5 - 1e-3 <= np.median(k) < 0.7 + 1e-3


def test_flips_are_per_image_and_are_flips():
    out = tf.image.stateless_random_flip_left_right(IMG, seed=[0, 3]).numpy()
    for o, i in zip(out, IMG):
        assert np.array_equal(o, i) or np.array_equal(o, i[:, ::-1])
    flipped = [sum(not np.array_equal(o, i) for o, i in zip(
        tf.image.stateless_random_flip_up_down(IMG, seed=[s, 3]).numpy(), IMG)) for s in range(20)]
    assert 0 < np.mean(flipped) < 4
    single = tf.image.stateless_random_flip_up_down(IMG[0], seed=[1, 1]).numpy()
    assert np.array_equal(single, IMG[0]) or np.array_equal(single, IMG[0][::-1])


def test_crop_is_a_window_of_the_input():
    for s in range(5):
        out = tf.image.stateless_random_crop(IMG, [4, 3, 2, 3], seed=[s, 9]).numpy()
        hits = [(r, c) for r in range(4) for c in range(4) if np.array_equal(IMG[:, r:r + 3, c:c + 2], out)]
        assert len(hits) == 1
    np.testing.assert_array_equal(tf.image.stateless_random_crop(IMG, [4, 3, 2, 3], seed=[1, 9]).numpy(),
                                  tf.image.stateless_random_crop(IMG, [4, 3, 2, 3], seed=[1, 9]).numpy())


def test_argument_checks():
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        tf.image.stateless_random_brightness(IMG, -0.1, seed=[1, 2])
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.stateless_random_contrast(IMG, 0.5, 0.5, seed=[1, 2])
    with pytest.raises(ValueError, match="max_delta must be <= 0.5"):
        tf.image.stateless_random_hue(IMG, 0.7, seed=[1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"seed must have shape \[2\]"):
        tf.image.stateless_random_flip_left_right(IMG, seed=[1])
    with pytest.raises(ValueError, match="stateless_random_crop: need 0 <= size"):
        tf.image.stateless_random_crop(IMG, [4, 9, 2, 3], seed=[1, 2])
