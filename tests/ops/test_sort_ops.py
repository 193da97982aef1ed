"""``tf.sort``, ``tf.argsort``, ``tf.math.top_k`` and ``take_along_axis`` (ops/sort_ops.py):
values against NumPy, ties as TensorFlow orders them, gradients against finite differences."""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad
from tinytf.ops import sort_ops as S

RNG = np.random.default_rng(3)


def test_sort_and_argsort():
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_array_equal(tf.sort(x).numpy(), np.sort(x, -1))
    np.testing.assert_array_equal(tf.sort(x, axis=0, direction="DESCENDING").numpy(), -np.sort(-x, 0))
    np.testing.assert_array_equal(tf.argsort(x).numpy(), np.argsort(x, -1, kind="stable"))
    assert tf.argsort(x).dtype == tf.int32
    ties = np.array([2, 1, 2, 1, 3], np.int32)
    np.testing.assert_array_equal(tf.argsort(ties, direction="DESCENDING").numpy(), [4, 0, 2, 1, 3])
    np.testing.assert_array_equal(tf.argsort(np.array([1, 0, 1], np.uint8), direction="DESCENDING").numpy(),
                                  [0, 2, 1])
    with pytest.raises(ValueError, match="direction"):
        tf.sort(x, direction="UP")


def test_top_k_ties_take_the_lower_index():
    values, idx = tf.math.top_k(np.array([[1.0, 3.0, 3.0, 2.0]], np.float32), k=3)
    np.testing.assert_array_equal(values.numpy(), [[3, 3, 2]])
    np.testing.assert_array_equal(idx.numpy(), [[1, 2, 3]])
    assert idx.dtype == tf.int32 and tf.nn.top_k is tf.math.top_k
    with pytest.raises(tf.errors.InvalidArgumentError, match="k must be"):
        tf.math.top_k(np.ones((2, 3)), k=4)


def test_take_along_axis():
    x = RNG.standard_normal((3, 4))
    idx = np.array([[0, 3], [1, 1], [-1, 2]])
    np.testing.assert_array_equal(S.take_along_axis(x, idx, 1).numpy(), np.take_along_axis(x, idx % 4, 1))
    np.testing.assert_array_equal(S.take_along_axis(x, np.array([[2, 0, 1, 0]]), 0).numpy(),
                                  np.take_along_axis(x, np.array([[2, 0, 1, 0]]), 0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="indices must be in"):
        S.take_along_axis(x, np.array([[4]]), 1)
    with pytest.raises(ValueError, match="rank"):
        S.take_along_axis(x, np.array([1]), 1)


@pytest.mark.parametrize("fn", [
    lambda t: tf.sort(t) * tf.constant(np.arange(4.0)),
    lambda t: tf.sort(t, axis=0, direction="DESCENDING") * tf.constant(np.arange(12.0).reshape(3, 4)),
    lambda t: tf.math.top_k(t, 2)[0] * tf.constant(np.array([1.0, 5.0])),
    lambda t: S.take_along_axis(t, np.array([[0, 0, 3]]), 1) * tf.constant(np.arange(9.0).reshape(3, 3)),
], ids=["sort", "sort_desc", "top_k", "take_along_axis_repeated"])
def test_gradients(fn):
    assert_grad(fn, RNG.standard_normal((3, 4)))
