"""The training loop of ``Model`` (Keras 3's ``trainers/trainer.py``): compile, fit, evaluate,
predict, train/test steps and the Keras 2-era ``*_generator`` aliases."""
import warnings

import numpy as np

from ..ops._core import T
from ..tape import GradientTape
from . import callbacks as C


class Trainer:
    """Mixed into ``Model``: everything that needs ``compile``."""

    # ---- compile / fit -----------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, run_eagerly=None,
                jit_compile=None, **kwargs):
        """Set the optimizer (instance or name), the loss (instance, function or name) and metrics."""
        from . import losses, metrics as M, optimizers
        if optimizer is None:  # tf.keras 2 rejects it here too; Keras 3 fails later, in fit
            raise ValueError("compile: optimizer=None; give an optimizer instance or name, e.g. "
                             "optimizer='adam' (Could not interpret optimizer identifier: None)")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = None if loss is None else losses.get(loss)
        self._metric_specs = list(metrics or [])
        self._metrics = None
        self._loss_tracker = M.Mean(name="loss")
        self._distribute_strategy = _scope_strategy()
        self.compiled = True

    def _build_metrics(self, y, y_pred):
        from . import metrics as M
        out = []
        for spec in self._metric_specs:
            if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
                m = M.resolve_accuracy(self._loss_fn, tuple(T(y).shape), tuple(y_pred.shape))
                m.name = "accuracy" if spec.lower() == "accuracy" else "acc"
                out.append(m)
            else:
                out.append(M.get(spec))
        self._metrics = out

    @property
    def metrics(self):
        return ([self._loss_tracker] if getattr(self, "_loss_tracker", None) else []) + list(self._metrics or [])

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def _require_compiled(self, what):
        if not self.compiled or self._loss_fn is None:
            raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")

    def compute_loss(self, y, y_pred):
        loss = self._loss_fn(y, y_pred)
        extra = self.losses
        if extra:
            from ..ops import math_ops as M
            loss = M.add(loss, M.add_n(extra) if len(extra) > 1 else extra[0])
        return loss

    def train_step(self, x, y):
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y, y_pred)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return self._update_metrics(loss, y, y_pred, x)

    def test_step(self, x, y):
        y_pred = self(x, training=False)
        loss = self.compute_loss(y, y_pred)
        return self._update_metrics(loss, y, y_pred, x)

    def _update_metrics(self, loss, y, y_pred, x):
        if self._metrics is None:
            self._build_metrics(y, y_pred)
        n = len(x[0]) if isinstance(x, (list, tuple)) else len(x)
        self._loss_tracker.update_state(loss, sample_weight=n)
        for m in self._metrics:
            m.update_state(y, y_pred)
        return self._logs()

    def _logs(self):
        return {m.name: float(m.result()) for m in self.metrics}

    def _reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
            class_weight=None, sample_weight=None):
        """Train for ``epochs`` epochs on arrays ``(x, y)`` or a ``tf.data.Dataset`` of ``(x, y)``.

        Returns a ``History`` whose ``history`` dict holds per-epoch ``loss``, metrics and
        ``val_*`` values. Arrays are reshuffled each epoch (``shuffle=True``) with tinytf's seeded
        generator; ``validation_split`` takes the last fraction of the arrays, before shuffling.
        """
        self._require_compiled("fit")
        if class_weight is not None or sample_weight is not None:
            raise NotImplementedError("fit: class_weight and sample_weight are not supported by tinytf yet")
        from .data_adapter import Batches
        if validation_split and validation_data is None:
            if _is_dataset(x):
                raise ValueError("fit: validation_split is not supported with a Dataset; pass validation_data")
            x, y, validation_data = _split_validation(x, y, validation_split)
        train = Batches(x, y, batch_size, shuffle=shuffle, steps=steps_per_epoch, what="fit")
        val = None if validation_data is None else Batches.from_validation(
            validation_data, validation_batch_size or batch_size, validation_steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        history = C.History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(C.ProgbarLogger(verbose))
        cbs.append(history)
        cb = C.CallbackList(cbs, self, {"epochs": epochs, "steps": train.steps, "verbose": verbose})
        self.stop_training = False
        dist = _distributed(self)
        cb.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            cb.on_epoch_begin(epoch)
            if dist:  # every rank takes rank 0's random state: the same shuffle, so the slices partition it
                dist.begin_epoch(self._distribute_strategy, self)
            for step, (xb, yb) in enumerate(train.epoch()):
                cb.on_train_batch_begin(step)
                logs = dist.train_step(self._distribute_strategy, self, xb, yb) if dist else self.train_step(xb, yb)
                cb.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if not logs:
                raise ValueError("fit: the training data gave no batches "
                                 "(an empty Dataset, or steps_per_epoch=0?)")
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._run_eval(val, None)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cb.on_train_end(logs)
        return history

    def _run_eval(self, batches, cb):
        self._reset_metrics()
        logs = {}
        dist = _distributed(self)
        for step, (xb, yb) in enumerate(batches.epoch()):
            if cb:
                cb.on_test_batch_begin(step)
            logs = dist.test_step(self._distribute_strategy, self, xb, yb) if dist else self.test_step(xb, yb)
            if cb:
                cb.on_test_batch_end(step, logs)
        if not logs:
            raise ValueError(f"{batches.what}: the data gave no batches (an empty Dataset?)")
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", steps=None, callbacks=None,
                 return_dict=False):
        """Loss and metrics over the data: a float, a list ``[loss, *metrics]`` or a dict."""
        self._require_compiled("evaluate")
        from .data_adapter import Batches
        batches = Batches(x, y, batch_size, shuffle=False, steps=steps, what="evaluate")
        verbose = 1 if verbose == "auto" else int(verbose)  # Keras: "auto" is a progress bar
        cbs = list(callbacks or []) + ([C.ProgbarLogger(verbose)] if verbose else [])
        cb = C.CallbackList(cbs, self, {"steps": batches.steps, "verbose": verbose})
        cb.on_test_begin()
        logs = self._run_eval(batches, cb)
        cb.on_test_end(logs)
        if return_dict:
            return logs
        vals = [logs[m.name] for m in self.metrics]
        return vals[0] if len(vals) == 1 else vals

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` (arrays or a Dataset), computed in inference mode, as a NumPy array."""
        from .data_adapter import Batches
        batches = Batches(x, None, batch_size, shuffle=False, steps=steps, what="predict")
        outs = [self(xb, training=False) for xb, _ in batches.epoch()]
        if not outs:
            raise ValueError("predict: the data gave no batches (an empty Dataset?)")
        if isinstance(outs[0], (list, tuple)):  # a model with several outputs: one array each
            return [np.concatenate([np.asarray(o[k]) for o in outs], axis=0) for k in range(len(outs[0]))]
        return np.concatenate([o.numpy() for o in outs], axis=0)

    def predict_on_batch(self, x):
        return self(x, training=False).numpy()

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        self._require_compiled("train_on_batch")
        self._reset_metrics()
        logs = self.train_step(T(x), y)
        return logs if return_dict else _as_list(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        self._reset_metrics()
        logs = self.test_step(T(x), y)
        return logs if return_dict else _as_list(logs)

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


# ---- tf.distribute hooks: the strategy open at compile time; its fit/evaluate steps --------------
def _scope_strategy():
    """The strategy whose ``scope()`` is open at compile time (None if tf.distribute is unused)."""
    import sys
    dist = sys.modules.get("tinytf.distribute")
    return dist.get_strategy() if dist is not None and dist.has_strategy() else None


def _distributed(model):
    """``tinytf.distribute.training`` if the model trains on several replicas, else None."""
    if getattr(model, "_distribute_strategy", None) is None:
        return None
    from ..distribute import training
    return training if training.strategy_of(model) is not None else None


def _deprecated(old, new):
    warnings.warn(f"Model.{old} is Keras 2 API (removed in Keras 3); use Model.{new}, which takes the same "
                  "data", DeprecationWarning, stacklevel=3)


def _as_list(logs):
    vals = list(logs.values())
    return vals[0] if len(vals) == 1 else vals


def _is_dataset(x):
    return hasattr(x, "batch") and hasattr(x, "shuffle") and hasattr(x, "__iter__")


def _split_validation(x, y, fraction):
    if not 0 < fraction < 1:
        raise ValueError(f"fit: validation_split must be in (0, 1), got {fraction!r}")
    n = len(x)
    cut = int(n * (1 - fraction))
    if cut == 0 or cut == n:
        raise ValueError(f"fit: validation_split={fraction} leaves no data on one side ({n} samples)")
    return x[:cut], y[:cut], (x[cut:], y[cut:])
