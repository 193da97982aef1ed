"""Contract point 3 (random): tf.random.normal / uniform and tf.random.set_seed.

The streams are NumPy's, not TensorFlow's Philox, so only TensorFlow's guarantees are tested:
same seed -> same numbers, shapes, dtypes, ranges and moments.
"""
import numpy as np
import pytest

import tinytf as tf
from tinytf import backend


def draw_program():
    """A little program of random calls, as a user would write it."""
    return [tf.random.normal([3, 2]).numpy(),
            tf.random.uniform([4]).numpy(),
            tf.random.normal([2], mean=1.0, stddev=0.5, seed=7).numpy(),
            tf.random.uniform([2], minval=-1, maxval=1, seed=7).numpy(),
            tf.random.uniform([3], 0, 10, dtype=tf.int32).numpy()]


def test_same_seed_same_numbers():
    tf.random.set_seed(1234)
    first = draw_program()
    tf.random.set_seed(1234)
    second = draw_program()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_different_numbers():
    tf.random.set_seed(1)
    a = tf.random.normal([8]).numpy()
    tf.random.set_seed(2)
    b = tf.random.normal([8]).numpy()
    assert not np.array_equal(a, b)


def test_successive_draws_differ():
    tf.random.set_seed(0)
    a, b = tf.random.normal([8]).numpy(), tf.random.normal([8]).numpy()
    assert not np.array_equal(a, b)
    c, d = tf.random.normal([8], seed=3).numpy(), tf.random.normal([8], seed=3).numpy()
    assert not np.array_equal(c, d)       # an op seed gives a sequence, as in TF


def test_op_seed_repeatable_after_set_seed():
    tf.random.set_seed(5)
    a = tf.random.uniform([5], seed=10).numpy()
    tf.random.normal([100])               # unrelated draws
    tf.random.set_seed(5)
    b = tf.random.uniform([5], seed=10).numpy()
    np.testing.assert_array_equal(a, b)


def test_set_seed_argument_forms():
    tf.random.set_seed(3)
    expected = tf.random.uniform([4]).numpy()
    for form in (dict(seed=3), dict(seed=np.int64(3)), dict(seed=np.int32(3))):
        tf.random.set_seed(**form)
        np.testing.assert_array_equal(tf.random.uniform([4]).numpy(), expected, err_msg=str(form))
    tf.random.set_seed(None)
    assert backend.get_seed() is None
    for bad in ("3", 3.0, True, [3]):
        with pytest.raises(TypeError, match="seed must be an int or None"):
            tf.random.set_seed(bad)


@pytest.mark.parametrize("shape, expected", [
    ([2, 3], (2, 3)), ((4,), (4,)), ([], ()), (5, (5,)), (tf.constant([2, 2]), (2, 2)),
])
def test_shapes(shape, expected):
    assert tf.random.normal(shape).shape == expected
    assert tf.random.uniform(shape).shape == expected


def test_default_and_explicit_dtypes():
    assert tf.random.normal([2]).dtype == tf.float32
    assert tf.random.uniform([2]).dtype == tf.float32
    assert tf.random.normal([2], dtype=tf.float64).dtype == tf.float64
    assert tf.random.uniform([2], dtype=tf.float64).dtype == tf.float64
    assert tf.random.uniform([2], maxval=5, dtype=tf.int32).dtype == tf.int32
    assert tf.random.uniform([2], maxval=5, dtype=tf.int64).dtype == tf.int64


def test_normal_moments():
    tf.random.set_seed(0)
    n = tf.random.normal(shape=[100000], mean=3.0, stddev=2.0).numpy()
    assert abs(n.mean() - 3.0) < 0.05
    assert abs(n.std() - 2.0) < 0.05
    s = tf.random.normal([100000]).numpy()
    assert abs(s.mean()) < 0.02 and abs(s.std() - 1.0) < 0.02


def test_uniform_range_and_moments():
    tf.random.set_seed(0)
    u = tf.random.uniform(shape=[100000], minval=-1.0, maxval=3.0).numpy()
    assert u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 0.05
    d = tf.random.uniform([100000]).numpy()
    assert d.min() >= 0.0 and d.max() < 1.0
    i = tf.random.uniform([10000], minval=2, maxval=5, dtype=tf.int32).numpy()
    assert set(np.unique(i)) == {2, 3, 4}


