"""Training callbacks: History, progress bar, ModelCheckpoint, EarlyStopping, CSVLogger,
LearningRateScheduler, ReduceLROnPlateau, BackupAndRestore (and TensorBoard, from keras/tensorboard.py)."""
import csv
import math
import os
import sys
import time
import warnings

import numpy as np

from .callback import Callback  # noqa: F401 - keras.callbacks.Callback
from .distribution import get_distribution


def _chief():
    """Whether this process prints progress and writes files: True unless it is a worker other than
    rank 0 of a multi-process ``tf.distribute`` job (every rank runs the callbacks; only rank 0 writes)."""
    return get_distribution().is_chief()


class CallbackList:
    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args, **kwargs):
            for cb in self.callbacks:
                getattr(cb, hook)(*args, **kwargs)
        return call


class History(Callback):
    """Collects the epoch logs: ``history.history['loss']`` is a list, one value per epoch."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


def _fmt_time(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _fmt_logs(logs):
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, (float, int, np.floating)))


class Progbar:
    """A Keras-style progress bar: ``12/469 ━━━━━━━━━━━━━━━━━━━━ 4s 10ms/step - accuracy: 0.81 - loss: 0.52``.

    On a terminal the line is redrawn in place; otherwise (a file, a pipe, CI) a plain line is
    printed every ``interval`` seconds and at the end, so logs stay readable.
    """

    def __init__(self, target, width=20, interval=0.05, stream=None, unit="step"):
        self.target, self.width, self.unit = target, width, unit
        self.stream = stream or sys.stdout
        self.dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = interval if self.dynamic else 10.0
        self.start = self.last = time.perf_counter()
        self._bar_chars = self._chars()

    def _chars(self):
        enc = getattr(self.stream, "encoding", None) or "ascii"
        try:
            "━".encode(enc)
            return "━", " "
        except (UnicodeEncodeError, LookupError):
            return "=", "."

    def update(self, current, logs=None, finalize=False):
        now = time.perf_counter()
        if not finalize and now - self.last < self.interval and current != self.target:
            return
        self.last = now
        elapsed = now - self.start
        per = elapsed / max(current, 1)
        if self.target:
            done = int(self.width * current / self.target)
            full, empty = self._bar_chars
            bar = full * done + empty * (self.width - done)
            head = f"{current:>{len(str(self.target))}}/{self.target} {bar}"
        else:
            head = f"{current}"
        if current >= (self.target or math.inf) or finalize:
            timing = f"{_fmt_time(elapsed)} {per * 1000:.0f}ms/{self.unit}"
        else:
            timing = f"{_fmt_time(per * ((self.target or current) - current))} {per * 1000:.0f}ms/{self.unit}"
        line = f"{head} {timing}"
        if logs:
            line += " - " + _fmt_logs(logs)
        if self.dynamic:
            self.stream.write("\r" + line + "\033[K" + ("\n" if finalize else ""))
        elif finalize or current != self.target:  # plain mode: every `interval` s, and the end
            self.stream.write(line + "\n")
        self.stream.flush()


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar per epoch (``verbose=1``), or one line per epoch (2)."""

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose, self.stream = (verbose if _chief() else 0), stream
        self._in_fit = False

    def on_train_begin(self, logs=None):
        self._in_fit = True  # fit's validation runs the test hooks: no bar for it (as Keras)

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        out = self.stream or sys.stdout
        if self.verbose:
            out.write(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}\n")
            out.flush()
        self.bar = Progbar(self.params.get("steps"), stream=out) if self.verbose == 1 else None
        self.t0 = time.perf_counter()
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        if self.bar is not None:
            self.bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.update(self.seen, logs, finalize=True)
        elif self.verbose == 2:
            out = self.stream or sys.stdout
            dt = time.perf_counter() - self.t0
            out.write(f"{self.seen}/{self.seen} - {_fmt_time(dt)} - {_fmt_logs(logs or {})}\n")
            out.flush()

    # ``evaluate``: the same bar (or line) for the test batches, without the "Epoch" header.
    def on_test_begin(self, logs=None):
        if self._in_fit:
            return
        out = self.stream or sys.stdout
        self.bar = Progbar(self.params.get("steps"), stream=out) if self.verbose == 1 else None
        self.t0, self.seen = time.perf_counter(), 0

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self.on_train_batch_end(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self.on_epoch_end(0, logs)


class ModelCheckpoint(Callback):
    """Save the model after each epoch (or only when ``monitor`` improves), as Keras 3: the whole
    model for ``.keras`` / ``.h5``; its weights for ``.weights.h5`` with ``save_weights_only=True``.
    tinytf's own ``.npz`` weights file is also taken (weights only, either way).

    ``filepath`` may contain ``{epoch}`` and log keys (``ckpt.{epoch:02d}-{val_loss:.2f}.keras``).
    Files are written to a temporary name and renamed, so a crash never leaves a half-written file.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None, period=None):
        super().__init__()
        if period is not None:  # tf.keras 2's argument: save every `period` epochs (Keras 3 removed it)
            if isinstance(period, bool) or not isinstance(period, int) or period < 1:
                raise ValueError(f"ModelCheckpoint: period must be a positive int, got {period!r}")
            warnings.warn("ModelCheckpoint: `period` is deprecated (removed in Keras 3); use `save_freq`",
                          DeprecationWarning, stacklevel=2)
        self.period, self._epochs_since_save = period or 1, 0
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}; expected 'epoch' or a positive int "
                             "(save every that many batches)")
        self.save_freq, self._seen, self._last_batch, self._epoch = save_freq, 0, -1, 0
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, bool(save_weights_only)
        if self.filepath.endswith(".npz"):
            pass  # tinytf's weights file
        elif self.save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided "
                                 "must end in `.weights.h5` (Keras weights format). Received: "
                                 f"filepath={self.filepath}")
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). Received: "
                             f"filepath={self.filepath}")
        self.op, self.best = _mode(mode, monitor)
        if initial_value_threshold is not None:
            self.best = initial_value_threshold

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        """With an int ``save_freq``: save after every ``save_freq`` batches (counted across epochs)."""
        if self.save_freq == "epoch":
            return
        self._seen += batch + 1 if batch <= self._last_batch else batch - self._last_batch
        self._last_batch = batch
        if self._seen >= self.save_freq:
            self._seen = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._epochs_since_save += 1
            if self._epochs_since_save >= self.period:
                self._epochs_since_save = 0
                self._save(epoch, None, logs or {})

    def _get_file_path(self, epoch, batch, logs):
        """The file name for ``epoch`` (0-based; named 1-based) and ``batch`` (None at an epoch's
        end): ``filepath`` formatted with them and the logs (Keras's method, which subclasses call)."""
        extra = {} if batch is None or "{batch" not in self.filepath else {"batch": batch + 1}
        return self.filepath.format(epoch=epoch + 1, **extra, **(logs or {}))

    def _save(self, epoch, batch, logs):
        path = self._get_file_path(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: '{self.monitor}' is not in the logs {sorted(logs)}; "
                              "nothing saved")
                return
            if not self.op(current, self.best):
                return
            if self.verbose and _chief():
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose and _chief():
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if _chief():  # every rank holds the same weights; rank 0 writes them
            if self.save_weights_only or path.endswith(".npz"):
                self.model.save_weights(path)
            else:
                self.model.save(path)


def _mode(mode, monitor):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.endswith("auc"))):
        return np.greater, -np.inf
    return np.less, np.inf


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.op, _ = _mode(mode, monitor)
        self.min_delta = abs(min_delta) * (1 if self.op == np.greater else -1)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0
        self.best = np.inf if self.op == np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"EarlyStopping: '{self.monitor}' is not in the logs {sorted(logs or {})}")
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.op(current - self.min_delta, self.best) and (
                self.baseline is None or self.op(current, self.baseline)):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose and _chief():
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)  # Keras 3 restores at the end of training


