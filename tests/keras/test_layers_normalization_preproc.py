"""keras.layers.Normalization against Keras 3 (tests/fixtures/record_tf_normalization.py): adapt on an
array and on a Dataset of batches, given mean/variance (a zero variance divides by epsilon), invert."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_normalization.npz"))


def close(got, want, ulps):
    np.testing.assert_array_max_ulp(np.asarray(got), want, maxulp=ulps)


def test_adapt_on_an_array():
    layer = tf.keras.layers.Normalization()
    layer.adapt(FIX["x"])
    close(layer.adapt_mean, FIX["adapt_mean"], 4)
    close(layer.adapt_variance, FIX["adapt_var"], 4)
    np.testing.assert_allclose(layer(FIX["x"]).numpy(), FIX["adapt_y"], rtol=1e-5, atol=1e-5)


def test_adapt_on_a_dataset_of_batches():
    layer = tf.keras.layers.Normalization(axis=(1, -1))
    layer.adapt(tf.data.Dataset.from_tensor_slices(FIX["x"]).batch(4))
    assert layer.adapt_mean.shape == (4, 3)
    np.testing.assert_allclose(np.asarray(layer.adapt_mean), FIX["ds_mean"], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(layer.adapt_variance), FIX["ds_var"], rtol=1e-4)
    np.testing.assert_allclose(layer(FIX["x"]).numpy(), FIX["ds_y"], rtol=1e-4, atol=1e-4)


def test_given_statistics_and_invert():
    g = tf.keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0])
    close(g(FIX["x"]).numpy(), FIX["given_y"], 2)
    inv = tf.keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 9.0], invert=True)
    close(inv(FIX["x"]).numpy(), FIX["invert_y"], 2)
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        tf.keras.layers.Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="range \\[-ndim, ndim\\)"):
        tf.keras.layers.Normalization(axis=5).build((None, 3))


def test_in_a_model_before_training():
    norm = tf.keras.layers.Normalization()
    norm.adapt(FIX["x"])
    model = tf.keras.Sequential([tf.keras.Input((4, 5, 3)), norm, tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(FIX["x"], np.zeros((10, 1), np.float32), epochs=1, verbose=0)
    assert len(model.trainable_weights) == 2 and len(norm.weights) == 3 and not norm.trainable_weights
    assert norm.count.dtype == tf.int64
