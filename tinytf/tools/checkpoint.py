"""Crash-safe run checkpoints: everything needed to continue a training run exactly.

A run folder's ``checkpoint.npz`` is one ``.npz`` (no pickle), rewritten after every epoch via a
temporary file and ``os.replace`` (``files.write_npz_atomic``), so it is always either the old or
the new complete file. It holds

* ``model/<key>`` - every model weight (keys of ``Model.weight_keys``, as in weights files);
* ``optimizer/<key>`` - ``optimizer.get_state()`` (iteration, learning rate, slots);
* ``__meta__`` - a JSON string: ``format``, ``epoch`` (epochs completed), ``rng``
  (``backend.get_state()`` at that epoch boundary), ``config`` (how the run was made),
  ``history`` (one dict per completed epoch) and ``best`` (best validation accuracy and epoch).

Restoring the weights, the optimizer state and the RNG state at an epoch boundary makes the rest
of the run identical to an uninterrupted one: the shuffle of epoch k draws from the same state.

A run that writes a folder holds ``.tinytf.lock`` in it locked (``fcntl.flock``; the OS releases it
when the process ends, however it ends). tinytf's own temporary files match :func:`is_temp_file`;
nothing else in a run folder is ever deleted.
"""
import csv
import io
import json
import os
import stat
import tempfile
import time
import zipfile

try:
    import fcntl
except ImportError:  # not POSIX (Windows): run folders are not locked
    fcntl = None

import numpy as np

from .. import backend
from ..keras.callbacks import Callback
from ..loading import dtype_problem
from ..files import TEMP_PREFIX, is_temp_file, read_npz, write_npz_atomic, write_text_atomic

FORMAT = "tinytf-run-1"
CHECKPOINT = "checkpoint.npz"
BEST = "best.weights.npz"
HISTORY = "history.csv"
LOCK = ".tinytf.lock"


class CheckpointError(ValueError):
    """A run folder whose checkpoint is missing, damaged or made for another model."""


def model_arrays(model):
    return dict(zip(model.weight_keys(), model.get_weights()))


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
    if os.path.islink(path):
        raise CheckpointError(f"{path} is a symbolic link; tinytf reads a run's files only from inside its folder")
    if not zipfile.is_zipfile(path):  # read_npz would hand back a .npy's array
        raise CheckpointError(f"{path} is truncated or corrupted and cannot be used (not an .npz file)")
    try:
        arrays = read_npz(path)
    except (ValueError, TypeError, AttributeError) as e:
        raise CheckpointError(f"{path} is truncated or corrupted and cannot be used ({_short(e)})") from None
    try:
        meta = json.loads(str(arrays.pop("__meta__")))
    except (KeyError, ValueError, RecursionError):
        raise CheckpointError(f"{path} has no readable metadata: not a tinytf run checkpoint") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "config" not in meta:
        raise CheckpointError(f"{path}: not a tinytf run checkpoint (format "
                              f"{meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT!r})")
    problem = _meta_problem(meta)
    if problem:
        raise CheckpointError(f"{path}: damaged run metadata: {problem}")
    weights = {k[6:]: v for k, v in arrays.items() if k.startswith("model/")}
    opt = {k[10:]: v for k, v in arrays.items() if k.startswith("optimizer/")}
    return meta, weights, opt


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _meta_problem(meta):
    """What is wrong with the entries a resumed run relies on, or ``None``."""
    if not isinstance(meta["config"], dict):
        return "config is not a mapping"
    if "epoch" in meta and not (_is_int(meta["epoch"]) and meta["epoch"] >= 0):
        return f"epoch {meta['epoch']!r} is not a count of epochs"
    hist = meta.get("history", [])
    if not isinstance(hist, list) or not all(isinstance(r, dict) and _is_int(r.get("epoch")) for r in hist):
        return "history is not a list of per-epoch records"
    best = meta.get("best")
    if best is not None and not (isinstance(best, dict) and _is_int(best.get("epoch"))
                                 and isinstance(best.get("val_accuracy"), (int, float))):
        return f"best {best!r} is not {{'val_accuracy': ..., 'epoch': ...}}"
    return _rng_problem(meta.get("rng"))


def _rng_problem(rng):
    """What is wrong with a checkpoint's ``rng`` entry (``backend.set_state`` checks the rest)."""
    if rng is None:
        return None
    if not isinstance(rng, dict) or not {"global_seed", "bit_generator"} <= set(rng):
        return "rng is not a generator state with keys ['bit_generator', 'global_seed', 'op_uses']"
    seed, uses = rng["global_seed"], rng.get("op_uses", [])
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        return f"rng['global_seed'] is {type(seed).__name__}, not int"
    if not isinstance(uses, list) or not all(isinstance(p, list) and len(p) == 2 and all(_is_int(i) for i in p)
                                             for p in uses):
        return "rng['op_uses'] is not a list of [op seed, uses] pairs"
    bg = rng["bit_generator"]
    if not isinstance(bg, dict) or bg.get("bit_generator") != "PCG64" or not isinstance(bg.get("state"), dict):
        return "rng['bit_generator'] is not a PCG64 generator state"
    return None


