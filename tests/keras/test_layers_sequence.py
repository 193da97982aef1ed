"""Masking, TimeDistributed, GlobalAveragePooling1D / GlobalMaxPooling1D (tinytf/keras/layers/sequence.py)
against Keras 3 (tests/fixtures/record_tf_rnn.py -> keras_rnn.npz; no transcendental functions on
the path: compared exactly); gradients, argument checks, shapes, configs."""
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad

layers = tf.keras.layers
FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_rnn.npz"))


def test_masking_marks_and_zeroes_padded_steps():
    out = layers.Masking(0.0)(FIX["xm"])
    np.testing.assert_array_equal(out.numpy(), FIX["xm"])
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.any(FIX["xm"] != 0, -1))
    x = np.array([[[1.0, 1.0], [2.0, 1.0]]], np.float32)
    out = layers.Masking(1.0)(x)
    np.testing.assert_array_equal(out.numpy(), [[[0, 0], [2, 1]]])
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[False, True]])
    with pytest.raises(ValueError, match="mask_value"):
        layers.Masking("zero")
    assert layers.Masking(2.0).get_config()["mask_value"] == 2.0


def test_global_pooling_1d_matches_keras():
    np.testing.assert_array_equal(layers.GlobalAveragePooling1D()(FIX["x"]).numpy(), FIX["gap1_y"])
    np.testing.assert_array_equal(layers.GlobalAveragePooling1D()(layers.Masking()(FIX["xm"])).numpy(),
                                  FIX["gap1_masked_y"])
    np.testing.assert_array_equal(layers.GlobalMaxPooling1D()(FIX["x"]).numpy(), FIX["gmp1_y"])
    assert tuple(layers.GlobalAvgPool1D(keepdims=True)(FIX["x"]).shape) == (2, 1, 4)
    first = layers.GlobalMaxPool1D(data_format="channels_first")(FIX["x"])
    np.testing.assert_array_equal(first.numpy(), FIX["x"].max(2))
    with pytest.raises(ValueError, match="3-D"):
        layers.GlobalAveragePooling1D()(np.zeros((2, 3), np.float32))
    mask = np.array([[True, False, True], [False, False, True]])
    pool = layers.GlobalAveragePooling1D(dtype="float64")
    assert_grad(lambda t: pool(t, mask=mask) ** 2, np.random.default_rng(0).standard_normal((2, 3, 2)))


def test_time_distributed_dense_matches_keras_and_keeps_the_mask():
    td = layers.TimeDistributed(layers.Dense(2))
    td.build((2, 5, 4))
    td.set_weights([FIX["td_k"], FIX["td_b"]])
    np.testing.assert_array_equal(td(FIX["x"]).numpy(), FIX["td_y"])
    assert [tuple(w.shape) for w in td.weights] == [(4, 2), (2,)]
    out = td(layers.Masking()(FIX["xm"]))
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.any(FIX["xm"] != 0, -1))
    assert tuple(td.compute_output_shape((None, 5, 4))) == (None, 5, 2)
    with pytest.raises(ValueError, match="keras.layers.Layer"):
        layers.TimeDistributed(lambda x: x)
    with pytest.raises(ValueError, match="at least 3"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 4), np.float32))
    cfg = td.get_config()
    assert cfg["layer"]["class_name"] == "Dense"
    clone = layers.TimeDistributed.from_config(cfg)
    assert isinstance(clone.layer, layers.Dense) and clone.layer.units == 2


def test_time_distributed_conv_in_a_model_trains():
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((3, 8, 8, 1)), layers.TimeDistributed(layers.Conv2D(2, 3)),
                                 layers.TimeDistributed(layers.GlobalAveragePooling2D()), layers.LSTM(4),
                                 layers.Dense(1)])
    assert tuple(model.output.shape) == (None, 1)
    assert tuple(model.layers[0].output.shape) == (None, 3, 6, 6, 2)
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).standard_normal((4, 3, 8, 8, 1)).astype(np.float32)
    before = model.layers[0].layer.kernel.numpy()
    hist = model.fit(x, np.ones((4, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    assert not np.array_equal(before, model.layers[0].layer.kernel.numpy())


def test_masks_pass_through_masking_aware_layers_and_stacked_rnns():
    tf.random.set_seed(2)
    ids = np.array([[1, 2, 0, 0], [3, 0, 4, 0]])
    emb = layers.Embedding(6, 3, mask_zero=True)
    seq = layers.LSTM(2, return_sequences=True)
    h = layers.Dense(3)(layers.Dropout(0.5)(emb(ids), training=True))
    np.testing.assert_array_equal(h._keras_mask.numpy(), ids != 0)
    y = seq(h)
    np.testing.assert_array_equal(y._keras_mask.numpy(), ids != 0)
    top = layers.GRU(2)
    # the second layer sees the first one's mask: padded steps change nothing
    full = top(y).numpy()
    trimmed = layers.GRU(2)
    trimmed.build((None, 4, 2))
    trimmed.set_weights(top.get_weights())
    np.testing.assert_array_equal(trimmed(y.numpy()[:1, :2]).numpy(), full[:1])
    assert getattr(layers.Flatten()(h), "_keras_mask", None) is None  # Flatten drops it, as Keras
