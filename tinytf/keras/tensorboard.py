"""``keras.callbacks.TensorBoard``: Keras 3's callback over ``tf.summary``, with TF 2.21's run
folders (``<log_dir>/train``, ``<log_dir>/validation``), tags and steps:

* train: ``epoch_<metric>`` and ``epoch_learning_rate`` at step = epoch; with ``update_freq`` N
  (or 'batch' = 1) ``batch_<metric>`` at every N-th global batch (counted from 1 over the whole
  fit); ``histogram_freq``: ``<weight path>/histogram`` (and ``/image`` with ``write_images``) at
  step = epoch; ``write_graph``: the model's config as ``keras`` at step 0 (Sequential and
  functional models, as Keras); ``write_steps_per_second``: ``epoch_steps_per_second`` and
  ``batch_steps_per_second``.
* validation: ``epoch_<metric>`` at step = epoch, ``evaluation_<metric>_vs_iterations`` at step =
  ``optimizer.iterations`` (also from ``evaluate``).

``profile_batch`` and ``embeddings_freq`` are accepted (checked as Keras checks them) but tinytf
has no profiler and no projector: a non-zero value is ignored with a warning. Under
``tf.distribute`` only rank 0 writes.
"""
import os
import time
import warnings

import numpy as np

from .. import summary
from ..summary.graph import keras_model
from .callback import Callback
from .distribution import get_distribution


def _positive_int(value):
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value > 0


class TensorBoard(Callback):
    """Logs for TensorBoard: ``tensorboard --logdir <log_dir>`` shows them."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        if not isinstance(histogram_freq, (int, np.integer)) or isinstance(histogram_freq, bool) \
                or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be a non-negative integer, got {histogram_freq!r}")
        update_freq = 1 if update_freq == "batch" else update_freq
        if update_freq != "epoch" and not _positive_int(update_freq):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive integer, "
                             f"got {update_freq!r}")
        self.log_dir = str(os.fspath(log_dir))
        self.histogram_freq, self.write_graph, self.write_images = int(histogram_freq), write_graph, write_images
        self.write_steps_per_second, self.update_freq = write_steps_per_second, update_freq
        self.embeddings_freq, self.embeddings_metadata = embeddings_freq, embeddings_metadata
        _, stop = _profile_range(profile_batch)
        if stop:
            warnings.warn(f"TensorBoard: profile_batch={profile_batch!r} is ignored: tinytf has no profiler")
        if embeddings_freq:
            warnings.warn(f"TensorBoard: embeddings_freq={embeddings_freq!r} is ignored: tinytf does not "
                          "write projector embeddings")
        self._global_train_batch = self._global_test_batch = 0
        self._writers, self._pushed = {}, []

    def set_model(self, model):
        """Set the model and start fresh writers; write the model graph (``write_graph``)."""
        self.model = model
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        if self.write_graph and _is_graph_network(model):
            with self._writer("train").as_default():
                keras_model("keras", model, step=0)

    def _writer(self, which):
        if which not in self._writers:
            folder = self._train_dir if which == "train" else self._val_dir
            self._writers[which] = summary.create_file_writer(folder) if get_distribution().is_chief() else summary.create_noop_writer()
        return self._writers[which]

    # custom batch-level summaries go to the pushed writer at the global batch as step
    def _push_writer(self, which, step):
        if self.update_freq == "epoch":
            return
        contexts = (self._writer(which).as_default(step), summary.record_if(step % self.update_freq == 0))
        for c in contexts:
            c.__enter__()
        self._pushed.append(contexts)

    def _pop_writer(self):
        if self.update_freq == "epoch" or not self._pushed:
            return
        for c in reversed(self._pushed.pop()):
            c.__exit__(None, None, None)

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_iterations = 0
        self._push_writer("train", self._global_train_batch)

    def on_train_end(self, logs=None):
        self._pop_writer()
        for w in self._writers.values():
            w.close()

    def on_test_begin(self, logs=None):
        self._push_writer("validation", self._global_test_batch)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            with self._writer("validation").as_default():
                for name, value in (logs or {}).items():
                    summary.scalar(f"evaluation_{name}_vs_iterations", value, step=optimizer.iterations)
        self._pop_writer()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer("train", self._global_train_batch)
        if self.write_steps_per_second:
            self._batch_start = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.write_steps_per_second:
            summary.scalar("batch_steps_per_second", 1.0 / max(time.time() - self._batch_start, 1e-9),
                           step=self._global_train_batch)
        if isinstance(logs, dict):
            for name, value in logs.items():
                summary.scalar(f"batch_{name}", value, step=self._global_train_batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer("validation", self._global_test_batch)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_iterations = int(self.model.optimizer.iterations)
            self._epoch_start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second:
            steps = int(optimizer.iterations) - self._previous_iterations
            train["steps_per_second"] = steps / max(time.time() - self._epoch_start, 1e-9)
        for which, values in (("train", train), ("validation", val)):
            if values:
                with self._writer(which).as_default():
                    for name, value in values.items():
                        summary.scalar(f"epoch_{name}", value, step=epoch)

    def _log_weights(self, epoch):
        writer = self._writer("train")
        with writer.as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    path = weight_path(self.model, layer, weight)
                    summary.histogram(f"{path}/histogram", weight, step=epoch)
                    if self.write_images:
                        image = weight_image(np.asarray(weight))
                        if image is not None:
                            summary.image(f"{path}/image", image, step=epoch)
            writer.flush()


def _is_graph_network(model):
    """Keras writes the graph when the class is named Sequential or Functional (not for subclasses):
    tinytf's functional models are ``Model`` objects with a graph."""
    name = type(model).__name__
    return name == "Sequential" or (name == "Model" and getattr(model, "_functional", None) is not None)


def weight_path(model, layer, weight):
    """Keras 3's ``weight.path`` with ':' as '_': ``<layer>/<name>`` in a functional model, under
    ``<model>/`` in a Sequential or subclassed one (whose layers are built inside the model)."""
    path = weight.path if weight.path.startswith(layer.name + "/") else f"{layer.name}/{weight.path}"
    if getattr(model, "_functional", None) is None:
        path = f"{model.name}/{path}"
    return path.replace(":", "_")


def weight_image(w):
    """A weight as Keras's ``write_images`` shows it: a bias as a 1 x n image, a 2-D kernel with its
    longer axis across, a 3-D (squeezed) conv kernel as one image per output channel; else None."""
    w = np.squeeze(w)
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        w = np.transpose(w, (2, 0, 1))
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    return w if w.ndim == 4 and w.shape[-1] in (1, 3, 4) else None


def _profile_range(profile_batch):
    """Keras's ``profile_batch`` forms: a non-negative int, a pair, or a 'start,stop' string."""
    message = ("TensorBoard: profile_batch must be a non-negative integer or 2-tuple of positive integers, "
               f"got {profile_batch!r}")
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(p) for p in value.split(",")]
        except ValueError:
            raise ValueError(message) from None
        value = value[0] if len(value) == 1 else value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        start = stop = int(value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        start, stop = value
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop
