"""Embedding against Keras 3 (tests/fixtures/record_tf_embedding.py): rows, the table's gradient
(repeated indices add up), float indices cast to int32; argument checks; in a model."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_embedding.npz"))


def test_lookup_and_gradient_match_keras():
    layer = tf.keras.layers.Embedding(7, 4)
    layer.build()
    layer.set_weights([FIX["table"]])
    with tf.GradientTape() as tape:
        y = layer(FIX["idx"])
        loss = tf.reduce_sum(y * FIX["g"])
    np.testing.assert_array_equal(y.numpy(), FIX["y"])
    np.testing.assert_array_max_ulp(np.asarray(tape.gradient(loss, layer.embeddings)), FIX["grad"], maxulp=1)
    np.testing.assert_array_equal(layer(FIX["idx"].astype(np.float32) + 0.7).numpy(), FIX["y_float"])


def test_arguments_and_config():
    with pytest.raises(ValueError, match="input_dim"):
        tf.keras.layers.Embedding(0, 3)
    masked = tf.keras.layers.Embedding(3, 2, mask_zero=True)
    assert masked.get_config()["mask_zero"] is True
    np.testing.assert_array_equal(masked(np.array([[0, 2, 0]]))._keras_mask.numpy(), [[False, True, False]])
    with pytest.warns(UserWarning, match="input_length"):
        layer = tf.keras.layers.Embedding(5, 2, input_length=3)
    cfg = layer.get_config()
    assert cfg["input_dim"] == 5 and cfg["output_dim"] == 2
    assert cfg["embeddings_initializer"]["class_name"] == "RandomUniform"
    layer.build()
    assert layer.embeddings.shape == (5, 2) and np.abs(layer.embeddings.numpy()).max() <= 0.05


def test_embedding_model_trains_on_integer_inputs():
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((3,), dtype="int32"), tf.keras.layers.Embedding(10, 4),
                                 tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])
    assert tuple(model.output.shape) == (None, 1)
    model.compile(optimizer="adam", loss="mse")
    x = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 9, 0]])
    before = model.layers[0].embeddings.numpy()
    hist = model.fit(x, np.ones((4, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(hist.history["loss"]).all() and not np.array_equal(before, model.layers[0].embeddings.numpy())
