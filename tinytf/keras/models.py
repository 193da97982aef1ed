"""``Model`` (subclassed or functional) and ``Sequential``: calling, training, evaluation,
summaries and weight files."""
import json
import os

import numpy as np

from ..files import read_npz, write_npz_atomic  # noqa: F401 (also importable from here)
from ..ops._core import T
from ..tape import GradientTape
from ..tensor import TensorShape
from .layers.base import KerasTensor, Layer, snake_case
from .layers.core import InputLayer
from . import callbacks as C

WEIGHTS_FORMAT = "tinytf-weights-1"


class Model(Layer):
    """A layer made of layers, with ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

    Three ways to make one, as in Keras:

    * subclass and assign layers as attributes in ``__init__``, compute in ``call``;
    * functional: ``Model(inputs=Input((28, 28, 1)), outputs=...)``;
    * ``Sequential([...])``.
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        object.__setattr__(self, "_tracked", [])
        super().__init__(**kwargs)
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._functional = None
        if inputs is not None or outputs is not None:
            self._init_functional(inputs, outputs)

    # ---- layer tracking ----------------------------------------------------------------
    def __setattr__(self, name, value):
        tracked = self.__dict__.get("_tracked")
        if tracked is not None and name != "_tracked":
            items = value if isinstance(value, (list, tuple)) else [value]
            for v in items:
                if isinstance(v, Layer) and v is not self and all(v is not t for t in tracked):
                    tracked.append(v)
        object.__setattr__(self, name, value)

    def _track(self, layer):
        """Add ``layer`` to this model's layers (once), as assigning it to an attribute does."""
        if all(layer is not t for t in self._tracked):
            self._tracked.append(layer)

    def _sublayers(self):
        return list(self._tracked)

    @property
    def layers(self):
        return [l for l in self._sublayers() if not isinstance(l, InputLayer)]

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer named {name!r}; layers are {[l.name for l in self.layers]}")

    # ---- functional --------------------------------------------------------------------
    def _init_functional(self, inputs, outputs):
        ins = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        if not all(isinstance(t, KerasTensor) for t in ins + outs):
            raise TypeError("Model(inputs, outputs): both must be KerasTensors made with "
                            "tf.keras.Input(...) and layer calls")
        order, seen = [], set()

        def visit(t):
            if id(t) in seen:
                return
            seen.add(id(t))
            for p in t.parents:
                visit(p)
            order.append(t)
        for t in outs:
            visit(t)
        for t in ins:
            if id(t) not in seen:
                raise ValueError("Model(inputs, outputs): an input is not connected to the outputs")
        self._functional = (list(ins), list(outs), order, isinstance(outputs, (list, tuple)))
        for t in order:
            if t.layer is not None and not isinstance(t.layer, InputLayer):
                self._track(t.layer)
        self.built = True

    def call(self, inputs, training=False):
        if self._functional is None:
            raise NotImplementedError(f"{type(self).__name__}.call is not defined: subclass Model and "
                                      "implement call(), or use Model(inputs, outputs) / Sequential")
        ins, outs, order, multi = self._functional
        values = {}
        given = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if len(given) != len(ins):
            raise ValueError(f"model expects {len(ins)} inputs, got {len(given)}")
        for k, x in zip(ins, given):
            values[id(k)] = x
        for t in order:
            if id(t) in values:
                continue
            args = [values[id(p)] for p in t.parents]
            values[id(t)] = t.layer(args if len(args) > 1 else args[0], training=training)
        res = [values[id(t)] for t in outs]
        return res if multi else res[0]

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, KerasTensor):
            return super().__call__(inputs)
        if not self.built:
            x = inputs if isinstance(inputs, (list, tuple)) else T(inputs)
            self.build(TensorShape((None,) + tuple(x.shape)[1:]) if not isinstance(x, list) else None)
            self.built = True
        inputs = self._convert_inputs(inputs)
        return self.call(inputs, *args, training=bool(training), **kwargs) if self._call_has_training \
            else self.call(inputs, *args, **kwargs)

    def build(self, input_shape):
        self.built = True

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
        cb.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            cb.on_epoch_begin(epoch)
            for step, (xb, yb) in enumerate(train.epoch()):
                cb.on_train_batch_begin(step)
                logs = self.train_step(xb, yb)
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
        for step, (xb, yb) in enumerate(batches.epoch()):
            if cb:
                cb.on_test_batch_begin(step)
            logs = self.test_step(xb, yb)
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
        outs = [self(xb, training=False).numpy() for xb, _ in batches.epoch()]
        if not outs:
            raise ValueError("predict: the data gave no batches (an empty Dataset?)")
        return np.concatenate(outs, axis=0)

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

    # ---- weights files -----------------------------------------------------------------
    def _weight_keys(self):
        """Stable names for every weight: ``<layer type>[_k]/<weight name>``, numbered by position
        within this model (not by global layer names, so a fresh model loads an older file)."""
        counts, keys = {}, []
        for layer in self.layers:
            base = snake_case(type(layer).__name__)
            k = counts.get(base, 0)
            counts[base] = k + 1
            lname = base if k == 0 else f"{base}_{k}"
            subkeys = layer._weight_keys() if isinstance(layer, Model) else None
            for i, w in enumerate(layer.weights):
                keys.append(f"{lname}/{subkeys[i] if subkeys else w.path.rsplit('/', 1)[-1]}")
        return keys

    def save_weights(self, filepath, overwrite=True):
        """Write every weight to an ``.npz`` file (no pickle), atomically (temp file + rename)."""
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
        arrays = dict(zip(self._weight_keys(), self.get_weights()))
        meta = {"format": WEIGHTS_FORMAT, "model": type(self).__name__,
                "shapes": {k: list(v.shape) for k, v in arrays.items()}}
        arrays["__meta__"] = np.array(json.dumps(meta))
        write_npz_atomic(filepath, arrays)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights saved by ``save_weights``; every name, shape and dtype kind must match this
        model, otherwise a ``ValueError`` lists the differences and no weight is changed."""
        arrays = read_npz(filepath)
        arrays.pop("__meta__", None)
        keys = self._weight_keys()
        if not self.built or not keys:
            raise ValueError(f"load_weights: build the model first (call it on data or model.build(shape)) "
                             f"before loading {filepath}")
        missing = [k for k in keys if k not in arrays]
        extra = [k for k in arrays if k not in keys]
        pairs = [(k, arrays[k], w._v) for k, w in zip(keys, self.weights) if k in arrays]
        wrong = [f"{k}: file {a.shape} vs model {v.shape}" for k, a, v in pairs if a.shape != v.shape]
        # a float file array may load into float32 (and int into int), never across kinds
        kinds = [f"{k}: file {a.dtype.name} vs model {v.dtype.name}" for k, a, v in pairs
                 if _kind(a.dtype) != _kind(v.dtype)]
        if missing or extra or wrong or kinds:
            raise ValueError(f"load_weights: {filepath} does not match this model (no weight was changed):"
                             + (f"\n  missing in file: {missing}" if missing else "")
                             + (f"\n  not in model: {extra}" if extra else "")
                             + (f"\n  shape mismatch: {wrong}" if wrong else "")
                             + (f"\n  dtype mismatch: {kinds}" if kinds else ""))
        self.set_weights([arrays[k] for k in keys])

    # ---- description -------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None, receptive_field=False):
        """Print Keras's table of layers, output shapes and parameter counts.
        ``receptive_field=True`` adds each layer's receptive field and jump (cumulative stride)."""
        from .summary import summary_text
        text = summary_text(self, receptive_field=receptive_field, line_length=line_length)
        (print_fn or print)(text)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}


