"""``Layer``: Keras's lifecycle — ``__init__`` checks and stores the config, ``build(input_shape)``
makes the weights, ``call`` computes; ``compute_output_shape`` and ``get_config`` describe.

Sub-layers and weights are found, as in Keras, from the layer's attributes (also inside lists,
tuples and dicts) in assignment order; nothing has to be registered."""
import inspect
import operator
import warnings

import numpy as np

from ...backend import floatx
from ...loading import charge
from ...tensor import Tensor, TensorShape, Variable
from ...ops.core import as_tensor
from ...ops import math_ops as M
from .. import initializers as I, regularizers as R
from ..mixed_precision import dtype_name
from ..naming import snake_case, unique_name  # noqa: F401 (re-exported)

# attributes that hold the layer's own bookkeeping, never user sub-layers
_UNTRACKED = frozenset({"_tracked", "_trainable_weights", "_non_trainable_weights", "_regularized",
                        "_activity_losses", "_functional", "_metric_specs", "_compile_metrics", "optimizer",
                        "history", "input_shape_built", "output_shape_built", "_input_shape_arg",
                        "_weights_cache"})
_STRUCTURAL = (list, tuple, dict)  # with Layer and Variable: attribute values the weight walk reads
_structure_version = [0]  # bumped by every attribute write that can change a weight walk
_PROBE_SIZES = (32, 40)  # sizes tried for unknown non-batch axes when running a layer on zeros


def untracked(name):
    """Whether attribute ``name`` is bookkeeping that the walk for sub-layers and weights skips."""
    return name in _UNTRACKED or name.startswith("_compile") or name in ("_loss_tracker", "_frozen_metrics")


class KerasTensor:
    """A symbolic tensor of the functional API: a shape, and the layer call that made it."""

    def __init__(self, shape, dtype="float32", layer=None, parents=()):
        self.shape = TensorShape(shape)
        self.dtype = dtype
        self.layer, self.parents = layer, tuple(parents)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}>"


def _is_shape_list(shape):
    return isinstance(shape, list) and bool(shape) and isinstance(shape[0], (tuple, list))


def _batchless(shape):
    return TensorShape((None,) + tuple(shape)[1:]) if len(shape) else TensorShape(shape)


