"""``tf.train``: object-based checkpoints (``Checkpoint``, ``CheckpointManager``, ``latest_checkpoint``).

A checkpoint is one ``.npz`` file (``<prefix>.npz``), written atomically by ``files.write_npz_atomic``
and read with pickle disabled. Its keys are object paths: ``<name>/<weight key>`` for a Keras model
(``generator/conv2d/kernel``, the keys of ``model.save_weights``), ``<name>/<weight name>`` for a
layer, ``<name>/<state key>`` for an optimizer (its ``get_state()``: ``iteration``,
``learning_rate``, ``slot/<i>/<slot>``), ``<name>`` for a Variable, ``<name>/...`` recursively for a
nested ``Checkpoint``, plus ``save_counter`` and a JSON ``__meta__``. Directories hold TensorFlow's
``checkpoint`` index file (``model_checkpoint_path: "ckpt-3"``), so ``latest_checkpoint`` works as in
TensorFlow. TensorFlow's own checkpoint files (``.index`` / ``.data-*``) are not read.

Restoring checks everything first (every object of this ``Checkpoint`` present in the file, the same
keys, shapes and dtypes, from the ``.npz`` headers through ``loading.py``), then reads the arrays it
uses (never the others), and changes nothing if anything differs. Entries of the file for objects this
``Checkpoint`` does not have are ignored, as in TensorFlow (restore a generator alone from a GAN
checkpoint); ``status.assert_consumed()`` reports them.
"""
import json
import os
import re
import time
import warnings

import numpy as np

from .errors import NotFoundError
from .files import open_npz, write_npz_atomic, write_text_atomic
from .loading import MAX_TEXT, FileRefused, dtype_problem
from .records import BytesList, Example, Feature, Features, FloatList, Int64List  # noqa: F401 (tf.train's protos)
from .tensor import Variable

_FORMAT = "tinytf-checkpoint-1"
_INDEX = "checkpoint"


def _kind(obj):
    """What a tracked object is: 'checkpoint', 'variable', 'optimizer', 'model', 'layer' or None."""
    if isinstance(obj, Checkpoint):
        return "checkpoint"
    if isinstance(obj, Variable):
        return "variable"
    if all(hasattr(obj, a) for a in ("get_state", "set_state", "apply_gradients")):
        return "optimizer"
    if hasattr(obj, "weight_keys") and hasattr(obj, "weights"):
        return "model"
    if hasattr(obj, "weights") and hasattr(obj, "built"):
        return "layer"
    return None


def _layer_keys(layer):
    short = [w.path.rsplit("/", 1)[-1] for w in layer.weights]
    return short if len(set(short)) == len(short) else [w.path for w in layer.weights]


def _file_of(path):
    path = os.fspath(path)
    return path if path.endswith(".npz") else path + ".npz"


class CheckpointLoadStatus:
    """What ``Checkpoint.restore`` returns (restores are immediate in tinytf)."""

    def __init__(self, unused=()):
        self._unused = sorted(unused)

    def assert_consumed(self):
        """Raise ``AssertionError`` if the file had entries no object of the Checkpoint used."""
        if self._unused:
            raise AssertionError(f"Unresolved objects in checkpoint: {self._unused}")
        return self

    def assert_existing_objects_matched(self):
        return self

    def assert_nontrivial_match(self):
        return self

    def expect_partial(self):
        return self

    def initialize_or_restore(self, session=None):
        return None

    def run_restore_ops(self, session=None):
        return None


