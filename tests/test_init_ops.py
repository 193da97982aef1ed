"""``tf.random_normal_initializer`` (TensorFlow's init_ops_v2.RandomNormal): stateless with a
seed (every call the same), the global stream without one, float dtypes only."""
import numpy as np
import pytest

import tinytf as tf


def test_seeded_calls_repeat_and_have_the_moments():
    init = tf.random_normal_initializer(mean=1.0, stddev=0.5, seed=3)
    a, b = init([400, 500]).numpy(), init([400, 500]).numpy()
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and abs(a.mean() - 1) < 0.005 and abs(a.std() - 0.5) < 0.005
    assert init((2,), dtype=tf.float64).dtype == tf.float64
    assert init.get_config() == {"mean": 1.0, "stddev": 0.5, "seed": 3}
    np.testing.assert_array_equal(type(init).from_config(init.get_config())([3]).numpy(), init([3]).numpy())


def test_unseeded_follows_the_global_seed_and_works_as_a_keras_initializer():
    tf.random.set_seed(5)
    a = tf.random_normal_initializer()([3]).numpy()
    tf.random.set_seed(5)
    np.testing.assert_array_equal(tf.random_normal_initializer()([3]).numpy(), a)
    layer = tf.keras.layers.Dense(2, kernel_initializer=tf.random_normal_initializer(stddev=0.02, seed=1))
    layer.build((None, 4))
    np.testing.assert_array_equal(layer.kernel.numpy(), tf.random_normal_initializer(stddev=0.02, seed=1)([4, 2]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="floating point"):
        tf.random_normal_initializer()([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="Keyword argument"):
        tf.random_normal_initializer()([2], bogus=1)
