"""Summary writers and the summary state: the default writer, the default step, ``record_if``.

A file writer appends TensorBoard event records (TF's TFRecord framing and masked CRC32C, from the
``tensorboard`` package, ``tinytf[tensorboard]``) to one ``events.out.tfevents.*.v2`` file in its
log folder. Events wait in memory until ``max_queue`` of them are pending, ``flush_millis`` have
passed since the last flush (checked when an event is written), ``flush()``, leaving
``as_default()``, ``close()`` or the end of the process; each flush writes whole records and
flushes the file, so a killed process leaves a file TensorBoard reads up to its last flush. Event
files are append-only logs, so they are the one kind of file tinytf writes in place rather than
through ``files.atomic_write``.

The state is per thread, as in TensorFlow: ``as_default``/``set_as_default`` pick the writer
that ``tf.summary.scalar`` and the others write to, ``experimental.set_step`` the step they use
when called without one, and ``record_if`` whether they write at all.
"""
import atexit
import contextlib
import os
import socket
import threading
import time
import weakref

import numpy as np

INSTALL = "tinytf[tensorboard]"
_state = threading.local()
_open_writers = weakref.WeakSet()
_uid = iter(range(1 << 62))
_uid_lock = threading.Lock()


def tb():
    """The ``tensorboard`` modules the writers need, imported at the first file writer."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter
        from tensorboard.util import tensor_util
    except ImportError as e:
        raise ImportError(f"tf.summary writes TensorBoard event files with the 'tensorboard' package, "
                          f"which is not installed: pip install '{INSTALL}' (or pip install tensorboard)"
                          f" ({e})") from None
    return event_pb2, summary_pb2, RecordWriter, tensor_util


def _get(name, default=None):
    return getattr(_state, name, default)


def current_writer():
    return _get("writer")


def get_step():
    """``tf.summary.experimental.get_step()``: the default step (``None`` if unset)."""
    return _get("step")


def set_step(step):
    """``tf.summary.experimental.set_step(step)``: the step summaries use when given none (an int,
    a Variable such as ``optimizer.iterations``, read at each write, or ``None`` to unset)."""
    _state.step = step


def resolve_step(step):
    step = get_step() if step is None else step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or "
                         "through tf.summary.experimental.set_step()")
    value = np.asarray(step.numpy() if hasattr(step, "numpy") else step)
    if value.shape != () or value.dtype.kind not in "iuf" or (value.dtype.kind == "f" and value != int(value)):
        raise ValueError(f"tf.summary: step must be a scalar integer, got {step!r}")
    return int(value)


@contextlib.contextmanager
def record_if(condition):
    """``with tf.summary.record_if(cond):`` summaries in the block are written only where ``cond``
    (a bool, or a callable asked at each write) is true."""
    old = _get("record_if", True)
    _state.record_if = condition
    try:
        yield
    finally:
        _state.record_if = old


def should_record_summaries():
    """Whether a summary written now would be written: a default writer and a true ``record_if``."""
    if current_writer() is None:
        return False
    cond = _get("record_if", True)
    return bool(cond() if callable(cond) else cond)


class name_scope:
    """``tf.name_scope(name)``: ``with tf.name_scope("train"):`` prefixes the tags of summaries
    written inside (``train/loss``), as TF 2 does eagerly (no ``_1`` suffixes). tinytf's ops have no
    names, so summary tags are all it changes."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError(f"tf.name_scope: name must be a string, got {name!r}")
        self.name = name

    def __enter__(self):
        old = _get("scope", "")
        self._old = old
        name = self.name
        _state.scope = name if name.endswith("/") else (old + name + "/" if name else old)
        return _state.scope

    def __exit__(self, *exc):
        _state.scope = self._old
        return False


def scoped(name):
    """``name`` under the current name scope (``scope/name``)."""
    return _get("scope", "") + name