class Checkpoint:
    """Save and restore models, layers, optimizers, Variables (and nested Checkpoints) by name:
    ``Checkpoint(generator=g, generator_optimizer=opt, step=tf.Variable(0))``. Objects can also be
    attached later as attributes (``ckpt.epoch = tf.Variable(0)``)."""

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_objects", {})
        if root is not None:
            kwargs = {"root": root, **kwargs}
        for name, obj in kwargs.items():
            setattr(self, name, obj)
        object.__setattr__(self, "save_counter",
                           Variable(np.int64(0), trainable=False, name="save_counter"))

    def __setattr__(self, name, value):
        if name.startswith("_") or name == "save_counter":
            object.__setattr__(self, name, value)
            return
        if _kind(value) is None:
            raise ValueError(f"`Checkpoint` was expecting {name} to be a trackable object (a Keras model, "
                             "layer or optimizer, a tf.Variable or a tf.train.Checkpoint), got "
                             f"{value!r} of type {type(value).__name__}.")
        if "/" in name:
            raise ValueError(f"Checkpoint: object names may not contain '/', got {name!r}")
        self._objects[name] = value
        object.__setattr__(self, name, value)

    # ---- arrays <-> objects -------------------------------------------------------------------

    def _arrays(self, prefix=""):
        out = {}
        for name, obj in self._objects.items():
            p, kind = prefix + name, _kind(obj)
            if kind == "checkpoint":
                out.update(obj._arrays(p + "/"))
            elif kind == "variable":
                out[p] = obj.numpy()
            elif kind == "optimizer":
                out.update({f"{p}/{k}": np.asarray(v) for k, v in obj.get_state().items()})
            else:
                keys = obj.weight_keys() if kind == "model" else _layer_keys(obj)
                out.update({f"{p}/{k}": w.numpy() for k, w in zip(keys, obj.weights)})
        return out

    def _plan(self, arrays, prefix, errors, used):
        """Check ``arrays`` against the objects; return ``[(apply function, args)]`` (nothing applied)."""
        plan = []

        def take(key):
            used.add(key)
            return arrays[key]

        for name, obj in self._objects.items():
            p, kind = prefix + name, _kind(obj)
            below = [k for k in arrays if k.startswith(p + "/")]
            if kind == "checkpoint":
                plan += obj._plan(arrays, p + "/", errors, used)
            elif kind == "variable":
                if p not in arrays:
                    errors.append(f"{p}: not in the checkpoint")
                elif arrays[p].shape != tuple(obj.shape):
                    errors.append(f"{p}: checkpoint shape {arrays[p].shape} vs variable {tuple(obj.shape)}")
                elif dtype_problem(arrays[p].dtype, np.asarray(obj).dtype):
                    errors.append(f"{p}: {dtype_problem(arrays[p].dtype, np.asarray(obj).dtype)}")
                else:
                    plan.append((_assign, (obj, take(p))))
            elif not below:
                errors.append(f"{p}: not in the checkpoint (no '{p}/...' entries)")
            elif kind == "optimizer":
                state = {k[len(p) + 1:]: take(k) for k in below}
                plan += _plan_optimizer(obj, p, state, errors)
            else:
                if kind == "model" and (not obj.built or not obj.weights):  # as TF: restored when built
                    plan.append((_defer, (obj, p, {k[len(p) + 1:]: take(k) for k in below})))
                    continue
                if not obj.built or not obj.weights:
                    errors.append(f"{p}: {type(obj).__name__} {obj.name!r} is not built yet; build it (call it "
                                  "on data or model.build(input_shape)) before restoring")
                    continue
                keys = [f"{p}/{k}" for k in (obj.weight_keys() if kind == "model" else _layer_keys(obj))]
                missing = [k for k in keys if k not in arrays]
                extra = [k for k in below if k not in set(keys)]
                wrong = [f"{k}: checkpoint {arrays[k].shape} vs object {tuple(w.shape)}"
                         for k, w in zip(keys, obj.weights) if k in arrays and arrays[k].shape != tuple(w.shape)]
                wrong += [f"{k}: {dtype_problem(arrays[k].dtype, np.asarray(w).dtype)}"
                          for k, w in zip(keys, obj.weights)
                          if k in arrays and dtype_problem(arrays[k].dtype, np.asarray(w).dtype)]
                if missing or extra or wrong:
                    errors.append(f"{p}: does not match the checkpoint; missing {missing}, not in object "
                                  f"{extra}, shape mismatch {wrong}")
                else:
                    plan += [(_assign, (w, take(k))) for k, w in zip(keys, obj.weights)]
        return plan

    # ---- public API ---------------------------------------------------------------------------

    def write(self, file_prefix, options=None):
        """Write a checkpoint to ``<file_prefix>.npz`` (atomically); returns ``file_prefix``."""
        return self._write(os.fspath(file_prefix), int(self.save_counter))

    def _write(self, path, counter):
        arrays = self._arrays()
        arrays["save_counter"] = np.array(counter, np.int64)
        meta = {"format": _FORMAT, "objects": {n: _kind(o) for n, o in self._objects.items()}}
        arrays["__meta__"] = np.array(json.dumps(meta))
        write_npz_atomic(_file_of(path), arrays)
        return path

    def save(self, file_prefix, options=None):
        """Write ``<file_prefix>-<n>`` with ``n = save_counter + 1`` and record it as the latest in the
        directory's ``checkpoint`` file; returns that path (``ckpt-1``, ``ckpt-2``, ...)."""
        n = int(self.save_counter) + 1
        path = self._write(f"{os.fspath(file_prefix)}-{n}", n)
        self.save_counter.assign(np.int64(n))
        _write_index(os.path.dirname(path) or ".", [path], [time.time()])
        return path

    def read(self, save_path, options=None):
        """Restore from ``save_path`` (as ``restore``)."""
        return self.restore(save_path)

    def restore(self, save_path, options=None):
        """Restore every object from ``save_path`` (a path ``save``/``write`` returned; ``None`` does
        nothing, as TensorFlow's fresh start). ``ValueError`` naming each difference, with nothing
        changed, if an object is missing from the file or a key or shape differs."""
        if save_path is None:
            return CheckpointLoadStatus()
        file = _file_of(save_path)
        if not os.path.exists(file):
            hint = (" (a TensorFlow checkpoint: tinytf reads only its own .npz checkpoints)"
                    if os.path.exists(os.fspath(save_path) + ".index") else "")
            raise NotFoundError(f"Checkpoint.restore: no checkpoint at {os.fspath(save_path)!r} "
                                f"(looked for {file}){hint}")
        with open_npz(file) as z:
            if "__meta__" not in z.names:
                raise ValueError(f"{file} is not a tinytf checkpoint (written by tf.train.Checkpoint): "
                                 "no __meta__")
            text = z.text("__meta__")
            try:
                meta = json.loads(text)
            except (ValueError, RecursionError) as e:
                raise FileRefused(file, "__meta__", f"is not valid JSON: {e}") from None
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
                raise ValueError(f"{file} is not a tinytf checkpoint (written by tf.train.Checkpoint)")
            arrays = {k: _Entry(z, k) for k in z.names if k != "__meta__"}  # headers read when planned
            errors, used = [], {"save_counter"}
            plan = self._plan(arrays, "", errors, used)
            counter = arrays.get("save_counter")
            if counter is not None and (counter.shape != () or counter.dtype.kind not in "iu"):
                errors.append(f"save_counter: {counter.dtype} of shape {counter.shape}, expected an integer")
            if errors:
                raise ValueError(f"Checkpoint.restore: {file} does not match these objects (nothing was "
                                 "changed):\n  " + "\n  ".join(errors))
            values = {k: z.read(k) for k in used if k in arrays}  # everything read before anything is assigned
        for fn, args in plan:
            fn(*(_resolved(a, values) for a in args))
        if "save_counter" in values:
            self.save_counter.assign(np.asarray(values["save_counter"], np.int64))
        return CheckpointLoadStatus(set(arrays) - used)


class _Entry:
    """An array of the checkpoint file, not read: its shape and dtype come from its header, read
    (and checked) only when the plan looks at them."""

    def __init__(self, npz, key):
        self._npz, self.key = npz, key

    @property
    def shape(self):
        return self._npz.header(self.key)[0]

    @property
    def dtype(self):
        return self._npz.header(self.key)[1]


def _resolved(arg, values):
    if isinstance(arg, _Entry):
        return values[arg.key]
    if isinstance(arg, dict):
        return {k: _resolved(v, values) for k, v in arg.items()}
    return arg


def _defer(model, path, state):
    """A model not built yet takes the checkpoint's weights when it is built (its first call),
    as TensorFlow's deferred restoration; a mismatch is then a ValueError."""
    def restore():
        keys = model.weight_keys()
        missing = [k for k in keys if k not in state]
        extra = [k for k in state if k not in set(keys)]
        wrong = [f"{k}: checkpoint {state[k].shape} vs object {tuple(w.shape)}"
                 for k, w in zip(keys, model.weights) if k in state and state[k].shape != tuple(w.shape)]
        wrong += [f"{k}: {dtype_problem(state[k].dtype, np.asarray(w).dtype)}" for k, w in zip(keys, model.weights)
                  if k in state and dtype_problem(state[k].dtype, np.asarray(w).dtype)]
        if missing or extra or wrong:
            raise ValueError(f"Checkpoint.restore: {path} (restored when built) does not match the checkpoint; "
                             f"missing {missing}, not in object {extra}, shape mismatch {wrong}")
        for k, w in zip(keys, model.weights):
            _assign(w, state[k])
    model._pending_restore = restore


def _assign(var, array):
    var.assign(np.asarray(array, dtype=np.asarray(var).dtype))


