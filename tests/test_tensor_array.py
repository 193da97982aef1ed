"""tf.TensorArray (tinytf/tensor_array.py) against TF 2.21 (tests/fixtures/record_tf_tensor_array.py
-> tensor_array.npz; tanh on the path: 4 float32 ulps of the largest magnitude); float64 gradients
through a written-then-stacked loop against finite differences; TensorFlow's eager rules and errors."""
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tensor_array.npz"))


def _close(actual, expected, maxulp=4):
    scale = np.spacing(np.float32(np.abs(expected).max()))
    np.testing.assert_array_less(np.abs(np.asarray(actual) - expected), maxulp * scale + 1e-30)


def test_recurrence_in_a_gradient_tape_matches_tensorflow():
    xv, wv = tf.Variable(FIX["x0"]), tf.Variable(FIX["w"])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        h = xv
        for i in tf.range(4):
            h = tf.tanh(tf.matmul(h, wv) + tf.cast(i, tf.float32))
            ta = ta.write(i, h)
        stacked = ta.stack()
        loss = tf.reduce_sum(stacked * FIX["g"])
    _close(stacked.numpy(), FIX["stacked"])
    gx, gw = tape.gradient(loss, [xv, wv])
    _close(gx.numpy(), FIX["gx"], 16)
    _close(gw.numpy(), FIX["gw"], 16)
    assert int(ta.size()) == 4 and tuple(ta.element_shape) == (2, 3) and ta.dynamic_size


def test_unstack_gather_split_concat_and_zeros_match_tensorflow():
    u = tf.TensorArray(tf.float32, size=4).unstack(tf.constant(FIX["g"][:, 0]))
    np.testing.assert_array_equal(u.gather([3, 1]).numpy(), FIX["gathered"])
    split = tf.TensorArray(tf.float32, size=2).split(tf.range(5.0), [2, 3])
    np.testing.assert_array_equal(split.concat().numpy(), FIX["split_concat"])
    zeros = tf.TensorArray(tf.float32, size=3, element_shape=(2,)).write(1, [1.0, 2.0]).stack()
    np.testing.assert_array_equal(zeros.numpy(), FIX["zeros"])
    assert tf.TensorArray(tf.float32, size=0, dynamic_size=True).stack().shape == (0,)
    ints = tf.TensorArray(tf.int32, size=3).unstack([4, 5, 6])
    assert ints.stack().dtype == tf.int32 and ints.gather([2, 0]).numpy().tolist() == [6, 4]


def test_float64_gradient_through_writes_and_reads():
    def f(x):
        ta = tf.TensorArray(tf.float64, size=3, clear_after_read=False)
        h = x
        for i in range(3):
            h = tf.sin(h) * x + float(i)
            ta = ta.write(i, h)
        return ta.stack() * ta.read(1) + tf.reshape(ta.concat(), (3, 2))
    assert_grad(f, np.random.default_rng(0).standard_normal((2,)))


def test_tensorflow_rules_and_errors():
    with pytest.raises(ValueError, match="Size must be declared"):
        tf.TensorArray(tf.float32)
    ta = tf.TensorArray(tf.float32, size=2)
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable and size is: 2"):
        ta.write(2, 1.0)
    with pytest.raises(tf.errors.OutOfRangeError, match="negative"):
        ta.write(-1, 1.0)
    ta = ta.write(0, [1.0, 2.0])
    ta.write(1, [1, 2])  # Python ints take the array's dtype
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype is float32 but Op is trying to write dtype int32"):
        ta.write(1, tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Incompatible shape"):
        ta.write(1, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ta.read(0).numpy(), [1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="twice"):
        ta.read(0)  # cleared after the first read (TensorFlow's eager default)
    with pytest.raises(tf.errors.OutOfRangeError, match="array size is: 2"):
        ta.read(5)
    with pytest.raises(ValueError, match="static size 2"):
        tf.TensorArray(tf.float32, size=2).unstack(tf.zeros((3, 2)))
    with pytest.raises(ValueError, match="not fully defined"):
        tf.TensorArray(tf.float32, size=2).read(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="sum of lengths"):
        tf.TensorArray(tf.float32, size=2, dynamic_size=True).split(tf.range(5.0), [2, 2])
    with pytest.raises(TypeError, match="index"):
        tf.TensorArray(tf.float32, size=2).write(0.5, 1.0)
    assert tf.TensorArray("float32", size=1).dtype == tf.float32
