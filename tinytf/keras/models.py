"""``Model`` (subclassed or functional) and ``Sequential``: calling, training, evaluation,
summaries and weight files."""
import json
import os
import sys

import numpy as np

from ..files import open_npz, read_npz, write_npz_atomic  # noqa: F401 (also importable from here)
from ..loading import check_npz_arrays
from ..tensor import TensorShape
from . import inference
from .layers.base import KerasTensor, Layer, _shapes, outermost_call
from .layers.core import InputLayer
from .trainer import Trainer

WEIGHTS_FORMAT = "tinytf-weights-1"


def _report_call(model):
    """Tell a running ``tf.summary.trace_on`` that ``model`` ran (found through ``sys.modules``, so
    Keras never imports ``tinytf.summary``)."""
    graphs = sys.modules.get("tinytf.summary.graph")
    if graphs is not None and graphs.tracing():
        graphs.traced(model)


class Model(Trainer, Layer):
    """A layer made of layers, with ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

    Three ways to make one, as in Keras:

    * subclass and assign layers as attributes in ``__init__``, compute in ``call``;
    * functional: ``Model(inputs=Input((28, 28, 1)), outputs=...)``;
    * ``Sequential([...])``.
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
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
    def _track(self, layer):
        """Add ``layer`` to this model's layers (once), as assigning it to an attribute does."""
        if all(layer is not t for t in self._tracked):
            self._tracked.append(layer)

    @property
    def layers(self):
        """The sub-layers: a functional model's in graph order, a subclassed model's attribute
        layers (also in lists, tuples and dicts) in assignment order, as Keras."""
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
        from .saving.model_config import functional_order
        for layer in functional_order(self):  # Keras's layer (and so weight) order
            if not isinstance(layer, InputLayer):
                self._track(layer)
        self.built = True

    # ---- symbolic inputs and outputs (Keras's model.inputs / model.output) ----------------
    def _graph(self):
        if self._functional is None:
            raise AttributeError(f"Model '{self.name}' has no defined inputs: it is not a functional "
                                 "model (call it on data, or build it with Model(inputs, outputs))")
        return self._functional

    @property
    def inputs(self):
        return list(self._graph()[0])

    @property
    def outputs(self):
        return list(self._graph()[1])

    @property
    def input(self):
        ins = self.inputs
        return ins[0] if len(ins) == 1 else ins

    @property
    def output(self):
        outs = self.outputs
        return outs[0] if len(outs) == 1 and not self._graph()[3] else outs

    @output.setter
    def output(self, value):
        self.__dict__["_output"] = value

    @property
    def output_names(self):
        """The names of the layers that make the outputs (Keras 3's functional and Sequential
        models; settable, as Keras's attribute is)."""
        if "_output_names" in self.__dict__:
            return self.__dict__["_output_names"]
        return [t.layer.name for t in self.outputs]

    @output_names.setter
    def output_names(self, value):
        self.__dict__["_output_names"] = list(value)

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
        for t, step, parents in inference.graph_steps(order, outs, training):  # conv chains fused at inference
            if id(t) in values:
                continue
            args = [values[id(p)] for p in parents]
            values[id(t)] = step(args if len(args) > 1 else args[0], training=training)
        res = [values[id(t)] for t in outs]
        return res if multi else res[0]

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, KerasTensor) or (isinstance(inputs, (list, tuple)) and inputs
                                               and isinstance(inputs[0], KerasTensor)):
            return super().__call__(inputs)
        _report_call(self)
        if "_pending_restore" in self.__dict__:
            self._build_and_restore(inputs)
        with outermost_call(self):
            return self._eager_call(inputs, args, training, kwargs)

    def _build_and_restore(self, inputs):
        """Build for ``inputs``, then take the weights of a checkpoint restored before the model
        was built (``tf.train.Checkpoint``'s deferred restoration)."""
        restore = self.__dict__.pop("_pending_restore")
        if not self.built or not self.weights:
            self.build(_shapes(self._convert_inputs(inputs)))
        restore()

    def _eager_call(self, inputs, args, training, kwargs):
        inputs = self._convert_inputs(inputs)
        if not self.built:  # a user's build(input_shape) runs; else the data builds the layers
            self._maybe_build(_shapes(inputs), run_default=False)
        out = self.call(inputs, *args, training=bool(training), **kwargs) if self._call_has_training \
            else self.call(inputs, *args, **kwargs)
        if self.output_shape_built is None and hasattr(out, "shape") and not isinstance(out, KerasTensor):
            self.output_shape_built = TensorShape((None,) + tuple(out.shape)[1:])
        return out

    # ---- weights and model files ---------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the whole model: ``.keras`` (Keras 3's zip: config.json, metadata.json,
        model.weights.h5; TF 2.21 loads it) or ``.h5`` (the legacy Keras 2 HDF5 layout)."""
        path = os.fspath(filepath)
        if path.endswith(".keras"):
            from .saving.keras_file import save_model
            return save_model(self, path, overwrite=overwrite)
        if path.endswith((".h5", ".hdf5")):
            from .saving.h5_weights import write_legacy
            from .saving.serialization import compile_config, serialize_keras_object
            if not overwrite and os.path.exists(path):
                raise FileExistsError(f"save: {path} exists and overwrite=False")
            return write_legacy(self, path, serialize_keras_object(self), compile_config(self))
        raise ValueError(f"save: unknown file format for {path!r}: use a .keras file (Keras 3) or .h5 "
                         "(legacy); save_weights writes weights only (.weights.h5 or tinytf's .npz)")

    def export(self, filepath, format="onnx", **kwargs):
        """Export the inference graph; ``format='onnx'`` (``saving/onnx.py``) is the one supported."""
        if format != "onnx":
            raise ValueError(f"export: format {format!r} is not supported by tinytf; use format='onnx'")
        from .saving.onnx import export
        return export(self, filepath, **kwargs)

    def to_json(self, **kwargs):
        """The model's Keras config as JSON (``keras.models.model_from_json`` reads it)."""
        from .saving.serialization import serialize_keras_object
        config = serialize_keras_object(self)
        config.pop("compile_config", None)
        return json.dumps({**config, "keras_version": "3.15.1", "backend": "tensorflow"}, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Write every weight, atomically: ``.weights.h5`` (Keras 3's layout), ``.h5`` / ``.hdf5``
        (the legacy Keras 2 layout), anything else tinytf's ``.npz`` (no pickle)."""
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
        if filepath.endswith(".weights.h5"):
            from .saving.h5_weights import write_keras3
            return write_keras3(self, filepath)
        if filepath.endswith((".h5", ".hdf5")):
            from .saving.h5_weights import write_legacy
            return write_legacy(self, filepath)
        if filepath.endswith(".keras"):
            raise ValueError("save_weights: a .keras file holds a whole model; use model.save(filepath)")
        arrays = dict(zip(self.weight_keys(), self.get_weights()))
        meta = {"format": WEIGHTS_FORMAT, "model": type(self).__name__,
                "shapes": {k: list(v.shape) for k, v in arrays.items()}}
        arrays["__meta__"] = np.array(json.dumps(meta))
        write_npz_atomic(filepath, arrays)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights from tinytf's ``.npz``, Keras 3's ``.weights.h5`` / ``.keras``, or a legacy
        Keras 2 ``.h5`` (chosen by content); every weight is checked against this model first and,
        on any difference, a ``ValueError`` lists them all and no weight is changed."""
        filepath = os.fspath(filepath)
        if not self.built or not self.weight_keys():
            raise ValueError(f"load_weights: build the model first (call it on data or model.build(shape)) "
                             f"before loading {filepath}")
        kind = weights_kind(filepath)
        if kind == "hdf5":
            from .saving.h5_weights import load_h5_weights
            return load_h5_weights(self, filepath)
        if kind == "keras":
            from .saving.keras_file import load_weights
            return load_weights(self, filepath)
        keys = self.weight_keys()
        wanted = {k: (tuple(w.shape), np.dtype(w.dtype.as_numpy_dtype)) for k, w in zip(keys, self.weights)}
        need = sum(int(np.prod(s)) * d.itemsize for s, d in wanted.values())
        with open_npz(filepath, max_bytes=need + (1 << 20)) as z:
            missing = [k for k in keys if k not in z.names]
            extra = [k for k in z.names if k not in wanted and k != "__meta__"]
            # headers are read only where the file has no more members than the model has weights
            wrong = check_npz_arrays(z, wanted) if len(z.names) <= len(keys) + 1 else []
            if missing or extra or wrong:
                raise ValueError(f"load_weights: {filepath} does not match this model (no weight was changed):"
                                 + (f"\n  missing in file: {_few(missing)}" if missing else "")
                                 + (f"\n  not in model: {_few(extra)}" if extra else "")
                                 + (f"\n  shape or dtype mismatch: {wrong}" if wrong else ""))
            arrays = [z.read(k) for k in keys]
        self.set_weights(arrays)

    # ---- description -------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None, receptive_field=False):
        """Print Keras's table of layers, output shapes and parameter counts.
        ``receptive_field=True`` adds each layer's receptive field and jump (cumulative stride)."""
        from .summary import summary_text
        text = summary_text(self, receptive_field=receptive_field, line_length=line_length)
        (print_fn or print)(text)

    def get_config(self):
        if self._functional is not None:  # Keras's functional config (layers, inbound_nodes)
            from .saving.model_config import serialize_model
            return serialize_model(self)["config"]
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            from .saving.model_config import deserialize_model
            return deserialize_model({"class_name": "Functional", "config": config}, custom_objects)
        return cls(**config)


def _few(names, n=20):
    """The first ``n`` of ``names`` (a file may list thousands), with how many were left out."""
    return f"{names[:n]}" + (f" and {len(names) - n} more" if len(names) > n else "")


def weights_kind(filepath):
    """'hdf5', 'keras' or 'npz': what a weights file is, by its extension (``.h5``, ``.hdf5``,
    ``.keras``, ``.npz``) checked against its first bytes; any other name by its content. A file
    whose content contradicts its name is refused (an HDF5 file named ``best.weights.npz``)."""
    from ..loading import FileRefused
    if not os.path.isfile(filepath):
        if os.path.exists(filepath):
            raise ValueError(f"{filepath} is not a file")
        raise FileNotFoundError(f"no such file: {filepath}")
    with open(filepath, "rb") as f:
        magic = f.read(8)
    found = "hdf5" if magic.startswith(b"\x89HDF") else "zip" if magic.startswith(b"PK") else None
    lower = filepath.lower()
    named = ("hdf5" if lower.endswith((".h5", ".hdf5")) else "keras" if lower.endswith(".keras")
             else "npz" if lower.endswith(".npz") else None)
    if named is None:
        return {"hdf5": "hdf5", "zip": "npz"}.get(found, "npz")
    if (named == "hdf5") != (found == "hdf5") or (named != "hdf5" and found not in ("zip", None)):
        what = {"hdf5": "an HDF5 file", "zip": "a zip file", None: "neither HDF5 nor zip"}[found]
        raise FileRefused(filepath, None, f"its name says {named.upper() if named != 'keras' else '.keras'}, "
                                          f"its content is {what}; refused (rename it if you trust it)")
    return named


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
        elif self.built and getattr(self, "_shape_in", None) is not None:
            self._shape_out = self._propagate(self._shape_out, [layer])

    def pop(self):
        layer = self._stack.pop()
        self._tracked.remove(layer)
        self.__dict__.pop("_symbolic", None)
        return layer

    def _graph(self):
        """The layers called on a symbolic input of the built input shape (Keras 3's Sequential is
        a functional model once it knows its input shape): ``model.input``, ``layer.output``."""
        shape = getattr(self, "_shape_in", None)
        if shape is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet: give it an "
                                 "Input / input_shape, or build it")
        cached = self.__dict__.get("_symbolic")
        if cached is None or cached[0] != (tuple(shape), len(self._stack)):
            if self._input_layer is not None:
                x = self._input_layer.output
            else:
                x = InputLayer(shape=tuple(shape)[1:], batch_size=tuple(shape)[0]).output
            y = x
            for layer in self._stack:
                y = layer(y)
            cached = ((tuple(shape), len(self._stack)), ([x], [y], None, False))
            self.__dict__["_symbolic"] = cached
        return cached[1]

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
        for step in inference.steps(self._stack, training):  # at inference, conv chains run fused
            x = step(x, training=training)
        return x

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, KerasTensor):
            return Layer.__call__(self, inputs)
        _report_call(self)
        if "_pending_restore" in self.__dict__:
            self._build_and_restore(inputs)
        with outermost_call(self):
            return self._sequential_call(inputs, training)

    def _sequential_call(self, inputs, training):
        x = self._convert_inputs(inputs)
        if self.built:
            return self.call(x, training=bool(training))
        # first call on data: each layer is built from the tensor that reaches it (as Keras); a list
        # of images reaches a first data layer (CenterCrop, Rescaling...) that stacks it
        self._shape_in = TensorShape((None,) + tuple(x.shape)[1:]) if hasattr(x, "shape") else None
        for layer in self._stack:
            x = layer(x, training=bool(training))
            layer.output_shape_built = TensorShape((None,) + tuple(x.shape)[1:])
        self._shape_out = TensorShape((None,) + tuple(x.shape)[1:])
        self.built = True
        self.input_shape_built = self._shape_in
        self.output_shape_built = self._shape_out
        return x

    def compute_output_shape(self, input_shape):
        return self._propagate(TensorShape(input_shape), self._stack)

    @property
    def layers(self):
        return list(self._stack)

    def get_config(self):
        """Keras 3's Sequential config: name, dtype, ``layers`` (each as Keras serializes it, an
        InputLayer first when the input shape is known), ``build_input_shape``."""
        from .saving.model_config import serialize_model
        return serialize_model(self)["config"]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .saving.model_config import deserialize_model
        return deserialize_model({"class_name": "Sequential", "config": config}, custom_objects)


def clone_model(model):
    """A new model with the same layers (fresh weights): Sequential and functional models."""
    if isinstance(model, Sequential):
        return Sequential.from_config(model.get_config())
    if model._functional is not None:
        return Model.from_config(model.get_config())
    raise NotImplementedError("clone_model: only Sequential and functional models are supported")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a ``.keras`` file (Keras 3 / TF 2.21 or tinytf) or a legacy whole-model ``.h5``."""
    from .saving import load_model as load
    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    model.save(filepath, overwrite=overwrite, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (not built from data, fresh weights) from ``model.to_json()``."""
    from .saving.serialization import deserialize_keras_object
    return deserialize_keras_object(json.loads(json_string), custom_objects)