def _as_list(logs):
    vals = list(logs.values())
    return vals[0] if len(vals) == 1 else vals


def _kind(dtype):
    """'float', 'int' (signed or unsigned), 'bool', or the NumPy kind letter for anything else."""
    return {"f": "float", "i": "int", "u": "int", "b": "bool"}.get(dtype.kind, dtype.kind)


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


class Sequential(Model):
    """A linear stack of layers.

    Example::

        model = Sequential([layers.Conv2D(6, 3), layers.ReLU(), layers.Flatten(), layers.Dense(10)])
        model.build(input_shape=[None, 28, 28, 1])
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, KerasTensor) and isinstance(layer.layer, InputLayer):
            layer = layer.layer
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer, got {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._stack:
                raise ValueError("Sequential: an InputLayer must come first")
            self._input_layer = layer
            self._track(layer)
            self.build(layer.shape)
            return
        self._stack.append(layer)
        self._track(layer)
        if len(self._stack) == 1 and layer._input_shape_arg is not None and self._input_layer is None:
            self.build((None,) + tuple(layer._input_shape_arg))
        elif self.built and self._shape_in is not None:
            self._shape_out = self._propagate(self._shape_out, [layer])

    def pop(self):
        layer = self._stack.pop()
        self._tracked.remove(layer)
        return layer

    def build(self, input_shape=None):
        """Build every layer for inputs of ``input_shape`` (a list or tuple; batch axis first)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("Sequential.build: give input_shape, e.g. build(input_shape=[None, 28, 28, 1])")
            input_shape = self._input_layer.shape
        input_shape = TensorShape(input_shape)
        self._shape_in = input_shape
        self._shape_out = self._propagate(input_shape, self._stack)
        self.built = True

    def _propagate(self, shape, layers):
        for layer in layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            layer.output_shape_built = TensorShape(shape)
        return shape

    @property
    def input_shape(self):
        return getattr(self, "_shape_in", None)

    @property
    def output_shape(self):
        return getattr(self, "_shape_out", None)

    def call(self, inputs, training=False):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training)
        return x

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, KerasTensor):
            return Layer.__call__(self, inputs)
        if not self.built:
            self.build((None,) + tuple(T(inputs).shape)[1:])
        return self.call(self._convert_inputs(inputs), training=bool(training))

    def compute_output_shape(self, input_shape):
        return self._propagate(TensorShape(input_shape), self._stack)

    @property
    def layers(self):
        return list(self._stack)

    def get_config(self):
        return {"name": self.name, "layers": [{"class_name": type(l).__name__, "config": l.get_config()}
                                              for l in self._stack]}

    @classmethod
    def from_config(cls, config):
        from . import layers as L
        return cls([getattr(L, c["class_name"]).from_config(c["config"]) for c in config["layers"]],
                   name=config.get("name"))


def clone_model(model):
    if isinstance(model, Sequential):
        return Sequential.from_config(model.get_config())
    raise NotImplementedError("clone_model: only Sequential models are supported")


