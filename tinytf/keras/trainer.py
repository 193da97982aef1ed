"""The training loop of ``Model`` (Keras 3's ``trainers/trainer.py``): compile, fit, evaluate,
predict, train/test steps and the Keras 2-era ``*_generator`` aliases."""
import functools
import warnings

import numpy as np

from ..ops.core import as_tensor
from ..tape import GradientTape
from . import callbacks as callbacks_module
from .distribution import get_distribution


class Trainer:
    """Mixed into ``Model``: everything that needs ``compile``. Keras 3's contract: ``fit`` hands
    each batch (``data``: ``(x, y)``, ``(x, y, sample_weight)`` or ``x``) to ``train_step(data)``,
    whose returned dict is the logs; ``compute_loss`` adds the compiled loss and ``self.losses``;
    ``compute_metrics`` updates the compiled metrics and returns every metric's result."""

    _compile_loss = None
    _compile_metrics = None
    _metric_specs = ()
    _loss_tracker = None

    # ---- compile -----------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Set the optimizer (instance or name), the loss (instance, function or name; none for a
        model whose ``train_step`` or ``compute_loss`` computes its own) and metrics."""
        from . import compile_utils, metrics as M, optimizers
        if optimizer is None:  # tf.keras 2 rejects it here too; Keras 3 fails later, in fit
            raise ValueError("compile: optimizer=None; give an optimizer instance or name, e.g. "
                             "optimizer='adam' (Could not interpret optimizer identifier: None)")
        self.optimizer = optimizers.get(optimizer)
        if loss is not None:  # as Keras 3: compiling again without a loss keeps the previous one
            self._compile_loss = compile_utils.get_loss(loss)
            self.loss = loss
        if metrics is not None or weighted_metrics is not None:  # else the previous ones stay (Keras 3)
            self._metric_specs = list(metrics or [])
            self._compile_metrics = compile_utils.CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = M.Mean(name="loss")
        self._distribution = get_distribution().for_model()
        self.run_eagerly = run_eagerly
        self.stop_training = False
        self.compiled = True

    @property
    def metrics(self):
        """The loss tracker, the compiled metrics (one ``CompileMetrics``), the metrics held by
        attributes of the model, then its layers' metrics (Keras 3's order)."""
        frozen = self.__dict__.get("_frozen_metrics")  # fixed while fit/evaluate run (_metrics_fixed)
        if frozen is not None:
            return list(frozen)
        out = []
        if self.compiled:
            out += [m for m in (self._loss_tracker, self._compile_metrics) if m is not None]
        out += self._attribute_metrics()
        for layer in self._sublayers():
            if not isinstance(layer, Trainer):
                out += layer.metrics
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def _require_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"You must call `compile()` before using the model ({what}): "
                               "model.compile(optimizer=..., loss=...)")

    # ---- the step functions and their parts ----------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of ``(y, y_pred)`` plus every ``self.losses`` term (summed)."""
        from ..ops import math_ops as M
        losses = []
        if self._compile_loss is not None:
            losses.append(self._compile_loss(y, y_pred, sample_weight))
        for extra in self.losses:
            extra = as_tensor(extra)
            if not extra.dtype.is_floating:
                extra = M.cast(extra, "float32")
            losses.append(M.reduce_sum(extra) if extra.shape.rank else extra)
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return losses[0] if len(losses) == 1 else M.add_n(losses)

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        """``compute_loss`` without ``training`` for overrides written before Keras 3.3."""
        if _takes_training(type(self)):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics; the results of every metric in ``self.metrics``."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """``{name: result}`` of ``self.metrics`` (a dict result, as compile_metrics', merged in)."""
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def _call_model(self, x, training):
        return self(x, training=training) if self._call_has_training else self(x)

    def train_step(self, data):
        """One optimizer step on the batch ``data``; returns the logs (a dict of metric results)."""
        from .data_adapter import unpack_x_y_sample_weight
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self._call_model(x, True)
            loss = self._compute_loss(x, y, y_pred, sample_weight, True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        variables = self.trainable_weights
        if variables:
            grads = tape.gradient(loss, variables)
            self.optimizer.apply_gradients(zip(grads, variables))
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        from .data_adapter import unpack_x_y_sample_weight
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self._call_model(x, False)
        loss = self._compute_loss(x, y, y_pred, sample_weight, False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        from .data_adapter import unpack_x_y_sample_weight
        x, _, _ = unpack_x_y_sample_weight(data)
        return self._call_model(x, False)

    # ---- tf.keras 2 names that Keras 3 keeps as deprecated shims --------------------------
    @property
    def compiled_metrics(self):
        """Keras 3's shim: ``update_state(y, y_pred)`` updates every metric in ``self.metrics``
        (``Mean`` ones, the loss tracker included, with ``y_pred``), with a deprecation warning."""
        model = self

        class DeprecatedCompiledMetric:
            def update_state(self, y, y_pred, sample_weight=None):
                from .metrics import Mean
                warnings.warn("`model.compiled_metrics()` is deprecated. Instead, use e.g.:\n```\nfor metric in "
                              "self.metrics:\n    metric.update_state(y, y_pred)\n```\n", stacklevel=2)
                for m in model.metrics:
                    if isinstance(m, Mean):
                        m.update_state(y_pred, sample_weight=sample_weight)
                    else:
                        m.update_state(y, y_pred, sample_weight=sample_weight)
        return DeprecatedCompiledMetric()

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """Keras 3's shim: ``compute_loss(y=y, y_pred=y_pred, sample_weight=...)`` (which adds
        ``self.losses``; ``regularization_losses`` is not used), with a deprecation warning."""
        warnings.warn("`model.compiled_loss()` is deprecated. Instead, use "
                      "`model.compute_loss(x, y, y_pred, sample_weight, training)`.", stacklevel=2)
        return self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)

    def _get_metrics_result_or_logs(self, logs):
        """The metrics' results when the step's logs have the same keys, else the step's logs."""
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def _flatten_metrics_in_order(self, logs):
        """``logs`` as a list in ``metrics`` order (unknown keys after, sorted); one value alone."""
        from .compile_utils import CompileMetrics
        names = []
        for m in self.metrics:
            names += [s.name for s in m.metrics] if isinstance(m, CompileMetrics) else [m.name]
        out = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs) if k not in names]
        return out[0] if len(out) == 1 else out

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1):
        """Train for ``epochs`` epochs on arrays ``(x, y)``, a ``tf.data.Dataset``, a
        ``keras.utils.PyDataset`` or a generator, each batch through ``train_step``.

        Returns a ``History`` whose ``history`` dict holds per-epoch ``loss``, metrics and
        ``val_*`` values. Arrays are reshuffled each epoch (``shuffle=True``) with tinytf's seeded
        generator; ``validation_split`` takes the last fraction of the arrays, before shuffling.
        """
        self._require_compiled("fit")
        from .data_adapter import Batches, is_stream
        if validation_split and validation_data is None:
            if is_stream(x):
                raise ValueError("fit: validation_split is only supported for arrays; pass validation_data")
            x, y, validation_data = _split_validation(x, y, validation_split)
        train = Batches(x, y, batch_size, shuffle=shuffle, steps=steps_per_epoch, what="fit",
                        sample_weight=sample_weight, class_weight=class_weight)
        val = None if validation_data is None else Batches.from_validation(
            validation_data, validation_batch_size or batch_size, validation_steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        history = callbacks_module.History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(callbacks_module.ProgbarLogger(verbose))
        cbs.append(history)
        cb = callbacks_module.CallbackList(cbs, self, {"epochs": epochs, "steps": train.steps, "verbose": verbose})
        self.stop_training = False
        dist = self._distribution
        cb.on_train_begin()
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch  # BackupAndRestore's
        with _metrics_fixed(self):
            logs = self._epochs(train, val, cb, dist, initial_epoch, epochs, validation_freq)
        cb.on_train_end(logs)
        return history

    def _epochs(self, train, val, cb, dist, initial_epoch, epochs, validation_freq):
        logs = None
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cb.on_epoch_begin(epoch)
            dist.begin_epoch(self)
            for step, data in enumerate(train.epoch()):
                cb.on_train_batch_begin(step)
                logs = pythonify_logs(dist.train_step(self, data))
                cb.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if logs is None:
                raise ValueError("fit: the training data gave no batches "
                                 "(an empty Dataset, or steps_per_epoch=0?)")
            epoch_logs = pythonify_logs(logs if dist.sums_logs else self._get_metrics_result_or_logs(logs))
            if val is not None and (epoch + 1) % validation_freq == 0:
                cb.on_test_begin()  # Keras's fit runs evaluate with its callbacks
                val_logs = self._run_eval(val, cb)
                cb.on_test_end(val_logs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        return logs

    def _run_eval(self, batches, cb):
        with _metrics_fixed(self):
            return self._eval_batches(batches, cb)

    def _eval_batches(self, batches, cb):
        self.reset_metrics()
        logs = None
        dist = self._distribution
        for step, data in enumerate(batches.epoch()):
            if cb:
                cb.on_test_batch_begin(step)
            logs = pythonify_logs(dist.test_step(self, data))
            if cb:
                cb.on_test_batch_end(step, logs)
        if logs is None:
            raise ValueError(f"{batches.what}: the data gave no batches (an empty Dataset?)")
        return logs if dist.sums_logs else pythonify_logs(self._get_metrics_result_or_logs(logs))

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss and metrics over the data: a float, a list ``[loss, *metrics]`` or a dict."""
        self._require_compiled("evaluate")
        from .data_adapter import Batches
        batches = Batches(x, y, batch_size, shuffle=False, steps=steps, what="evaluate",
                          sample_weight=sample_weight)
        verbose = 1 if verbose == "auto" else int(verbose)  # Keras: "auto" is a progress bar
        cbs = list(callbacks or []) + ([callbacks_module.ProgbarLogger(verbose)] if verbose else [])
        cb = callbacks_module.CallbackList(cbs, self, {"steps": batches.steps, "verbose": verbose})
        cb.on_test_begin()
        logs = self._run_eval(batches, cb)
        cb.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` (arrays, a Dataset, a PyDataset, a generator), each batch through
        ``predict_step``, concatenated as NumPy arrays (a list or dict of them for several outputs)."""
        from .data_adapter import Batches
        from ..nest import flatten, pack_sequence_as
        batches = Batches(x, None, batch_size, shuffle=False, steps=steps, what="predict")
        cb = callbacks_module.CallbackList(list(callbacks or []), self, {"steps": batches.steps, "verbose": verbose})
        cb.on_predict_begin()
        outs = []
        for step, data in enumerate(batches.epoch()):
            cb.on_predict_batch_begin(step)
            outs.append(self.predict_step(data))
            cb.on_predict_batch_end(step, {"outputs": outs[-1]})
        cb.on_predict_end()
        if not outs:
            raise ValueError("predict: the data gave no batches (an empty Dataset?)")
        columns = zip(*[flatten(o) for o in outs])
        return pack_sequence_as(outs[0], [np.concatenate([_to_numpy(p) for p in c], axis=0) for c in columns])

    def predict_on_batch(self, x):
        from ..nest import map_structure
        return map_structure(_to_numpy, self.predict_step((_tensor(x),)))

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        self._require_compiled("train_on_batch")
        if class_weight is not None:
            from .data_adapter import class_weight_to_sample_weights
            if sample_weight is not None:
                raise ValueError("Arguments `sample_weight` and `class_weight` cannot be specified at the same "
                                 f"time. Received: sample_weight={sample_weight}, class_weight={class_weight}")
            sample_weight = class_weight_to_sample_weights(y, class_weight)
        self.reset_metrics()
        logs = pythonify_logs(self.train_step((_tensor(x), _tensor(y), _tensor(sample_weight))))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        logs = pythonify_logs(self.test_step((_tensor(x), _tensor(y), _tensor(sample_weight))))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    # ---- Keras 2-era names (removed in Keras 3; TF 2.21 has none of them) --------------------
    def fit_generator(self, generator, *args, **kwargs):
        _deprecated("fit_generator", "fit")
        return self.fit(generator, *args, **kwargs)

    def evaluate_generator(self, generator, *args, **kwargs):
        _deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, *args, **kwargs)

    def predict_generator(self, generator, *args, **kwargs):
        _deprecated("predict_generator", "predict")
        return self.predict(generator, *args, **kwargs)


def _deprecated(old, new):
    warnings.warn(f"Model.{old} is Keras 2 API (removed in Keras 3); use Model.{new}, which takes the same "
                  "data", DeprecationWarning, stacklevel=3)


class _metrics_fixed:
    """While fit/evaluate run, ``model.metrics`` is the list taken at their start (as Keras's traced
    step functions fix it), so each step does not search the layers for metrics again."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.outer = self.model.__dict__.get("_frozen_metrics")
        if self.outer is None:
            self.model._frozen_metrics = Trainer.metrics.fget(self.model)

    def __exit__(self, *exc):
        if self.outer is None:
            self.model.__dict__.pop("_frozen_metrics", None)


@functools.lru_cache(maxsize=None)
def _takes_training(cls):
    import inspect
    return "training" in inspect.signature(cls.compute_loss).parameters


def pythonify_logs(logs):
    """Keras's logs for callbacks: nested dicts merged in, values as Python floats, keys sorted."""
    out = {}
    for k, v in sorted((logs or {}).items()):
        if isinstance(v, dict):
            out.update(pythonify_logs(v))
        else:
            try:
                out[k] = float(v)
            except (TypeError, ValueError):
                out[k] = v
    return out


def _batch_size(x):
    from ..nest import flatten
    first = next(a for a in flatten(x) if a is not None)
    return float(as_tensor(first).shape[0])


def _tensor(a):
    return None if a is None else as_tensor(a)


def _to_numpy(t):
    return np.asarray(t) if t is None or isinstance(t, np.ndarray) else as_tensor(t).numpy()


def _split_validation(x, y, fraction):
    if not 0 < fraction < 1:
        raise ValueError(f"fit: validation_split must be in (0, 1), got {fraction!r}")
    n = len(x)
    cut = int(n * (1 - fraction))
    if cut == 0 or cut == n:
        raise ValueError(f"fit: validation_split={fraction} leaves no data on one side ({n} samples)")
    return x[:cut], y[:cut], (x[cut:], y[cut:])