def _plan_optimizer(opt, path, state, errors):
    if "iteration" not in state:
        errors.append(f"{path}: the checkpoint has no '{path}/iteration'")
        return []
    current = opt.get_state()
    kinds = []
    for k, a in state.items():
        why = dtype_problem(a.dtype, np.asarray(current[k]).dtype if k in current else a.dtype)
        if why:
            kinds.append(f"{path}/{k}: {why}")
    if kinds:
        errors.append(f"{path}: optimizer state of the wrong type: {kinds}")
        return []
    has_lr, wants_lr = "learning_rate" in state, "learning_rate" in current
    if has_lr != wants_lr:
        errors.append(f"{path}: learning rate saved as {'a float' if has_lr else 'a schedule'}, but this "
                      f"optimizer uses {'a float' if wants_lr else 'a schedule or callable'}")
        return []
    if opt.built:  # an optimizer not built yet takes its slots when it is built (set_state)
        missing = sorted(set(current) - set(state))
        extra = sorted(set(state) - set(current))
        wrong = [f"{k}: checkpoint {state[k].shape} vs optimizer {np.shape(current[k])}"
                 for k in current if k in state and state[k].shape != np.shape(current[k])]
        if missing or extra or wrong:
            errors.append(f"{path}: optimizer state does not match; missing {missing}, unexpected {extra}, "
                          f"shape mismatch {wrong}")
            return []
    return [(opt.set_state, (state,))]


# ---- the `checkpoint` index file ----------------------------------------------------------------

def _rel(directory, path):
    rel = os.path.relpath(path, directory)
    return rel if not rel.startswith("..") else os.path.abspath(path)


def _write_index(directory, paths, timestamps, preserved=None):
    lines = [f'model_checkpoint_path: "{_rel(directory, paths[-1])}"']
    lines += [f'all_model_checkpoint_paths: "{_rel(directory, p)}"' for p in paths]
    if preserved is not None:
        lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in timestamps]
        lines.append(f"last_preserved_timestamp: {preserved!r}")
    write_text_atomic(os.path.join(directory, _INDEX), "\n".join(lines) + "\n")


