"""keras.callbacks.BackupAndRestore: a fit killed after an epoch resumes from the backup (epoch,
weights, optimizer state) to the same numbers as an uninterrupted fit; save_freq in batches;
delete_checkpoint; the backup file is written atomically; Keras's argument checks."""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf import keras
from tinytf.keras.callbacks import BackupAndRestore

X = np.random.default_rng(0).standard_normal((32, 5)).astype(np.float32)
Y = (X @ np.arange(5, dtype=np.float32)[:, None]).astype(np.float32)


def make():
    tf.random.set_seed(4)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


class Kill(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt("killed")


class Epochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(epoch)


def test_resumes_to_the_uninterrupted_result(tmp_path):
    whole = make()
    whole.fit(X, Y, batch_size=8, epochs=4, shuffle=False, verbose=0)
    backup = tmp_path / "backup"
    model = make()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, batch_size=8, epochs=4, shuffle=False, verbose=0,
                  callbacks=[BackupAndRestore(backup), Kill(1)])
    assert sorted(os.listdir(backup)) == ["latest.weights.npz"]  # no temporary file left behind
    resumed, epochs = make(), Epochs()
    resumed.fit(X, Y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[BackupAndRestore(backup), epochs])
    assert epochs.seen == [2, 3]
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(resumed.optimizer.iterations.numpy()) == 16
    assert not backup.exists()  # delete_checkpoint=True: removed after a normal end


def test_save_freq_in_batches_and_keep_checkpoint(tmp_path):
    model = make()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                  callbacks=[BackupAndRestore(tmp_path, save_freq=3), Kill(1)])
    # batches 3 (epoch 0) and 6 (epoch 1) were backed up: epoch 1 restarts from its beginning
    epochs = Epochs()
    make().fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0,
               callbacks=[BackupAndRestore(tmp_path, delete_checkpoint=False), epochs])
    assert epochs.seen == [1, 2]
    assert os.path.exists(tmp_path / "latest.weights.npz")


def test_argument_checks(tmp_path):
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(tmp_path, save_freq="batch")
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    unbuilt.compile("sgd", "mse")
    with pytest.raises(ValueError, match="must be built"):
        unbuilt.fit(X, Y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path)])