def _short(e):
    return str(e).rsplit(": ", 1)[-1]


def check_weights(model, weights, where):
    """Raise ``CheckpointError`` unless ``weights`` has exactly the model's names and shapes."""
    want = {k: tuple(v.shape) for k, v in model_arrays(model).items()}
    missing = [k for k in want if k not in weights]
    extra = [k for k in weights if k not in want]
    wrong = [f"{k} {tuple(weights[k].shape)} vs {want[k]}" for k in want
             if k in weights and tuple(weights[k].shape) != want[k]]
    wrong += [f"{k} {dtype_problem(weights[k].dtype, np.float32)}" for k in want
              if k in weights and dtype_problem(weights[k].dtype, np.float32)]
    if missing or extra or wrong:
        parts = [f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "",
                 f"shape mismatch: {', '.join(wrong)}" if wrong else ""]
        raise CheckpointError(f"{where} does not match model {model.name!r}: "
                              + "; ".join(p for p in parts if p))


def restore(model, weights, opt_state, meta, where):
    """Put a loaded checkpoint into a built, compiled ``model`` and restore the global RNG.
    Everything is checked before anything is changed."""
    check_weights(model, weights, where)
    rng = meta.get("rng")
    problem = _rng_problem(rng)
    if problem:
        raise CheckpointError(f"{where}: {problem}")
    bad = sorted(k for k, v in opt_state.items() if np.asarray(v).dtype.kind not in "fiub")
    if bad:
        raise CheckpointError(f"{where}: optimizer state {bad} holds no numbers")
    if opt_state:
        opt = model.optimizer
        if not opt.built:
            opt.build(model.trainable_variables)
        try:
            opt.set_state(opt_state)
        except ValueError as e:
            raise CheckpointError(f"{where}: the optimizer state does not match: {e}") from None
    if rng is not None:
        old = backend.get_state()
        try:
            backend.set_state(rng)
        except (KeyError, TypeError, ValueError) as e:
            backend.set_state(old)
            raise CheckpointError(f"{where}: rng is not a usable generator state ({e})") from None
    model.set_weights([weights[k] for k in model.weight_keys()])


def _column_order(logs):
    """``loss``, the metrics, ``val_loss``, the validation metrics (Keras hands its logs sorted by name)."""
    def rest(k):
        return k not in ("loss", "val_loss")
    return sorted((k for k in logs if not k.startswith("val_")), key=rest) + \
        sorted((k for k in logs if k.startswith("val_")), key=rest)


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
    write_text_atomic(path, buf.getvalue())


def remove_temp_files(run_dir):
    """Delete tinytf's own temporary files (regular files only) from ``run_dir``; their names."""
    gone = []
    for name in sorted(os.listdir(run_dir)):
        path = os.path.join(run_dir, name)
        if is_temp_file(name) and stat.S_ISREG(os.lstat(path).st_mode):
            os.remove(path)
            gone.append(name)
    return gone


# ------------------------------------------------------------------------------ lock

class RunLocked(Exception):
    """Another process holds the run folder's lock."""


def lock_run_dir(run_dir):
    """Lock ``run_dir`` for this process: an open file to keep (closing it, or the process ending in
    any way, releases the lock). ``RunLocked`` if another process holds it; ``OSError`` if the
    folder cannot be written (checked with a probe file: an existing lock file can be opened in a
    read-only folder)."""
    fd = os.open(os.path.join(run_dir, LOCK), os.O_RDWR | os.O_CREAT, 0o666)
    f = os.fdopen(fd, "r+")
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunLocked(lock_holder(run_dir, probe=False)) from None
        f.truncate(0)
        f.write(f"{os.getpid()}\n")
        f.flush()
        probe_fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX + "probe-", dir=run_dir)
        os.close(probe_fd)
        os.remove(probe)
    except BaseException:
        f.close()
        raise
    return f


def lock_holder(run_dir, probe=True):
    """The pid written by the process that holds ``run_dir``'s lock (``0`` if unreadable), or
    ``None`` when no process holds it (``probe=False``: known to be held). Creates nothing."""
    try:
        fd = os.open(os.path.join(run_dir, LOCK), os.O_RDONLY)
    except OSError:
        return None
    try:
        if probe and fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return None
            except BlockingIOError:
                pass
        elif probe:
            return None
        text = os.read(fd, 32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else 0
    finally:
        os.close(fd)  # also releases the shared lock taken to test


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
        logs = logs or {}
        row = {"epoch": epoch + 1, **{k: float(logs[k]) for k in _column_order(logs)},
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