class SummaryWriter:
    """``tf.summary.SummaryWriter``: the interface of the writers ``create_file_writer`` and
    ``create_noop_writer`` return."""

    def set_as_default(self, step=None):
        """Make this the default writer for the rest of the thread (and set the default step)."""
        self._check_open()
        _state.writer = self
        if step is not None:
            _state.step = step

    @contextlib.contextmanager
    def as_default(self, step=None):
        """``with writer.as_default(step):`` the default writer (and step) inside the block;
        leaving the block normally flushes the writer, as TensorFlow does."""
        self._check_open()
        old_writer, old_step = _get("writer"), _get("step")
        _state.writer = self
        if step is not None:
            _state.step = step
        try:
            yield self
            self.flush()
        finally:
            _state.writer, _state.step = old_writer, old_step

    def init(self):
        """Nothing to do: the writer is ready when created (TensorFlow's ``init`` is for graphs)."""

    def flush(self):
        pass

    def close(self):
        pass

    def _check_open(self):
        pass

    def write_event(self, **fields):
        pass


class NoopWriter(SummaryWriter):
    """``tf.summary.create_noop_writer()``: a default writer that writes nothing."""


class FileWriter(SummaryWriter):
    """A writer appending events to ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2`` in ``logdir``."""

    def __init__(self, logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                 experimental_trackable=False, experimental_mesh=None):
        if not isinstance(logdir, (str, os.PathLike)) or not os.fspath(logdir):
            raise ValueError(f"create_file_writer: logdir must be a non-empty path, got {logdir!r}")
        self._max_queue = 10 if max_queue is None else _nonneg_int("max_queue", max_queue)
        self._flush_secs = 120.0 if flush_millis is None else _nonneg_int("flush_millis", flush_millis) / 1000
        suffix = ".v2" if filename_suffix is None else str(filename_suffix)
        self._event_pb2, self._summary_pb2, record_writer, _ = tb()
        self.logdir = os.fspath(logdir)
        try:
            os.makedirs(self.logdir, exist_ok=True)
        except OSError as e:
            raise ValueError(f"create_file_writer: cannot create the log folder {self.logdir!r}: {e}") from None
        with _uid_lock:
            uid = next(_uid)
        name = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{uid}{suffix}"
        self.path = os.path.join(self.logdir, name)
        self._file = open(self.path, "ab")
        self._records = record_writer(self._file)
        self._pending, self._last_flush, self._closed = [], time.monotonic(), False
        self._lock = threading.Lock()
        _open_writers.add(self)
        self.write_event(file_version="brain.Event:2")
        self.flush()

    def _check_open(self):
        if self._closed:
            raise RuntimeError(f"SummaryWriter for {self.logdir!r} is already closed")

    def write_event(self, **fields):
        """Queue one ``Event`` (``wall_time`` now; ``step``, ``summary``, ``graph_def`` ...)."""
        if self._closed:
            return
        event = self._event_pb2.Event(wall_time=time.time(), **fields)
        with self._lock:
            self._pending.append(event.SerializeToString())
            due = len(self._pending) >= self._max_queue or time.monotonic() - self._last_flush >= self._flush_secs
        if due:
            self.flush()

    def write_summary(self, tag, tensor_proto, step, metadata):
        value = self._summary_pb2.Summary.Value(tag=tag, tensor=tensor_proto, metadata=metadata)
        self.write_event(step=step, summary=self._summary_pb2.Summary(value=[value]))

    def flush(self):
        """Write the pending events to the file and flush it to the operating system."""
        with self._lock:
            if self._closed:
                return
            for record in self._pending:
                self._records.write(record)
            self._pending.clear()
            self._records.flush()
            self._last_flush = time.monotonic()

    def close(self):
        """Flush and close the file; the writer then writes nothing and cannot become the default."""
        self.flush()
        with self._lock:
            if not self._closed:
                self._closed = True
                self._records.close()
        _open_writers.discard(self)

    def __del__(self):  # a writer dropped without close() still leaves its events on disk
        if getattr(self, "_lock", None) is not None:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - at interpreter exit the file may be gone already
                pass

    def __repr__(self):
        return f"<tinytf.summary file writer {self.logdir!r}>"


def _nonneg_int(what, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"create_file_writer: {what} must be a non-negative integer, got {value!r}")
    return int(value)


@atexit.register
def _flush_at_exit():
    for writer in list(_open_writers):
        writer.flush()
