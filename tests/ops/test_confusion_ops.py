"""tf.math.confusion_matrix against TF 2.21 (tests/fixtures/record_tf_misc19.py) and its argument checks."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "misc19.npz"))


def test_counts_and_weighted_sums_match_tensorflow():
    cm = tf.math.confusion_matrix(FIX["labels"], FIX["preds"])
    assert cm.dtype == tf.int32
    np.testing.assert_array_equal(cm.numpy(), FIX["cm"])
    cw = tf.math.confusion_matrix(tf.constant(FIX["labels"]), FIX["preds"], num_classes=6, weights=FIX["w"],
                                  dtype=tf.float32)
    np.testing.assert_array_max_ulp(cw.numpy(), FIX["cm_w"], maxulp=2)


def test_bad_labels_are_clear_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        tf.math.confusion_matrix([0, -1], [0, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_classes=2"):
        tf.math.confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="same number"):
        tf.math.confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(TypeError, match="integers"):
        tf.math.confusion_matrix([0.5], [1])