def test_bad_dtypes():
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="dtype"):
        tf.random.normal([2], dtype=tf.int32)


def test_random_tensors_are_constants_for_the_tape():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = v * tf.random.normal([])
    g = tape.gradient(y, v)
    assert g is not None and g.shape == ()


def test_op_seed_stream_depends_only_on_its_own_seed_pair():
    """TensorFlow's rule: (global seed, op seed) and how often that pair was used fix the numbers;
    ops with other seeds, or without a seed, drawing in between change nothing."""
    tf.random.set_seed(3)
    first = [tf.random.uniform([4], seed=5).numpy(), tf.random.uniform([4], seed=5).numpy()]
    tf.random.set_seed(3)
    tf.random.uniform([9], seed=7)
    tf.random.normal([9])
    a = tf.random.uniform([4], seed=5).numpy()
    tf.random.normal([3], seed=7)
    b = tf.random.uniform([4], seed=5).numpy()
    np.testing.assert_array_equal(a, first[0])
    np.testing.assert_array_equal(b, first[1])
    assert not np.array_equal(first[0], first[1])  # the pair's second use is a new draw


def test_op_seed_without_global_seed_is_repeatable_and_global_seed_matters():
    tf.random.set_seed(None)
    a = tf.random.uniform([4], seed=5).numpy()
    tf.random.set_seed(None)
    np.testing.assert_array_equal(tf.random.uniform([4], seed=5).numpy(), a)
    tf.random.set_seed(1)
    assert not np.array_equal(tf.random.uniform([4], seed=5).numpy(), a)


def test_negative_seeds_work_and_bad_seeds_are_refused():
    tf.random.set_seed(-4)
    a = tf.random.normal([3], seed=-1).numpy()
    tf.random.set_seed(-4)
    np.testing.assert_array_equal(tf.random.normal([3], seed=-1).numpy(), a)
    with pytest.raises(TypeError, match="seed"):
        tf.random.normal([3], seed="7")


def test_random_state_round_trip_restores_every_stream():
    from tinytf import backend
    tf.random.set_seed(11)
    tf.random.uniform([2], seed=5)
    state = backend.get_state()
    want = [tf.random.uniform([3], seed=5).numpy(), tf.random.normal([3]).numpy()]
    tf.random.uniform([2], seed=5)
    backend.set_state(state)
    got = [tf.random.uniform([3], seed=5).numpy(), tf.random.normal([3]).numpy()]
    for w, g in zip(want, got):
        np.testing.assert_array_equal(w, g)
    before = backend.get_state()
    with pytest.raises(ValueError, match="random state"):
        backend.set_state({"global_seed": 1, "bit_generator": {"state": "?"}})
    assert backend.get_state() == before  # a refused state changes nothing


def test_gamma_shape_moments_and_seed():
    tf.random.set_seed(2)
    a = tf.random.gamma([100000], [0.5, 4.0], seed=1).numpy()
    assert a.shape == (100000, 2) and a.dtype == np.float32
    np.testing.assert_allclose(a.mean(0), [0.5, 4.0], rtol=0.02)
    np.testing.assert_allclose(a.var(0), [0.5, 4.0], rtol=0.04)
    b = tf.random.gamma([100000], 3.0, beta=[1.0, 2.0], dtype=tf.float64).numpy()
    assert b.shape == (100000, 2) and b.dtype == np.float64
    np.testing.assert_allclose(b.mean(0), [3.0, 1.5], rtol=0.02)
    tf.random.set_seed(2)
    np.testing.assert_array_equal(tf.random.gamma([100000], [0.5, 4.0], seed=1).numpy(), a)
    with pytest.raises(tf.errors.InvalidArgumentError, match="positive"):
        tf.random.gamma([2], 0.0)
    with pytest.raises(TypeError, match="float"):
        tf.random.gamma([2], 1.0, dtype=tf.int32)