class CSVLogger(Callback):
    """Write one CSV row of logs per epoch (``epoch`` first)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append

    def on_train_begin(self, logs=None):
        self.keys, self.file = None, None
        if not _chief():
            return
        exists = self.append and os.path.exists(self.filename)
        if exists:
            with open(self.filename, newline="") as f:
                first = f.readline().strip()
            self.keys = first.split(self.sep)[1:] if first else None
        self.file = open(self.filename, "a" if self.append else "w", newline="")
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.file is None:
            return
        if self.keys is None:
            self.keys = sorted(logs)
            self.writer = csv.writer(self.file, delimiter=self.sep)
            self.writer.writerow(["epoch"] + self.keys)
        elif self.writer is None:
            self.writer = csv.writer(self.file, delimiter=self.sep)
        self.writer.writerow([epoch] + [logs.get(k, "NA") for k in self.keys])
        self.file.flush()

    def on_train_end(self, logs=None):
        if self.file is not None:
            self.file.close()


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch start to ``schedule(epoch, lr)``."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        lr = float(opt.learning_rate)
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        new = float(new.numpy() if hasattr(new, "numpy") else new)
        if not math.isfinite(new):
            raise ValueError(f"LearningRateScheduler: the schedule returned {new!r} for epoch {epoch}")
        opt.learning_rate = new
        if self.verbose and _chief():
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by ``min_delta`` for
    ``patience`` epochs (not below ``min_lr``; then wait ``cooldown`` epochs), as Keras 3."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):  # Keras 3 ignores other keywords (Keras 2's `epsilon`)
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.monitor, self.factor, self.min_lr, self.min_delta = monitor, factor, min_lr, min_delta
        self.patience, self.verbose, self.cooldown = patience, verbose, cooldown
        self.op, _ = _mode(mode, monitor)
        self._reset()

    def _reset(self):
        self.best, self.cooldown_counter, self.wait = None, 0, 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_improvement(self, current):
        delta = self.min_delta if self.op == np.greater else -self.min_delta
        return self.best is None or self.op(current - delta, self.best)

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        opt = self.model.optimizer
        logs["learning_rate"] = float(opt.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old = float(opt.learning_rate)
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    opt.learning_rate = new
                    if self.verbose > 0 and _chief():
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class LambdaCallback(Callback):
    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            setattr(self, name, fn)


class BackupAndRestore(Callback):
    """Back up the training state so that a ``fit`` interrupted by a crash or a kill resumes
    where the last backup was taken (Keras 3's callback).

    Each backup is one file, ``backup_dir/latest.weights.npz``, written to a temporary name and
    renamed: the model's weights, its optimizer's state and the epoch to resume at (Keras writes
    ``latest.weights.h5`` and ``training_metadata.json``; one file keeps the three consistent).
    On ``fit``'s start, a backup found there is loaded and training starts at its epoch.
    ``save_freq``: 'epoch' (after each epoch) or an int (every that many batches; the epoch
    then restarts from its beginning). ``delete_checkpoint``: delete the backup when training
    ends normally (the file only; the folder too if it is then empty).
    """
    FILE = "latest.weights.npz"

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or a positive integer")
        if double_checkpoint:
            raise NotImplementedError("BackupAndRestore: double_checkpoint=True is not supported by tinytf "
                                      "(each backup is already written atomically)")
        self.backup_dir, self.save_freq = os.fspath(backup_dir), save_freq
        self.double_checkpoint, self.delete_checkpoint = double_checkpoint, bool(delete_checkpoint)
        self._path = os.path.join(self.backup_dir, self.FILE)
        self._epoch, self._batches = 0, 0

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built before you call "
                             "`fit()`. Call `model.build(input_shape)` or call the model on data first.")
        self._batches = 0
        if not os.path.exists(self._path):
            return
        from ..files import read_npz
        state = read_npz(self._path)
        weights = [state[f"weight/{i}"] for i in range(sum(k.startswith("weight/") for k in state))]
        self.model.set_weights(weights)
        opt = {k[len("optimizer/"):]: v for k, v in state.items() if k.startswith("optimizer/")}
        if opt and getattr(self.model, "optimizer", None) is not None:
            self.model.optimizer.set_state(opt)
        self.model._initial_epoch = int(state["epoch"])

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        if self.save_freq != "epoch" and self._batches % self.save_freq == 0:
            self._save(self._epoch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch + 1)

    def _save(self, epoch):
        if not _chief():
            return
        from ..files import write_npz_atomic
        state = {f"weight/{i}": np.asarray(w) for i, w in enumerate(self.model.get_weights())}
        opt = getattr(self.model, "optimizer", None)
        if opt is not None and hasattr(opt, "get_state"):
            state.update({f"optimizer/{k}": v for k, v in opt.get_state().items()})
        state["epoch"] = np.array(epoch, np.int64)
        write_npz_atomic(self._path, state)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and _chief() and os.path.exists(self._path):
            os.remove(self._path)
            if not os.listdir(self.backup_dir):
                os.rmdir(self.backup_dir)


def __getattr__(name):
    if name == "TensorBoard":  # keras/tensorboard.py builds on this module; loaded when first asked for
        from .tensorboard import TensorBoard
        return TensorBoard
    raise AttributeError(f"module 'tinytf.keras.callbacks' has no attribute {name!r}")