def _read_index(directory):
    """``(latest, [paths], [timestamps])`` from ``directory/checkpoint``, or ``None`` (no index, or
    one that is not an index: a warning, as TensorFlow's ``get_checkpoint_state``)."""
    file = os.path.join(os.fspath(directory), _INDEX)
    if not os.path.isfile(file):
        return None
    latest, paths, stamps = None, [], []
    try:
        if os.path.getsize(file) > MAX_TEXT:
            raise ValueError(f"{os.path.getsize(file)} bytes")
        with open(file, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key in ("model_checkpoint_path", "all_model_checkpoint_paths"):
                    path = json.loads(value)
                    if not isinstance(path, str) or not path or "\0" in path:
                        raise ValueError(f"{key}: {value[:80]!r} is not a path")
                    if key == "model_checkpoint_path":
                        latest = path
                    else:
                        paths.append(path)
                elif key in ("all_model_checkpoint_timestamps", "last_preserved_timestamp"):
                    stamp = float(value)
                    if key == "all_model_checkpoint_timestamps":
                        stamps.append(stamp)
                elif key and not key.startswith("#"):
                    raise ValueError(f"unknown entry {key[:80]!r}")
    except (ValueError, UnicodeDecodeError, OSError) as e:
        warnings.warn(f"{file}: not a checkpoint index file ({e}); it is ignored", stacklevel=3)
        return None
    join = lambda p: p if os.path.isabs(p) else os.path.join(os.fspath(directory), p)  # noqa: E731
    return (join(latest) if latest else None), [join(p) for p in paths], stamps


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The path of the latest checkpoint recorded in ``checkpoint_dir``'s ``checkpoint`` file, or
    ``None`` (no index file, or its checkpoint file is gone)."""
    index = _read_index(checkpoint_dir)
    if index is None or index[0] is None or not os.path.exists(_file_of(index[0])):
        return None
    return index[0]


class CheckpointManager:
    """Numbered checkpoints ``<directory>/<checkpoint_name>-<n>`` of one ``Checkpoint``, keeping the
    ``max_to_keep`` newest (``None``: all); older ones this manager (or an earlier one on the same
    directory, as recorded in its ``checkpoint`` file) wrote are deleted."""

    def __init__(self, checkpoint, directory, max_to_keep=5, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager: `checkpoint` must be a tf.train.Checkpoint, got "
                            f"{type(checkpoint).__name__}")
        if max_to_keep is not None and (not isinstance(max_to_keep, int) or isinstance(max_to_keep, bool)
                                        or max_to_keep < 1):
            raise ValueError(f"CheckpointManager: `max_to_keep` must be a positive int or None, got "
                             f"max_to_keep={max_to_keep!r}")
        for arg, value in (("keep_checkpoint_every_n_hours", keep_checkpoint_every_n_hours),
                           ("step_counter", step_counter), ("checkpoint_interval", checkpoint_interval)):
            if value is not None:
                raise NotImplementedError(f"CheckpointManager: `{arg}` is not supported by tinytf "
                                          f"(got {arg}={value!r})")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._init_fn = init_fn
        self._kept, self._stamps = [], []
        self._preserved = time.time()
        self._name = re.compile(re.escape(checkpoint_name) + r"-[0-9]+")
        index = _read_index(self._directory)
        if index is not None:
            stamps = index[2] if len(index[2]) == len(index[1]) else [self._preserved] * len(index[1])
            for p, t in zip(index[1], stamps):
                if self._owns(p) and os.path.exists(_file_of(p)):
                    self._kept.append(p)
                    self._stamps.append(t)

    def _owns(self, path):
        """Whether ``path`` is a checkpoint this manager writes: ``<checkpoint_name>-<n>`` directly in
        its directory. Only those are ever deleted, whatever the ``checkpoint`` index lists."""
        folder, name = os.path.split(os.path.abspath(path))
        return folder == os.path.abspath(self._directory) and self._name.fullmatch(name) is not None

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoints(self):
        """The kept checkpoint paths, oldest first."""
        return list(self._kept)

    @property
    def latest_checkpoint(self):
        return self._kept[-1] if self._kept else None

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Write a new checkpoint (numbered ``checkpoint_number``, else the checkpoint's incremented
        ``save_counter``), delete the oldest beyond ``max_to_keep``; returns its path."""
        counter = int(self._checkpoint.save_counter) + 1
        n = counter if checkpoint_number is None else int(checkpoint_number)
        path = self._checkpoint._write(f"{self._prefix}-{n}", counter)
        self._checkpoint.save_counter.assign(np.int64(counter))
        if path in self._kept:
            i = self._kept.index(path)
            del self._kept[i], self._stamps[i]
        self._kept.append(path)
        self._stamps.append(time.time())
        while self._max_to_keep is not None and len(self._kept) > self._max_to_keep:
            old = self._kept.pop(0)
            self._stamps.pop(0)
            if self._owns(old) and os.path.isfile(_file_of(old)):
                os.remove(_file_of(old))
        _write_index(self._directory, self._kept, self._stamps, self._preserved)
        return path

    def restore_or_initialize(self):
        """Restore the latest checkpoint and return its path, or call ``init_fn`` and return None."""
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None


class ClusterSpec:
    """``tf.train.ClusterSpec({"worker": ["host:port", ...], ...})``: the jobs of a cluster and their
    task addresses (a list: tasks 0..n-1; a dict: sparse task indices)."""

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        if not isinstance(cluster, dict):
            raise TypeError(f"ClusterSpec: cluster must be a dict of job name -> addresses, got {cluster!r}")
        self._jobs = {}
        for job, tasks in cluster.items():
            if isinstance(tasks, (list, tuple)):
                tasks = dict(enumerate(tasks))
            elif not isinstance(tasks, dict):
                raise TypeError(f"ClusterSpec: the tasks of job {job!r} must be a list or a dict, got {tasks!r}")
            self._jobs[str(job)] = {int(i): str(a) for i, a in tasks.items()}

    @property
    def jobs(self):
        return sorted(self._jobs)

    def _job(self, job_name):
        if job_name not in self._jobs:
            raise ValueError(f"No such job in cluster: {job_name!r}")
        return self._jobs[job_name]

    def num_tasks(self, job_name):
        return len(self._job(job_name))

    def task_indices(self, job_name):
        return sorted(self._job(job_name))

    def task_address(self, job_name, task_index):
        tasks = self._job(job_name)
        if task_index not in tasks:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}")
        return tasks[task_index]

    def job_tasks(self, job_name):
        tasks = self._job(job_name)
        return [tasks.get(i) for i in range(max(tasks) + 1)] if tasks else []

    def as_dict(self):
        """Job -> list of addresses where the task indices are 0..n-1, else job -> {index: address}."""
        return {job: ([t[i] for i in range(len(t))] if sorted(t) == list(range(len(t))) else dict(t))
                for job, t in self._jobs.items()}

    def __bool__(self):
        return bool(self._jobs)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self._jobs == other._jobs

    def __repr__(self):
        return f"ClusterSpec({self.as_dict()!r})"


__all__ = ["BytesList", "Checkpoint", "CheckpointManager", "ClusterSpec", "Example", "Feature", "Features", "FloatList",
           "Int64List", "latest_checkpoint"]