class Layer:
    """Base class of all layers.

    Args:
        trainable: whether the weights are updated by training (a BatchNormalization layer
            with ``trainable=False`` also runs in inference mode, as in Keras).
        name: the layer's name; unique per class by default (``conv2d``, ``conv2d_1``, ...).
        dtype: the weights' dtype and the dtype float inputs are cast to (float32).
        autocast: cast float inputs to ``dtype`` (Keras 3; default True).
        input_shape: optional (without the batch axis), lets a first layer build a Sequential.
    """
    supports_masking = False  # True: the output keeps the input's mask (``_keras_mask``), as Keras

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, autocast=True, dynamic=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: argument(s) not recognized: {kwargs}")
        if dynamic is not None:
            warnings.warn(f"{type(self).__name__}: dynamic= is a Keras 2 argument (tinytf is always eager); "
                          "it is ignored", DeprecationWarning, stacklevel=3)
        self.__dict__.setdefault("_tracked", [])
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = np.dtype(floatx() if dtype is None else dtype_name(dtype)).name
        self._autocast = bool(autocast)
        self.built = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._regularized = []
        self._input_shape_arg = None
        if input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        if input_shape is not None:
            self._input_shape_arg = tuple(input_shape)
        self.input_shape_built = None
        self.output_shape_built = None
        self._call_has_training = "training" in inspect.signature(self.call).parameters
        self._activity_losses = []

    def __setattr__(self, name, value):
        if name == "_trainable" or not untracked(name) and (
                isinstance(value, (Layer, Variable) + _STRUCTURAL)
                or isinstance(self.__dict__.get(name), (Layer, Variable) + _STRUCTURAL)):
            _structure_version[0] += 1
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        _structure_version[0] += 1
        object.__delattr__(self, name)

    # ---- weights -----------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, initializer=None, dtype=None, trainable=True,
                   regularizer=None, constraint=None, **kwargs):
        """Create a weight ``Variable`` initialised by ``initializer`` (glorot_uniform for floats,
        zeros otherwise) and track it. Takes tinytf's / Keras 2's ``(name, shape, ...)`` and
        Keras 3's ``(shape, initializer, dtype, trainable, ...)`` positional orders."""
        unknown = set(kwargs) - {"aggregation", "synchronization", "use_resource", "autocast", "getter",
                                 "partitioner", "caching_device", "overwrite_with_gradient"}
        if unknown:
            raise TypeError(f"{self.name}.add_weight: argument(s) not recognized: {sorted(unknown)}")
        if name is not None and not isinstance(name, str):  # Keras 3 order: add_weight(shape, initializer, ...)
            name, shape, initializer, dtype, trainable = None, name, shape, initializer, dtype
            trainable = True if trainable is None else trainable
        if isinstance(shape, (int, np.integer)):
            shape = (shape,)
        try:
            shape = tuple(int(d) for d in (shape or ()))
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}.add_weight: shape must be a tuple of ints, got {shape!r}") from None
        dtype = np.dtype(getattr(dtype, "name", dtype) or self.dtype).name
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        if name is None:
            taken = {w.name.split(":")[0].rsplit("/", 1)[-1] for w, _ in self._own_weights()}
            name = next(n for n in (["variable"] + [f"variable_{i}" for i in range(1, len(taken) + 2)])
                        if n not in taken)
        charge(int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize, f"weight {self.name}/{name} {shape}")
        init = I.get(initializer)
        value = init.draw(shape, dtype) if isinstance(init, I.Initializer) else init(shape, dtype)
        var = Variable(np.asarray(value, dtype=dtype), trainable=trainable, name=name)
        var.path = f"{self.name}/{name}"
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        reg = R.get(regularizer)
        if reg is not None:
            global _REGULARIZED
            self._regularized.append((reg, var))
            _REGULARIZED += 1
        return var

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers():
            layer.trainable = value

    def _attribute_items(self):
        """Layers and Variables held by attributes (also in lists, tuples and dicts), in order."""
        out = []
        for k, v in self.__dict__.items():
            if isinstance(v, (Layer, Variable)):
                if k not in _UNTRACKED:
                    out.append(v)
            elif isinstance(v, (list, tuple, dict)) and v and k not in _UNTRACKED:
                _collect(v, out)
        return out

    def _sublayers(self, items=None):
        """Explicitly tracked layers (functional models), then attribute layers; each once."""
        out, seen = [], {id(self)}
        for item in self.__dict__.get("_tracked", []) + (self._attribute_items() if items is None else items):
            if isinstance(item, Layer) and id(item) not in seen:
                seen.add(id(item))
                out.append(item)
        return out

    def _own_weights(self, items=None):
        """(variable, trainable) pairs: add_weight's, then Variables assigned as attributes."""
        own = [(v, True) for v in self._trainable_weights] + [(v, False) for v in self._non_trainable_weights]
        ids = {id(v) for v, _ in own}
        for v in self._attribute_items() if items is None else items:
            if isinstance(v, Variable) and id(v) not in ids:
                ids.add(id(v))
                own.append((v, v.trainable))
        return own

    def _weight_entries(self, on=True, seen=None, keys=True):
        """``(key, variable, trainable)`` for every weight, in Keras's order (own trainable, own
        non-trainable, then each sub-layer's), each variable once. Keys (None unless ``keys``) are
        ``<weight name>`` for own weights and ``<layer type>[_k]/<key>`` for sub-layers, numbered by
        position (weight files)."""
        seen = set() if seen is None else seen
        on = on and self._trainable
        out, taken = [], set()
        items = self._attribute_items()
        own = self._own_weights(items)
        for v, trainable in [p for p in own if p[1]] + [p for p in own if not p[1]]:
            if id(v) in seen:
                continue
            seen.add(id(v))
            k = None
            if keys:
                k = key = (getattr(v, "path", None) or v.name).split(":")[0].rsplit("/", 1)[-1]
                i = 1
                while k in taken:
                    k, i = f"{key}_{i}", i + 1
                taken.add(k)
            out.append((k, v, on and trainable))
        counts = {}
        for layer in self._sublayers(items):
            sub = layer._weight_entries(on, seen, keys)
            if not keys:
                out += sub
                continue
            base = snake_case(type(layer).__name__)
            n = counts.get(base, 0)
            counts[base] = n + 1
            prefix = base if n == 0 else f"{base}_{n}"
            out += [(f"{prefix}/{k}", v, t) for k, v, t in sub]
        return out

    def _cached_entries(self):
        """``_weight_entries(keys=False)``, walked again only when something it read may have
        changed: an attribute holding a layer, variable or container was set or deleted on any
        layer (``__setattr__``), a ``trainable`` flag changed, or a list or dict the walk read
        (the weight lists included) no longer holds the same objects. A training step reads it
        twice; the walk costs ~0.15 ms for LeNet."""
        cache = self.__dict__.get("_weights_cache")
        if cache is not None and cache[0] == _structure_version[0] and all(map(_same, cache[1], cache[2])):
            return cache[3]
        entries = self._weight_entries(keys=False)
        boxes = []
        for layer in [self] + self._all_sublayers():
            boxes += layer._containers()
        self.__dict__["_weights_cache"] = (_structure_version[0], boxes, [_contents(b) for b in boxes], entries)
        return entries

    def _all_sublayers(self):
        out, seen = [], {id(self)}
        todo = self._sublayers()
        while todo:
            layer = todo.pop()
            if id(layer) not in seen:
                seen.add(id(layer))
                out.append(layer)
                todo += layer._sublayers()
        return out

    def _containers(self):
        """The lists and dicts the weight walk reads on this layer (also nested ones)."""
        out = [self.__dict__.get("_tracked", []), self._trainable_weights, self._non_trainable_weights]
        todo = [v for k, v in self.__dict__.items() if isinstance(v, _STRUCTURAL) and k not in _UNTRACKED]
        while todo:
            v = todo.pop()
            if not isinstance(v, tuple):
                out.append(v)
            todo += [u for u in (v.values() if isinstance(v, dict) else v) if isinstance(u, _STRUCTURAL)]
        return out

    @property
    def trainable_weights(self):
        return [v for _, v, t in self._cached_entries() if t]

    @property
    def non_trainable_weights(self):
        return [v for _, v, t in self._cached_entries() if not t]

    @property
    def weights(self):
        """Trainable then non-trainable weights of this layer, then of each sub-layer (Keras order)."""
        return [v for _, v, _ in self._cached_entries()]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def weight_keys(self):
        """tinytf: stable names of ``weights`` for weight files and checkpoints (``conv2d/kernel``;
        see ``_weight_entries``)."""
        return [k for k, _, _ in self._weight_entries()]

    def get_weights(self):
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list of arrays in ``get_weights`` order (shapes must match)."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"{self.name}.set_weights: expected {len(own)} arrays "
                             f"({[getattr(w, 'path', None) or w.name for w in own]}), got {len(weights)}")
        for var, value in zip(own, weights):
            value = np.asarray(value)
            if value.shape != tuple(var.shape):
                raise ValueError(f"{self.name}.set_weights: weight {getattr(var, 'path', None) or var.name} has "
                                 f"shape {tuple(var.shape)}, got an array of shape {value.shape}")
        for var, value in zip(own, weights):
            var.assign(np.asarray(value, dtype=var.dtype.as_numpy_dtype))

    def count_params(self):
        return int(sum(np.asarray(w).size for w in self.weights))

    @property
    def losses(self):
        """The ``add_loss`` values of the last call, then the regularisation penalties of this
        layer's weights (recomputed on each access), then each sub-layer's. (No layer holding
        either: empty without walking the sub-layers, which ``fit`` would do every step.)"""
        if not _LOSS_HOLDERS and not _REGULARIZED:
            return []
        out = list(self._activity_losses) + [reg(var) for reg, var in self._regularized]
        return out + [l for layer in self._sublayers() for l in layer.losses]

    def add_loss(self, loss):
        """Add a loss term (a scalar or a tensor, summed) to ``losses``; ``compute_loss`` adds it
        to the compiled loss. Terms added during a call are cleared when the outermost layer is
        called again, as in Keras."""
        global _LOSS_HOLDERS
        if not self._activity_losses:
            _LOSS_HOLDERS += 1
        self._activity_losses.append(as_tensor(loss))

    def add_update(self, updates):
        """Keras 2's ``add_update``: tinytf runs eagerly, so an assignment passed here
        (``v.assign(...)``) has already been applied; a callable is called, and a
        ``(variable, value)`` pair is assigned."""
        for u in updates if isinstance(updates, list) else [updates]:
            if callable(u):
                u()
            elif isinstance(u, tuple) and len(u) == 2 and isinstance(u[0], Variable):
                u[0].assign(u[1])
            elif not isinstance(u, Tensor):
                raise TypeError(f"{self.name}.add_update: expected an assignment, a callable or a "
                                f"(variable, value) pair, got {u!r}")

    def _clear_losses(self):
        global _LOSS_HOLDERS
        if self._activity_losses:
            self._activity_losses = []
            _LOSS_HOLDERS -= 1
        for layer in self._sublayers():
            layer._clear_losses()

    def _attribute_metrics(self):
        """Metrics held by attributes (also in lists, tuples and dicts), in assignment order."""
        from ..metrics import Metric
        out = []
        for k, v in self.__dict__.items():
            if untracked(k):
                continue
            if isinstance(v, Metric):
                out.append(v)
            elif isinstance(v, (list, tuple, dict)) and v:
                vals = v.values() if isinstance(v, dict) else v
                out += [m for m in vals if isinstance(m, Metric)]
        return out

    @property
    def metrics(self):
        """This layer's attribute metrics, then its sub-layers' (Keras 3's ``Layer.metrics``)."""
        return self._attribute_metrics() + [m for layer in self._sublayers() for m in layer.metrics]

    # ---- lifecycle ---------------------------------------------------------------------
    def build(self, input_shape):
        """Make the weights. By default a layer holding unbuilt sub-layers builds them by running
        ``call`` on a zero batch (Keras 3 builds such layers by running them too)."""
        if getattr(type(self).build, "_default", False) and any(not l.built for l in self._sublayers()):
            self._run_on_zeros(input_shape)
        self.built = True
    build._default = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape`` (batch axis first). By default found by
        running ``call`` on zeros with a batch of 1, as Keras's ``compute_output_spec``."""
        self._maybe_build(input_shape)
        return self._run_on_zeros(input_shape)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:  # a user's build() marks the layer built, as in Keras
            user_build = cls.__dict__["build"]

            def build(self, input_shape=None, _b=user_build):
                _b(self, input_shape)
                self.built = True
            build.__doc__ = user_build.__doc__
            cls.build = build

    def _maybe_build(self, input_shape, run_default=True):
        """Build once for ``input_shape``. ``run_default=False`` (a call on real data) skips the
        default build's zero run: the data itself builds the sub-layers."""
        if not self.built:
            shape = [TensorShape(s) for s in input_shape] if _is_shape_list(input_shape) \
                else TensorShape(input_shape)
            if run_default or not getattr(type(self).build, "_default", False):
                self.build(shape)
            self.built = True
            self.input_shape_built = shape

    def _run_on_zeros(self, input_shape, dtype=None):
        """Output shape(s) of ``call`` on zeros of ``input_shape``: batch 1, unknown axes tried at two
        sizes (those that change come back as None), the batch axis as given."""
        multi = _is_shape_list(input_shape)
        shapes = [TensorShape(s) for s in input_shape] if multi else [TensorShape(input_shape)]
        dtype = dtype or self.dtype
        unknown = any(d is None for s in shapes for d in tuple(s)[1:])
        results = []
        for size in _PROBE_SIZES[:2 if unknown else 1]:
            zeros = [Tensor(np.zeros([1 if i == 0 and d is None else (size if d is None else d)
                                      for i, d in enumerate(s)], dtype)) for s in shapes]
            x = self._convert_inputs(zeros if multi else zeros[0])
            try:
                out = self.call(x, training=False) if self._call_has_training else self.call(x)
            except Exception as e:
                if hasattr(e, "add_note"):
                    e.add_note(f"(while running {type(self).__name__} '{self.name}' on zeros of shape "
                               f"{[tuple(z.shape) for z in zeros]} to learn its output shape; define "
                               "compute_output_shape(input_shape) if call cannot run on zeros)")
                raise
            outs = list(out) if isinstance(out, (list, tuple)) else [out]
            results.append([tuple(as_tensor(o).shape) for o in outs])
        batch = shapes[0][0] if len(shapes[0]) else None
        merged = []
        for k, s in enumerate(results[0]):
            dims = [None if any(r[k][i] != d for r in results) else d for i, d in enumerate(s)]
            if dims:
                dims[0] = batch
            merged.append(TensorShape(dims))
        return merged if isinstance(out, (list, tuple)) else merged[0]

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, KerasTensor) or (isinstance(inputs, (list, tuple)) and inputs
                                               and isinstance(inputs[0], KerasTensor)):
            return self._symbolic_call(inputs)
        with outermost_call(self):
            return self._eager_call(inputs, args, training, kwargs)

    def _eager_call(self, inputs, args, training, kwargs):
        inputs = self._convert_inputs(inputs)
        if not self.built:
            self._maybe_build(_shapes(inputs), run_default=False)
        if not self._trainable and training:
            training = False
        if self._call_has_training:
            kwargs["training"] = bool(training)
        out = self.call(inputs, *args, **kwargs)
        mask = getattr(inputs, "_keras_mask", None)
        if mask is not None and self.supports_masking and isinstance(out, Tensor) \
                and getattr(out, "_keras_mask", None) is None:
            out._keras_mask = mask  # Keras's compute_mask for layers that keep the time axis
        if self.output_shape_built is None and isinstance(out, Tensor):
            self.output_shape_built = _batchless(out.shape)
        return out

    def _convert_inputs(self, inputs):
        """Tensors from arrays; float and integer inputs cast to the layer's float dtype (Keras 3
        casts floats; tinytf also casts integer images, which Keras rejects)."""
        if isinstance(inputs, (list, tuple)):
            return [self._convert_inputs(i) for i in inputs]
        if isinstance(inputs, dict):
            return {k: self._convert_inputs(v) for k, v in inputs.items()}
        t = as_tensor(inputs)
        dt = np.asarray(t).dtype
        if dt != self.dtype and (dt.kind in "iub" or (dt.kind == "f" and self._autocast)) \
                and np.dtype(self.dtype).kind == "f":
            t = M.cast(t, self.dtype)
        return t

    def _symbolic_call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            shape = [i.shape for i in inputs]
            parents = tuple(inputs)
            dtype = inputs[0].dtype
        else:
            shape, parents, dtype = inputs.shape, (inputs,), inputs.dtype
        self._maybe_build(shape)
        out_shape = self.compute_output_shape(shape)
        if isinstance(out_shape, list) and out_shape and isinstance(out_shape[0], (tuple, list)):
            raise NotImplementedError(f"{type(self).__name__} '{self.name}' returns {len(out_shape)} tensors; "
                                      "tinytf's functional API takes layers with one output")
        self.output_shape_built = TensorShape(out_shape)
        out_dtype = self.dtype if np.dtype(self.dtype).kind == "f" else dtype
        out = KerasTensor(out_shape, out_dtype, self, parents)
        self.output = out  # (a model's ``output`` reads its own graph, not this call's)
        return out

    # ---- Keras 3's dtype policy names: tinytf has no mixed precision, both are the layer's dtype ----
    @property
    def compute_dtype(self):
        return self.dtype

    @property
    def variable_dtype(self):
        return self.dtype

    # ---- the symbolic tensors of the layer's last call on KerasTensors (Keras's layer.output) ----
    @property
    def output(self):
        if self.__dict__.get("_output") is None:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined output.")
        return self._output

    @output.setter
    def output(self, value):
        self.__dict__["_output"] = value

    @property
    def input(self):
        parents = self.output.parents
        return parents[0] if len(parents) == 1 else list(parents)

    # ---- description -------------------------------------------------------------------
    def get_config(self):
        cfg = {"name": self.name, "trainable": self._trainable, "dtype": self.dtype}
        if self._input_shape_arg is not None:
            cfg["input_shape"] = self._input_shape_arg
        return cfg

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_LOSS_HOLDERS = 0  # how many layers hold add_loss terms (none: calls skip clearing)
_REGULARIZED = 0  # how many weights were made with a regularizer (none: no layer has penalties)
_CALL_DEPTH = [0]


