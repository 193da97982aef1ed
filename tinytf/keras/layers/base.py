"""``Layer``: Keras's lifecycle — ``__init__`` checks and stores the config, ``build(input_shape)``
makes the weights, ``call`` computes; ``compute_output_shape`` and ``get_config`` describe."""
import inspect

import numpy as np

from ...backend import floatx
from ...tensor import Tensor, TensorShape, Variable
from ...ops._core import T
from .. import initializers as I, regularizers as R
from ..naming import snake_case, unique_name  # noqa: F401 (re-exported)

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


class Layer:
    """Base class of all layers.

    Args:
        trainable: whether the weights are updated by training (a BatchNormalization layer
            with ``trainable=False`` also runs in inference mode, as in Keras).
        name: the layer's name; unique per class by default (``conv2d``, ``conv2d_1``, ...).
        dtype: the weights' dtype (float32).
        input_shape: optional (without the batch axis), lets a first layer build a Sequential.
    """

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: argument(s) not recognized: {kwargs}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = np.dtype(floatx() if dtype is None else getattr(dtype, "name", dtype)).name
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

    # ---- weights -----------------------------------------------------------------------
    def add_weight(self, name=None, shape=(), initializer="glorot_uniform", dtype=None, trainable=True,
                   regularizer=None, constraint=None):
        """Create a weight ``Variable`` initialised by ``initializer`` and track it."""
        init = I.get(initializer)
        value = init.draw(tuple(shape), dtype or self.dtype) if isinstance(init, I.Initializer) \
            else init(tuple(shape), dtype or self.dtype)
        var = Variable(np.asarray(value, dtype=dtype or self.dtype), trainable=trainable, name=name)
        var.path = f"{self.name}/{name}"
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        reg = R.get(regularizer)
        if reg is not None:
            self._regularized.append((reg, var))
        return var

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers():
            layer.trainable = value

    def _sublayers(self):
        return []

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return list(self._trainable_weights) + [w for l in self._sublayers() for w in l.trainable_weights]

    @property
    def non_trainable_weights(self):
        own = self._non_trainable_weights if self._trainable else self._trainable_weights + self._non_trainable_weights
        return list(own) + [w for l in self._sublayers() for w in l.non_trainable_weights]

    @property
    def weights(self):
        """Trainable then non-trainable weights of this layer, then of each sub-layer (Keras order)."""
        own = self._trainable_weights + self._non_trainable_weights
        return list(own) + [w for l in self._sublayers() for w in l.weights]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def get_weights(self):
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list of arrays in ``get_weights`` order (shapes must match)."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"{self.name}.set_weights: expected {len(own)} arrays "
                             f"({[w.path for w in own]}), got {len(weights)}")
        for var, value in zip(own, weights):
            value = np.asarray(value)
            if value.shape != var._v.shape:
                raise ValueError(f"{self.name}.set_weights: weight {var.path} has shape {var._v.shape}, "
                                 f"got an array of shape {value.shape}")
        for var, value in zip(own, weights):
            var.assign(np.asarray(value, dtype=var._v.dtype))

    def count_params(self):
        return int(sum(w._v.size for w in self.weights))

    @property
    def losses(self):
        """Regularisation penalties of this layer's weights (recomputed on each access)."""
        out = [reg(var) for reg, var in self._regularized] + list(self._activity_losses)
        return out + [l for layer in self._sublayers() for l in layer.losses]

    # ---- lifecycle ---------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:  # a user's build() marks the layer built, as in Keras
            user_build = cls.__dict__["build"]

            def build(self, input_shape=None, _b=user_build):
                _b(self, input_shape)
                self.built = True
            build.__doc__ = user_build.__doc__
            cls.build = build

    def _maybe_build(self, input_shape):
        if not self.built:
            multi = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list))
            shape = [TensorShape(s) for s in input_shape] if multi else TensorShape(input_shape)
            self.build(shape)
            self.built = True
            self.input_shape_built = shape

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, KerasTensor) or (isinstance(inputs, (list, tuple)) and inputs
                                               and isinstance(inputs[0], KerasTensor)):
            return self._symbolic_call(inputs)
        inputs = self._convert_inputs(inputs)
        shape = [t.shape for t in inputs] if isinstance(inputs, list) else inputs.shape
        self._maybe_build(shape)
        if not self._trainable and training:
            training = False
        if self._call_has_training:
            kwargs["training"] = bool(training)
        return self.call(inputs, *args, **kwargs)

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return [self._convert_inputs(i) for i in inputs]
        t = T(inputs)
        if t._v.dtype.kind in "iub":  # tinytf casts integer images to float (Keras would reject them)
            t = Tensor(t._v.astype(self.dtype))
        return t

    def _symbolic_call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            shape = [i.shape for i in inputs]
            parents = tuple(inputs)
        else:
            shape, parents = inputs.shape, (inputs,)
        self._maybe_build(shape)
        out_shape = self.compute_output_shape(shape)
        self.output_shape_built = TensorShape(out_shape)
        return KerasTensor(out_shape, self.dtype, self, parents)

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


def check_rank(layer, input_shape, rank, what):
    if len(input_shape) != rank:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects {rank}-D input {what}, "
                         f"got shape {tuple(input_shape)}")
