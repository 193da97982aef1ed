"""Assigning into a slice of a variable (TensorFlow's ``_SliceHelperVar``): ``v[i, j].assign``,
``v[1:3].assign``; values as TF 2.21 gives them (recorded by hand in this file's cases), errors of
the same class, and gradients taken before the write unaffected."""
import numpy as np
import pytest

import tinytf as tf


def test_slice_assign_matches_tensorflow():
    v = tf.Variable(np.arange(12, dtype="float32").reshape(3, 4))
    assert v[1, 2].assign(100.0) is v
    v[0:2, 1:3].assign([[1., 2.], [3., 4.]])
    v[:, 0].assign(tf.zeros(3))
    v[..., 3].assign(7.0)  # a scalar broadcasts
    v[2].assign(np.ones(4))
    np.testing.assert_array_equal(v.numpy(), [[0, 1, 2, 7], [0, 3, 4, 7], [1, 1, 1, 1]])
    v[0, 0].assign(1)  # an int into a float variable, as TF
    v[tf.newaxis, 0].assign(np.ones((1, 4)))
    np.testing.assert_array_equal(v.numpy()[0], [1, 1, 1, 1])
    v[::-1, 1].assign([5., 6., 7.])
    np.testing.assert_array_equal(v.numpy()[:, 1], [7, 6, 5])
    i = tf.Variable([1, 2, 3])
    i[1].assign(5)
    np.testing.assert_array_equal(i.numpy(), [1, 5, 3])


def test_slice_reads_and_errors_as_tensorflow():
    v = tf.Variable(np.arange(12, dtype="float32").reshape(3, 4))
    np.testing.assert_array_equal(v[1:3].numpy(), np.arange(4, 12).reshape(2, 4))
    with pytest.raises(AttributeError, match="assign_add"):  # TF's slice has only assign
        v[1:3].assign_add(np.ones((2, 4)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot broadcast input shape \[3, 4\]"):
        v[0:2].assign(np.ones((3, 4)))
    with pytest.raises(tf.errors.InvalidArgumentError):
        v[5].assign(np.ones(4))
    with pytest.raises(tf.errors.InvalidArgumentError):
        v[[0, 1]].assign(np.ones((2, 4)))
    np.testing.assert_array_equal(v.numpy(), np.arange(12).reshape(3, 4))  # failed writes change nothing


def test_gradients_unaffected_by_a_later_slice_write():
    w = tf.Variable([1., 2., 3.])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(w[0:2] * w[0:2]) + tf.reduce_sum(w * w)
    old = w[0:2]
    w[0].assign(10.)
    np.testing.assert_array_equal(t.gradient(y, w).numpy(), [4., 8., 6.])
    np.testing.assert_array_equal(old.numpy(), [1., 2.])  # a slice read before the write keeps its value