class outermost_call:
    """Around a layer's eager call: the outermost one first clears the ``add_loss`` terms of the
    layer and its sub-layers (Keras clears them at the start of the outermost call)."""

    def __init__(self, layer):
        self.layer = layer

    def __enter__(self):
        if _CALL_DEPTH[0] == 0 and _LOSS_HOLDERS:
            self.layer._clear_losses()
        _CALL_DEPTH[0] += 1

    def __exit__(self, *exc):
        _CALL_DEPTH[0] -= 1


def _contents(box):
    """What a list or dict holds, to compare by identity later (``_same``)."""
    return tuple(box.items()) if isinstance(box, dict) else tuple(box)


def _same(box, seen):
    if len(box) != len(seen):
        return False
    if isinstance(box, dict):
        return all(k == k2 and v is v2 for (k, v), (k2, v2) in zip(box.items(), seen))
    return all(map(operator.is_, box, seen))


def _collect(container, out):
    for v in (container.values() if isinstance(container, dict) else container):
        if isinstance(v, (Layer, Variable)):
            out.append(v)
        elif isinstance(v, (list, tuple, dict)):
            _collect(v, out)


def _shapes(inputs):
    if isinstance(inputs, (list, tuple)):
        return [t.shape for t in inputs]
    if isinstance(inputs, dict):
        return None
    return inputs.shape


def check_rank(layer, input_shape, rank, what):
    if len(input_shape) != rank:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects {rank}-D input {what}, "
                         f"got shape {tuple(input_shape)}")
