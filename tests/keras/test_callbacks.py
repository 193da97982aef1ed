"""tf.keras.callbacks as a Keras 3 user writes them: History, ModelCheckpoint, EarlyStopping, CSVLogger,
LearningRateScheduler, custom callbacks and the progress bar (verbose=1 / 2 / 0).

Keras 3 needs mode='min'/'max' for a monitored key it cannot classify, so the tests give it.
To test "best epoch" logic deterministically, a small callback placed before the one under test
writes a scripted value into the epoch logs (Keras passes the same logs dict to every callback)
and records the weights at each epoch end.
"""
import csv
import os
import re

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
callbacks = tf.keras.callbacks


def blobs(n=32, seed=0):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.int32)
    x = rng.normal(size=(n, 4)).astype(np.float32) * 0.5
    x[:, 0] += np.where(y == 1, 1.5, -1.5)
    return x, y


X, Y = blobs()


def make_model(lr=0.1):
    m = tf.keras.Sequential([layers.Dense(2)])
    m.build([None, 4])
    m.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return m


def same_weights(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


class Script(callbacks.Callback):
    """Puts ``values[epoch]`` into ``logs[key]`` and records the weights at each epoch end."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values, self.weights = key, values, []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def load(path):
    m = make_model()
    m.load_weights(str(path))
    return m.get_weights()


# ===================================================================================== History

def test_history():
    m = make_model()
    h = m.fit(X, Y, batch_size=8, epochs=3, validation_data=(X, Y), verbose=0)
    assert isinstance(h, callbacks.History) and m.history is h
    assert h.epoch == [0, 1, 2]
    assert sorted(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in h.history.values())
    assert h.params["epochs"] == 3 and h.params["steps"] == 4
    assert h.model is m


def test_custom_callback_hooks_order_and_model():
    calls = []

    class Spy(callbacks.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")
            assert self.model is m

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_train_batch_end(self, batch, logs=None):
            calls.append(f"batch_end {batch}")
            assert "loss" in logs

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    m = make_model()
    m.fit(X, Y, batch_size=16, epochs=2, callbacks=[Spy()], verbose=0)
    assert calls == ["train_begin",
                     "epoch_begin 0", "batch_end 0", "batch_end 1", "epoch_end 0 ['accuracy', 'loss']",
                     "epoch_begin 1", "batch_end 0", "batch_end 1", "epoch_end 1 ['accuracy', 'loss']",
                     "train_end"]


def test_lambda_callback():
    seen = []
    m = make_model()
    m.fit(X, Y, epochs=2, verbose=0,
          callbacks=[callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))])
    assert seen == [0, 1]


def test_stop_training_from_a_callback():
    class StopAfterOne(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    h = make_model().fit(X, Y, epochs=5, verbose=0, callbacks=[StopAfterOne()])
    assert h.epoch == [0]


# ===================================================================================== ModelCheckpoint

def test_model_checkpoint_every_epoch_with_epoch_in_the_name(tmp_path):
    m = make_model()
    script = Script("unused", [0, 0, 0])
    ck = callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.weights.npz"), save_weights_only=True)
    m.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[script, ck])
    assert sorted(os.listdir(tmp_path)) == ["w-01.weights.npz", "w-02.weights.npz", "w-03.weights.npz"]
    for epoch in range(3):
        assert same_weights(load(tmp_path / f"w-{epoch + 1:02d}.weights.npz"), script.weights[epoch])


def test_model_checkpoint_name_with_logged_values(tmp_path):
    m = make_model()
    ck = callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch}-{val_loss:.3f}.npz"), save_weights_only=True)
    h = m.fit(X, Y, epochs=2, validation_data=(X, Y), verbose=0, callbacks=[ck])
    expected = sorted(f"w-{e + 1}-{h.history['val_loss'][e]:.3f}.npz" for e in range(2))
    assert sorted(os.listdir(tmp_path)) == expected


def test_model_checkpoint_period_saves_every_period_epochs(tmp_path):
    m = make_model()
    with pytest.warns(DeprecationWarning, match="period"):
        ck = callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.npz"), save_weights_only=True, period=2)
    m.fit(X, Y, epochs=5, verbose=0, callbacks=[ck])
    assert sorted(os.listdir(tmp_path)) == ["w-02.npz", "w-04.npz"]  # tf.keras 2: epochs 2, 4, ...
    with pytest.raises(ValueError, match="period"):
        callbacks.ModelCheckpoint(str(tmp_path / "w.h5"), period=0)


def test_model_checkpoint_get_file_path_for_subclasses(tmp_path):
    ck = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{loss:.2f}-{batch}.keras"))
    assert ck._get_file_path(epoch=2, logs={"loss": 0.5}, batch=4).endswith("m-03-0.50-5.keras")
    ck = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}.keras"))
    assert ck._get_file_path(epoch=0, batch=None, logs=None) == str(tmp_path / "m-01.keras")


def test_model_checkpoint_save_best_only_keeps_the_best_epoch(tmp_path):
    m = make_model()
    script = Script("score", [3.0, 1.0, 2.0, 4.0])
    ck = callbacks.ModelCheckpoint(str(tmp_path / "best.npz"), monitor="score", mode="min", save_best_only=True,
                                   save_weights_only=True)
    ck_named = callbacks.ModelCheckpoint(str(tmp_path / "best-{epoch}.npz"), monitor="score", mode="min",
                                         save_best_only=True, save_weights_only=True)
    m.fit(X, Y, batch_size=8, epochs=4, verbose=0, callbacks=[script, ck, ck_named])
    assert sorted(os.listdir(tmp_path)) == ["best-1.npz", "best-2.npz", "best.npz"]
    assert same_weights(load(tmp_path / "best.npz"), script.weights[1])
    assert not same_weights(m.get_weights(), script.weights[1])


def test_model_checkpoint_auto_mode_maximizes_accuracy(tmp_path):
    m = make_model()
    script = Script("val_accuracy", [0.5, 0.9, 0.7])
    ck = callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}.npz"), monitor="val_accuracy",
                                   save_best_only=True, save_weights_only=True)
    m.fit(X, Y, epochs=3, verbose=0, callbacks=[script, ck])
    assert sorted(os.listdir(tmp_path)) == ["e1.npz", "e2.npz"]


def test_model_checkpoint_default_monitor_is_val_loss(tmp_path):
    m = make_model()
    ck = callbacks.ModelCheckpoint(str(tmp_path / "best.npz"), save_best_only=True, save_weights_only=True)
    assert ck.monitor == "val_loss"
    h = m.fit(X, Y, epochs=3, validation_data=(X[:8], Y[:8]), verbose=0, callbacks=[ck])
    assert (tmp_path / "best.npz").exists()
    vl = h.history["val_loss"]
    if vl[-1] == min(vl):  # plain SGD on a separable problem: val loss falls every epoch
        assert same_weights(load(tmp_path / "best.npz"), m.get_weights())


# ===================================================================================== EarlyStopping

def test_early_stopping_patience():
    m = make_model()
    script = Script("score", [3.0, 1.0, 2.0, 4.0, 5.0, 6.0, 7.0])
    es = callbacks.EarlyStopping(monitor="score", mode="min", patience=2)
    h = m.fit(X, Y, epochs=7, verbose=0, callbacks=[script, es])
    assert h.epoch == [0, 1, 2, 3]  # best at epoch 1, then 2 epochs without improvement
    assert es.stopped_epoch == 3
    assert same_weights(m.get_weights(), script.weights[3])  # no restore by default


def test_early_stopping_patience_zero():
    script = Script("score", [3.0, 1.0, 2.0, 0.5, 0.1])
    h = make_model().fit(X, Y, epochs=5, verbose=0,
                         callbacks=[script, callbacks.EarlyStopping(monitor="score", mode="min", patience=0)])
    assert h.epoch == [0, 1, 2]


def test_early_stopping_restore_best_weights_when_stopping():
    m = make_model()
    script = Script("score", [3.0, 1.0, 2.0, 4.0, 5.0, 6.0])
    es = callbacks.EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    h = m.fit(X, Y, epochs=6, verbose=0, callbacks=[script, es])
    assert len(h.epoch) == 4
    assert same_weights(m.get_weights(), script.weights[1])


def test_early_stopping_restore_best_weights_at_the_end_without_stopping():
    m = make_model()
    script = Script("score", [3.0, 1.0, 2.0, 4.0])
    es = callbacks.EarlyStopping(monitor="score", mode="min", patience=10, restore_best_weights=True)
    h = m.fit(X, Y, epochs=4, verbose=0, callbacks=[script, es])
    assert len(h.epoch) == 4
    assert same_weights(m.get_weights(), script.weights[1])


def test_early_stopping_mode_max_for_accuracy():
    script = Script("val_accuracy", [0.5, 0.9, 0.8, 0.7, 0.95])
    h = make_model().fit(X, Y, epochs=5, verbose=0,
                         callbacks=[script, callbacks.EarlyStopping(monitor="val_accuracy", patience=2)])
    assert h.epoch == [0, 1, 2, 3]


# ===================================================================================== CSVLogger

def test_csv_logger_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    m = make_model()
    h = m.fit(X, Y, batch_size=8, epochs=3, validation_data=(X, Y), verbose=0,
              callbacks=[callbacks.CSVLogger(str(path))])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(rows) == 4
    for epoch, row in enumerate(rows[1:]):
        assert int(row[0]) == epoch
        for key, value in zip(rows[0][1:], row[1:]):
            np.testing.assert_allclose(float(value), h.history[key][epoch], rtol=1e-6)


def test_csv_logger_append(tmp_path):
    path = str(tmp_path / "log.csv")
    m = make_model()
    m.fit(X, Y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    m.fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["epoch", "accuracy", "loss"]  # (Keras 3 may add NA val_* columns)
    assert len(rows) == 4 and rows.count(rows[0]) == 1
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]


# ===================================================================================== LearningRateScheduler

def test_learning_rate_scheduler_sets_the_rate_each_epoch_and_logs_it():
    seen = []

    class ReadLR(callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0:
                seen.append(float(np.asarray(self.model.optimizer.learning_rate)))

    m = make_model(lr=0.1)
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)
    h = m.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[sched, ReadLR()])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(float(np.asarray(m.optimizer.learning_rate)), 0.025, rtol=1e-6)


def test_learning_rate_scheduler_gets_the_current_rate_and_old_one_argument_form():
    got = []

    def schedule(epoch, lr):
        got.append(round(float(lr), 6))
        return lr * 0.5

    make_model(lr=0.2).fit(X, Y, epochs=3, verbose=0, callbacks=[callbacks.LearningRateScheduler(schedule)])
    assert got == [0.2, 0.1, 0.05]
    h = make_model().fit(X, Y, epochs=2, verbose=0,
                         callbacks=[callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    np.testing.assert_allclose(h.history["learning_rate"], [0.01, 0.02], rtol=1e-6)


def test_learning_rate_zero_freezes_the_weights():
    m = make_model()
    before = m.get_weights()
    m.fit(X, Y, epochs=2, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda e, lr: 0.0)])
    assert same_weights(before, m.get_weights())


# ===================================================================================== progress bar

def test_verbose_1_progress_bar_when_not_a_tty(capsys):
    m = make_model()
    m.fit(X, Y, batch_size=8, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    lines = out.splitlines()
    i1, i2 = lines.index("Epoch 1/2"), lines.index("Epoch 2/2")
    assert any("loss" in line for line in lines[i1 + 1:i2])
    assert any("loss" in line for line in lines[i2 + 1:])
    assert any(re.search(r"\b4/4\b", line) and "accuracy" in line for line in lines)
    assert "\r" not in out and "\x1b[" not in out  # no terminal redraws in a log file


def test_default_verbose_prints_progress(capsys):
    make_model().fit(X, Y, epochs=1)
    assert "Epoch 1/1" in capsys.readouterr().out


def test_verbose_2_one_line_per_epoch(capsys):
    make_model().fit(X, Y, batch_size=8, epochs=2, verbose=2)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert "loss" in lines[1] and "loss" in lines[3] and len(lines) == 4


def test_verbose_0_is_silent(capsys):
    make_model().fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y))
    assert capsys.readouterr().out == ""


def test_progbar_plain_stream():
    import io
    stream = io.StringIO()
    bar = callbacks.Progbar(3, stream=stream)
    for i in range(1, 4):
        bar.update(i, {"loss": 0.5})
    bar.update(3, {"loss": 0.25}, finalize=True)
    text = stream.getvalue()
    assert "3/3" in text and "loss: 0.2500" in text and "\r" not in text


def test_model_checkpoint_keras_formats_as_keras_3(tmp_path):
    """Keras 3: ``.keras``/``.h5`` save the whole model (the default, save_weights_only=False);
    ``.weights.h5`` with save_weights_only=True the weights; other names are refused."""
    pytest.importorskip("h5py")
    m = make_model()
    whole = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"))
    weights = callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True)
    m.fit(X, Y, batch_size=8, epochs=2, verbose=0, callbacks=[whole, weights])
    back = tf.keras.models.load_model(str(tmp_path / "m-2.keras"))
    np.testing.assert_array_equal(back.predict(X, verbose=0), m.predict(X, verbose=0))
    assert back.optimizer is not None  # a whole model, compiled, not only its weights
    fresh = make_model()
    fresh.load_weights(str(tmp_path / "w.weights.h5"))
    assert same_weights(fresh.get_weights(), m.get_weights())
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.ckpt"))


def test_model_checkpoint_int_save_freq_counts_batches_across_epochs(tmp_path):
    """Keras 3: save_freq=N saves after every N batches, the name formatted with the current epoch."""
    m = make_model()
    ck = callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch}.npz"), save_freq=3)
    m.fit(X, Y, batch_size=len(X) // 2, epochs=5, verbose=0, callbacks=[ck])  # 2 batches a epoch
    assert sorted(os.listdir(tmp_path)) == ["w-2.npz", "w-3.npz", "w-5.npz"]  # after batches 3, 6, 9
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_freq="batch")


def test_on_batch_aliases_and_predict_hooks_as_keras_3():
    class Rec(callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.per_batch_losses, self.predicted = [], []

        def on_batch_end(self, batch, logs=None):  # the keras-io LossHistory example's hook
            self.per_batch_losses.append(logs.get("loss"))

        def on_predict_batch_end(self, batch, logs=None):
            self.predicted.append(tuple(logs["outputs"].shape))
    m = make_model()
    rec = Rec()
    m.fit(X, Y, batch_size=len(X) // 2, epochs=2, verbose=0, callbacks=[rec])
    assert len(rec.per_batch_losses) == 4 and all(isinstance(v, float) for v in rec.per_batch_losses)
    m.predict(X, batch_size=len(X) // 2, verbose=0, callbacks=[rec])
    assert len(rec.predicted) == 2
