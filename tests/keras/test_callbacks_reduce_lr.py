"""ReduceLROnPlateau: the learning rates Keras 3 sets for fixed monitor sequences (keras_reduce_lr.json,
tests/fixtures/record_tf_reduce_lr.py), argument checks, and use in fit."""
import json
import os

import numpy as np
import pytest

import tinytf as tf

keras = tf.keras
CASES = json.load(open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_reduce_lr.json")))


@pytest.mark.parametrize("case", CASES, ids=[c["kwargs"]["monitor"] for c in CASES])
def test_learning_rates_follow_keras(case):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["accuracy"])
    cb = keras.callbacks.ReduceLROnPlateau(**case["kwargs"])
    cb.set_model(model)
    cb.on_train_begin()
    lrs = []
    for epoch, v in enumerate(case["values"]):
        logs = {case["kwargs"]["monitor"]: v}
        cb.on_epoch_end(epoch, logs)
        assert "learning_rate" in logs
        lrs.append(float(np.float32(model.optimizer.learning_rate)))
    np.testing.assert_array_equal(np.float32(lrs), np.float32(case["lrs"]))


def test_factor_must_be_below_one_and_missing_monitor_warns():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        keras.callbacks.ReduceLROnPlateau(factor=1.0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss")
    cb.set_model(model)
    cb.on_train_begin()
    with pytest.warns(UserWarning, match="val_loss"):
        cb.on_epoch_end(0, {"loss": 1.0})


def test_in_fit_a_stalled_loss_lowers_the_rate():
    tf.random.set_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, trainable=False)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x, y = np.ones((8, 2), np.float32), np.zeros((8, 1), np.float32)
    hist = model.fit(x, y, epochs=4, verbose=0,
                     callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)])
    # logged at each epoch's end before that epoch's reduction, as Keras
    np.testing.assert_allclose(hist.history["learning_rate"], [0.1, 0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.0125, rtol=1e-6)
