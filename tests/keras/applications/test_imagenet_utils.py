"""keras.applications' preprocess_input against Keras 3 numbers (tests/fixtures/record_tf_preprocessing.py)."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras_preprocessing.npz"))
apps = tf.keras.applications


@pytest.mark.parametrize("mod, mode", [("vgg16", "caffe"), ("mobilenet_v2", "tf"), ("densenet", "torch")])
def test_preprocess_input_matches_keras_for_arrays_and_tensors(mod, mode):
    f = getattr(apps, mod).preprocess_input
    got = f(FIX["img"].copy())
    np.testing.assert_array_max_ulp(np.asarray(got), FIX[f"pre_{mode}_np"], maxulp=1)
    got_t = f(tf.constant(FIX["img"]))
    assert isinstance(got_t, tf.Tensor)
    np.testing.assert_array_max_ulp(got_t.numpy(), FIX[f"pre_{mode}_tensor"], maxulp=1)


def test_integer_arrays_become_float32_and_float_arrays_change_in_place_as_keras():
    u8 = FIX["img"].astype(np.uint8)
    got = apps.xception.preprocess_input(u8)
    assert got.dtype == np.float32 and u8.dtype == np.uint8
    x = FIX["img"].copy()
    apps.inception_v3.preprocess_input(x)
    np.testing.assert_array_equal(x, FIX["pre_tf_np"])
    assert apps.efficientnet.preprocess_input(u8) is u8


def test_bad_mode_and_data_format_are_value_errors():
    with pytest.raises(ValueError, match="mode"):
        apps.imagenet_utils.preprocess_input(FIX["img"], mode="keras")
    with pytest.raises(ValueError, match="data_format"):
        apps.imagenet_utils.preprocess_input(FIX["img"], data_format="NHWC")
