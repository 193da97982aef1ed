"""tf.gather_nd and tf.unique against TF 2.21 (tests/fixtures/detect19.npz, record_tf_detect19.py)."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "detect19.npz"))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_gather_nd_matches_tf(k):
    out = tf.gather_nd(FIX["p"], FIX[f"gnd_idx{k}"], batch_dims=int(k == 4))
    np.testing.assert_array_equal(out.numpy(), FIX[f"gnd{k}"])
    assert out.dtype == tf.float32


def test_gather_nd_gradient_adds_repeated_indices():
    p = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather_nd(p, [[0, 1], [0, 1], [1, 2]]) * tf.constant([1.0, 2.0, 5.0]))
    np.testing.assert_array_equal(tape.gradient(y, p).numpy(), [[0, 3, 0], [0, 0, 5]])


def test_gather_nd_errors_name_the_bad_index():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[2, 0\] does not index"):
        tf.gather_nd(np.zeros((2, 3)), [[0, 0], [2, 0]])
    with pytest.raises(TypeError, match="int32 or int64"):
        tf.gather_nd(np.zeros((2, 3)), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="rank >= 3"):
        tf.gather_nd(np.zeros((2, 3)), [[0, 0, 0]])
    with pytest.raises(ValueError, match="share their first 1 axes"):
        tf.gather_nd(np.zeros((2, 3)), [[0], [1], [2]], batch_dims=1)


def test_unique_matches_tf():
    y, idx = tf.unique(FIX["u"])
    np.testing.assert_array_equal(y.numpy(), FIX["uy"])
    np.testing.assert_array_equal(idx.numpy(), FIX["uidx"])
    assert idx.dtype == tf.int32
    assert tf.unique(FIX["u"], out_idx=tf.int64)[1].dtype == tf.int64


def test_unique_reconstructs_and_keeps_first_appearance_order():
    x = np.array([3.5, -1.0, 3.5, 7.0, -1.0, 0.0], np.float32)
    y, idx = tf.unique(x)
    np.testing.assert_array_equal(y.numpy(), [3.5, -1.0, 7.0, 0.0])
    np.testing.assert_array_equal(tf.gather(y, idx).numpy(), x)


def test_unique_needs_a_vector():
    with pytest.raises(tf.errors.InvalidArgumentError, match="vector"):
        tf.unique(np.zeros((2, 2)))
