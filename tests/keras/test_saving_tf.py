"""tinytf reads the files Keras 3 / TF 2.21 writes (recorded by tests/fixtures/record_tf_saving.py)."""
import os
import warnings

import numpy as np
import pytest

pytest.importorskip("h5py")
import tinytf as tf  # noqa: E402

K, L = tf.keras, tf.keras.layers
D = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saving")
REF = np.load(os.path.join(D, "tf_saving.npz"))


def seq():
    return K.Sequential([K.Input((8, 8, 1)), L.Conv2D(4, 3, padding="same"), L.BatchNormalization(), L.ReLU(),
                         L.MaxPooling2D(), L.Conv2D(6, 3), L.BatchNormalization(), L.Activation("relu"),
                         L.Flatten(), L.Dropout(0.25), L.Dense(5, activation="softmax")])


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["tf_seq", "tf_func"])
def test_load_model_keras_file_from_tf(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # functional models order their variables as Keras: the slots load
        m = K.models.load_model(os.path.join(D, name + ".keras"))
    assert int(m.optimizer.iterations) == 4  # the optimizer state came too (2 epochs x 2 steps)
    close(m.predict(REF["x"], verbose=0), REF[name])
    assert m.name == name and m.compiled and type(m.optimizer).__name__ == "Adam"
    assert abs(float(m.optimizer.learning_rate) - 0.01) < 1e-7
    m.fit(REF["x"], np.zeros(6), epochs=1, verbose=0)  # trainable as loaded


def test_keras_saving_load_model_alias_and_no_compile():
    m = K.saving.load_model(os.path.join(D, "tf_seq.keras"), compile=False)
    assert not m.compiled
    close(m.predict(REF["x"], verbose=0), REF["tf_seq"])


@pytest.mark.parametrize("fname", ["tf_seq.weights.h5", "tf_seq_legacy.h5", "tf_seq_keras2.h5", "tf_seq.keras"])
def test_load_weights_from_tf_files(fname):
    m = seq()
    m.load_weights(os.path.join(D, fname))
    close(m.predict(REF["x"], verbose=0), REF["tf_seq"])


def test_load_legacy_whole_model_h5():
    m = K.models.load_model(os.path.join(D, "tf_seq_legacy.h5"))
    close(m.predict(REF["x"], verbose=0), REF["tf_seq"])


def test_wrong_architecture_changes_nothing():
    m = K.Sequential([K.Input((8, 8, 1)), L.Conv2D(4, 3, padding="same"), L.BatchNormalization(), L.ReLU(),
                      L.MaxPooling2D(), L.Conv2D(7, 3), L.BatchNormalization(), L.Activation("relu"),
                      L.Flatten(), L.Dense(5)])
    before = m.get_weights()
    for fname in ["tf_seq.weights.h5", "tf_seq_legacy.h5", "tf_seq_keras2.h5"]:
        with pytest.raises(ValueError, match="does not match this model"):
            m.load_weights(os.path.join(D, fname))
        for a, b in zip(before, m.get_weights()):
            np.testing.assert_array_equal(a, b)
