"""tf.random's stateless ops and tf.random.Generator. The numbers are NumPy's Philox, not TensorFlow's, so
TensorFlow's guarantees are tested: a seed pair gives the same numbers every time and independent of
the global seed; different seeds differ; shapes, dtypes, ranges and moments."""
import numpy as np
import pytest

import tinytf as tf


def test_stateless_same_seed_same_numbers_whatever_the_global_state():
    tf.random.set_seed(1)
    a = tf.random.stateless_normal([50], seed=[3, 4]).numpy()
    tf.random.uniform([10])
    tf.random.set_seed(2)
    np.testing.assert_array_equal(tf.random.stateless_normal([50], seed=tf.constant([3, 4])).numpy(), a)
    assert not np.array_equal(tf.random.stateless_normal([50], seed=[3, 5]).numpy(), a)
    assert not np.array_equal(tf.random.stateless_normal([50], seed=[4, 3]).numpy(), a)


def test_stateless_distributions():
    u = tf.random.stateless_uniform([20000], seed=[1, 2], minval=-2.0, maxval=3.0)
    assert u.dtype == tf.float32 and u.numpy().min() >= -2 and u.numpy().max() < 3
    assert abs(u.numpy().mean() - 0.5) < 0.05
    n = tf.random.stateless_normal([20000], seed=[1, 2], mean=1.0, stddev=2.0, dtype=tf.float64).numpy()
    assert n.dtype == np.float64 and abs(n.mean() - 1) < 0.05 and abs(n.std() - 2) < 0.05
    t = tf.random.stateless_truncated_normal([20000], seed=[1, 2]).numpy()
    assert np.abs(t).max() <= 2
    i = tf.random.stateless_uniform([1000], seed=[1, 2], minval=3, maxval=7, dtype=tf.int32)
    assert i.dtype == tf.int32 and sorted(set(i.numpy().tolist())) == [3, 4, 5, 6]


def test_stateless_seed_checks():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"seed must have shape \[2\], not \[3\]"):
        tf.random.stateless_uniform([2], seed=[1, 2, 3])
    with pytest.raises(TypeError, match="seed must be int32 or int64"):
        tf.random.stateless_normal([2], seed=[1.0, 2.0])
    with pytest.raises(ValueError, match="maxval must be given"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)


def test_stateless_split_is_deterministic_and_distinct():
    s = tf.random.experimental.stateless_split([7, 8], num=3)
    assert s.shape == (3, 2) and s.dtype == tf.int64
    np.testing.assert_array_equal(tf.random.experimental.stateless_split([7, 8], num=3).numpy(), s.numpy())
    draws = [tf.random.stateless_uniform([4], seed=row).numpy().tolist() for row in s]
    assert len({tuple(d) for d in draws}) == 3


def test_generator_from_seed_repeats_and_advances():
    g1, g2 = tf.random.Generator.from_seed(42), tf.random.Generator.from_seed(42)
    a = g1.normal([5])
    np.testing.assert_array_equal(g2.normal([5]).numpy(), a.numpy())
    assert not np.array_equal(g1.normal([5]).numpy(), a.numpy())  # the state advanced
    g1.reset_from_seed(42)
    np.testing.assert_array_equal(g1.normal([5]).numpy(), a.numpy())
    u = g1.uniform([10000], minval=1, maxval=2).numpy()
    assert u.min() >= 1 and u.max() < 2 and abs(u.mean() - 1.5) < 0.02
    assert g1.uniform([3], maxval=10, dtype=tf.int64).dtype == tf.int64


def test_generator_make_seeds_split_and_copy():
    g = tf.random.Generator.from_seed(1)
    seeds = g.make_seeds(4)
    assert seeds.shape == (2, 4) and seeds.dtype == tf.int64
    np.testing.assert_array_equal(tf.random.Generator.from_seed(1).make_seeds(4).numpy(), seeds.numpy())
    img = tf.random.stateless_uniform([3], seed=seeds[:, 0])
    np.testing.assert_array_equal(tf.random.stateless_uniform([3], seed=seeds[:, 0]).numpy(), img.numpy())
    kids = g.split(2)
    a, b = kids[0].normal([4]).numpy(), kids[1].normal([4]).numpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(tf.random.Generator.from_seed(1).split(3)[0].normal([1]).numpy().shape, (1,))
    copy = tf.random.Generator(copy_from=g)
    np.testing.assert_array_equal(copy.normal([3]).numpy(), g.normal([3]).numpy())
    with pytest.raises(ValueError, match="count must be a positive int"):
        g.make_seeds(0)
    with pytest.raises(TypeError, match="copy_from must be a Generator"):
        tf.random.Generator(copy_from=3)


def test_non_deterministic_and_global_generators():
    a = tf.random.Generator.from_non_deterministic_state().uniform([8]).numpy()
    b = tf.random.Generator.from_non_deterministic_state().uniform([8]).numpy()
    assert not np.array_equal(a, b)
    g = tf.random.Generator.from_seed(5)
    tf.random.set_global_generator(g)
    assert tf.random.get_global_generator() is g
    assert tf.random.experimental.get_global_generator() is g
    full = g.uniform_full_int([4], dtype=tf.int32)
    assert full.dtype == tf.int32


def test_random_split_is_stateless_split():
    np.testing.assert_array_equal(tf.random.split([1, 2], num=4).numpy(),
                                  tf.random.experimental.stateless_split([1, 2], num=4).numpy())
    with pytest.raises(ValueError, match="num must be a positive int"):
        tf.random.split([1, 2], num=0)
