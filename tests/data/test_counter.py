"""tf.data.experimental.Counter: the endless start, start + step, ... dataset (TensorFlow's: int64
scalars by default, infinite cardinality)."""
import numpy as np
import pytest

import tinytf as tf


def test_counts_from_start_by_step():
    ds = tf.data.experimental.Counter()
    assert [int(x) for x in ds.take(3)] == [0, 1, 2]
    assert ds.element_spec == tf.TensorSpec((), tf.int64)
    assert int(ds.cardinality()) == tf.data.INFINITE_CARDINALITY
    assert [int(x) for x in tf.data.experimental.Counter(10, -3).take(4)] == [10, 7, 4, 1]
    f = [x.numpy() for x in tf.data.experimental.Counter(0.5, 0.25, dtype=tf.float32).take(3)]
    assert f == [0.5, 0.75, 1.0] and f[0].dtype == np.float32


def test_zips_with_a_dataset_as_an_index():
    ds = tf.data.Dataset.zip((tf.data.experimental.Counter(), tf.data.Dataset.from_tensor_slices([5, 6])))
    assert [(int(i), int(v)) for i, v in ds] == [(0, 5), (1, 6)]


def test_argument_checks():
    with pytest.raises(TypeError, match="dtype must be a number type"):
        tf.data.experimental.Counter(dtype=tf.string)
    with pytest.raises(TypeError, match="step must be a number"):
        tf.data.experimental.Counter(step="1")
