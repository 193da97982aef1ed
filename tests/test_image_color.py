"""tf.image's HSV ops against TF 2.21 (tests/fixtures/detect19.npz, record_tf_detect19.py): adjust_hue and
adjust_saturation bitwise (TensorFlow's CPU kernels' float32 steps, including grey, black and
primary pixels), rgb_to_hsv within 4 ulp (Eigen orders its float32 operations its own way)."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "detect19.npz"))


@pytest.mark.parametrize("i,delta", enumerate([0.2, -0.45, 0.999, -1.0, 0.0]))
def test_adjust_hue_matches_tf(i, delta):
    np.testing.assert_array_equal(tf.image.adjust_hue(FIX["f"], delta).numpy(), FIX[f"hue_f{i}"])
    out = tf.image.adjust_hue(FIX["u8"], delta)
    assert out.dtype == tf.uint8
    np.testing.assert_array_equal(out.numpy(), FIX[f"hue_u{i}"])


@pytest.mark.parametrize("i,factor", enumerate([0.5, 0.0, 2.0, 7.5]))
def test_adjust_saturation_matches_tf(i, factor):
    np.testing.assert_array_equal(tf.image.adjust_saturation(FIX["f"], factor).numpy(), FIX[f"sat_f{i}"])
    np.testing.assert_array_equal(tf.image.adjust_saturation(FIX["u8"], factor).numpy(), FIX[f"sat_u{i}"])


def test_hsv_conversions_match_tf():
    np.testing.assert_array_max_ulp(tf.image.rgb_to_hsv(FIX["f"]).numpy(), FIX["hsv"], maxulp=4)
    np.testing.assert_array_max_ulp(tf.image.hsv_to_rgb(FIX["hsv"]).numpy(), FIX["rgb"], maxulp=4)


def test_random_hue_and_saturation_stay_in_their_ranges():
    img = FIX["f"]
    tf.random.set_seed(3)
    a = tf.image.random_saturation(img, 0.5, 1.5, seed=4).numpy()
    tf.random.set_seed(3)
    np.testing.assert_array_equal(tf.image.random_saturation(img, 0.5, 1.5, seed=4).numpy(), a)
    matches = [np.array_equal(a, tf.image.adjust_saturation(img, f).numpy()) for f in np.linspace(0.5, 1.5, 5)]
    assert not any(matches)  # a factor drawn from [0.5, 1.5), not a grid point
    out = tf.image.random_hue(img, 0.1, seed=1).numpy()
    # hue rotation keeps each pixel's max and min channel
    np.testing.assert_allclose(out.max(-1), img.max(-1), atol=1e-6)
    np.testing.assert_allclose(out.min(-1), img.min(-1), atol=1e-6)


def test_argument_checks():
    with pytest.raises(tf.errors.InvalidArgumentError, match="last dimension of images must be 3"):
        tf.image.adjust_hue(np.zeros((2, 2, 4), np.float32), 0.1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least 3-D"):
        tf.image.adjust_saturation(np.zeros((2, 3), np.float32), 0.1)
    with pytest.raises(TypeError, match="rgb_to_hsv: images must be float"):
        tf.image.rgb_to_hsv(np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="max_delta must be <= 0.5"):
        tf.image.random_hue(FIX["f"], 0.6)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_saturation(FIX["f"], 1.0, 1.0)
    with pytest.raises(ValueError, match="lower must be non-negative"):
        tf.image.random_saturation(FIX["f"], -1.0, 1.0)
