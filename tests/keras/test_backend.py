"""tf.keras.backend's Keras 2 tensor functions (TF 2.21's tf.keras keeps them: keras/src/legacy/backend.py)."""
import numpy as np

import tinytf as tf

K = tf.keras.backend


def test_legacy_backend_functions_compute_as_the_tf_ops():
    v = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = tf.constant(v)
    assert K.int_shape(x) == (2, 3) and K.int_shape(tf.keras.Input((3, 4))) == (None, 3, 4)
    assert K.int_shape(5) is None
    np.testing.assert_array_equal(K.shape(x).numpy(), [2, 3])
    np.testing.assert_array_equal(K.sum(x, axis=1).numpy(), v.sum(1))
    np.testing.assert_array_equal(K.sum(x, axis=1, keepdims=True).numpy(), v.sum(1, keepdims=True))
    np.testing.assert_array_equal(K.mean(x, axis=0).numpy(), v.mean(0))
    np.testing.assert_array_equal(K.flatten(x).numpy(), v.ravel())
    np.testing.assert_array_equal(K.square(x).numpy(), v * v)
    np.testing.assert_array_equal(K.exp(x).numpy(), tf.exp(x).numpy())
    mean_bool = K.mean(tf.constant([True, False, True, True]))
    assert mean_bool.dtype == tf.float32 and float(mean_bool) == 0.75


def test_random_normal_shape_dtype_and_seed():
    a = K.random_normal((3, 2), mean=1.0, stddev=2.0, seed=3)
    assert a.shape == (3, 2) and a.dtype == tf.float32
    tf.random.set_seed(0)
    b = K.random_normal((3, 2), mean=1.0, stddev=2.0, seed=3)
    tf.random.set_seed(0)
    np.testing.assert_array_equal(b.numpy(), K.random_normal((3, 2), mean=1.0, stddev=2.0, seed=3).numpy())


def test_gradients_flow_through_the_backend_functions():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = K.sum(K.square(x)) + K.mean(K.exp(x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * np.array([1, 2]) + np.exp([1, 2]) / 2, rtol=1e-6)


def test_constant_defaults_to_floatx():
    c = K.constant([1, 2])
    assert c.dtype == tf.float32 and c.numpy().tolist() == [1.0, 2.0]
    assert K.constant(3, dtype="int32", shape=(2,)).numpy().tolist() == [3, 3]


def test_keras_config_reads_the_settings():
    assert tf.keras.config.backend() == "tensorflow" and tf.keras.config.floatx() == "float32"
    assert tf.keras.config.epsilon() == 1e-7 and tf.keras.config.image_data_format() == "channels_last"
