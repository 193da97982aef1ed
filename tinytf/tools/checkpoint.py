"""Crash-safe run checkpoints: everything needed to continue a training run exactly.

A run folder's ``checkpoint.npz`` is one ``.npz`` (no pickle), rewritten after every epoch via a
temporary file and ``os.replace`` (``models.write_npz_atomic``), so it is always either the old or
the new complete file. It holds

* ``model/<key>`` - every model weight (keys of ``Model._weight_keys``, as in weights files);
* ``optimizer/<key>`` - ``optimizer.get_state()`` (iteration, learning rate, slots);
* ``__meta__`` - a JSON string: ``format``, ``epoch`` (epochs completed), ``rng``
  (``backend.get_state()`` at that epoch boundary), ``config`` (how the run was made),
  ``history`` (one dict per completed epoch) and ``best`` (best validation accuracy and epoch).

Restoring the weights, the optimizer state and the RNG state at an epoch boundary makes the rest
of the run identical to an uninterrupted one: the shuffle of epoch k draws from the same state.
"""
import csv
import io
import json
import os
import time

import numpy as np

from .. import backend
from ..keras.callbacks import Callback
from ..keras.models import read_npz, write_npz_atomic

FORMAT = "tinytf-run-1"
CHECKPOINT = "checkpoint.npz"
BEST = "best.weights.npz"
HISTORY = "history.csv"


class CheckpointError(ValueError):
    """A run folder whose checkpoint is missing, damaged or made for another model."""


def model_arrays(model):
    return dict(zip(model._weight_keys(), model.get_weights()))


def save(run_dir, model, meta):
    """Write ``run_dir/checkpoint.npz`` atomically: model weights, optimizer state, ``meta``."""
    arrays = {"model/" + k: v for k, v in model_arrays(model).items()}
    opt = model.optimizer
    if opt is not None and opt.built:
        arrays.update({"optimizer/" + k: v for k, v in opt.get_state().items()})
    arrays["__meta__"] = np.array(json.dumps({**meta, "format": FORMAT}))
    write_npz_atomic(os.path.join(run_dir, CHECKPOINT), arrays)


def load(run_dir):
    """``(meta, weights, optimizer_state)`` from a run folder; ``CheckpointError`` if it is not a
    readable tinytf run checkpoint. Reads only."""
    path = os.path.join(run_dir, CHECKPOINT)
    if not os.path.isdir(run_dir):
        raise CheckpointError(f"{run_dir}: no such run folder")
    if not os.path.isfile(path):
        raise CheckpointError(f"{run_dir} is not a tinytf run folder (no {CHECKPOINT} in it)")
    try:
        arrays = read_npz(path)
    except ValueError as e:
        raise CheckpointError(f"{path} is truncated or corrupted and cannot be used ({_short(e)})") from None
    try:
        meta = json.loads(str(arrays.pop("__meta__")))
    except (KeyError, ValueError):
        raise CheckpointError(f"{path} has no readable metadata: not a tinytf run checkpoint") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "config" not in meta:
        raise CheckpointError(f"{path}: not a tinytf run checkpoint (format "
                              f"{meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT!r})")
    weights = {k[6:]: v for k, v in arrays.items() if k.startswith("model/")}
    opt = {k[10:]: v for k, v in arrays.items() if k.startswith("optimizer/")}
    return meta, weights, opt


def _short(e):
    return str(e).rsplit(": ", 1)[-1]


def check_weights(model, weights, where):
    """Raise ``CheckpointError`` unless ``weights`` has exactly the model's names and shapes."""
    want = {k: tuple(v.shape) for k, v in model_arrays(model).items()}
    missing = [k for k in want if k not in weights]
    extra = [k for k in weights if k not in want]
    wrong = [f"{k} {tuple(weights[k].shape)} vs {want[k]}" for k in want
             if k in weights and tuple(weights[k].shape) != want[k]]
    if missing or extra or wrong:
        parts = [f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "",
                 f"shape mismatch: {', '.join(wrong)}" if wrong else ""]
        raise CheckpointError(f"{where} does not match model {model.name!r}: "
                              + "; ".join(p for p in parts if p))


def restore(model, weights, opt_state, meta, where):
    """Put a loaded checkpoint into a built, compiled ``model`` and restore the global RNG.
    Everything is checked before anything is changed."""
    check_weights(model, weights, where)
    if opt_state:
        opt = model.optimizer
        if not opt.built:
            opt.build(model.trainable_variables)
        try:
            opt.set_state(opt_state)
        except ValueError as e:
            raise CheckpointError(f"{where}: the optimizer state does not match: {e}") from None
    model.set_weights([weights[k] for k in model._weight_keys()])
    rng = meta.get("rng")
    if rng is not None:
        backend.set_state(rng)


def write_history_csv(path, history):
    """``history.csv``: one row per epoch (1-based), written atomically."""
    keys = []
    for row in history:
        keys += [k for k in row if k not in keys]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(keys)
    for row in history:
        w.writerow([_cell(row.get(k, "")) for k in keys])
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)


def _cell(v):
    return f"{v:.6g}" if isinstance(v, float) else v


class RunCheckpoint(Callback):
    """At every epoch end: record the epoch's logs and timings, save the best weights (by
    ``val_accuracy``), then the checkpoint (the commit point), then ``history.csv``.

    ``meta`` is the run's metadata (``config``, ``history``, ``best``...), updated in place.
    """

    def __init__(self, run_dir, meta, n_train):
        super().__init__()
        self.run_dir, self.meta, self.n_train = run_dir, meta, n_train

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = self.t_train = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.t_train = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        train_s = max(self.t_train - self.t0, 1e-9)
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()},
               "train_seconds": round(train_s, 3), "epoch_seconds": round(now - self.t0, 3),
               "images_per_second": round(self.n_train / train_s, 1)}
        self.meta["history"] = [r for r in self.meta.get("history", []) if r["epoch"] <= epoch] + [row]
        acc = row.get("val_accuracy")
        best = self.meta.get("best")
        if acc is not None and (best is None or acc > best["val_accuracy"]):
            self.model.save_weights(os.path.join(self.run_dir, BEST))
            self.meta["best"] = {"val_accuracy": acc, "epoch": epoch + 1}
        self.meta["epoch"] = epoch + 1
        self.meta["rng"] = backend.get_state()
        save(self.run_dir, self.model, self.meta)
        write_history_csv(os.path.join(self.run_dir, HISTORY), self.meta["history"])
