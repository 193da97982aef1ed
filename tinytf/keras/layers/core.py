"""Dense, Flatten, Reshape, Dropout, Activation, and the functional API's Input."""
import numpy as np

from ...ops import array_ops as A, math_ops as M, nn_ops as N
from ...tensor import TensorShape
from .. import activations, initializers as I, regularizers as R
from .base import KerasTensor, Layer, unique_name


class Dense(Layer):
    """``y = activation(x @ kernel + bias)`` on the last axis.

    Args:
        units: output size. kernel [in, units] (``glorot_uniform``), bias [units] (zeros).

    Example::

        layers.Dense(10, activation='relu')
    """
    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense: units must be a positive int, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = I.get(kernel_initializer)
        self.bias_initializer = I.get(bias_initializer)
        self.kernel_regularizer = R.get(kernel_regularizer)
        self.bias_regularizer = R.get(bias_regularizer)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"Dense '{self.name}' needs an input with a known last axis, got shape "
                             f"{tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def call(self, inputs):
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Dense '{self.name}' was built for inputs with last axis "
                             f"{self.kernel.shape[0]}, got shape {inputs.shape}")
        y = M.matmul(inputs, self.kernel) if inputs.ndim == 2 else \
            A.reshape(M.matmul(A.reshape(inputs, (-1, inputs.shape[-1])), self.kernel),
                      tuple(inputs.shape[:-1]) + (self.units,))
        if self.bias is not None:
            if activations.is_plain_relu(self.activation):
                return N.bias_add_relu(y, self.bias)
            y = M.add(y, self.bias)
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return TensorShape(tuple(input_shape)[:-1] + (self.units,))

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": I.serialize(self.kernel_initializer),
                "bias_initializer": I.serialize(self.bias_initializer),
                "kernel_regularizer": R.serialize(self.kernel_regularizer),
                "bias_regularizer": R.serialize(self.bias_regularizer)}


class Flatten(Layer):
    """[batch, d1, d2, ...] -> [batch, d1*d2*...]."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = A.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return A.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape)[1:]
        n = None if None in rest else int(np.prod(rest))
        return TensorShape((input_shape[0], n))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape everything but the batch axis to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, inputs):
        return A.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        shape = list(self.target_shape)
        if -1 in shape:
            rest = tuple(input_shape)[1:]
            known = int(np.prod([d for d in shape if d != -1]))
            shape[shape.index(-1)] = None if None in rest else int(np.prod(rest)) // known
        return TensorShape((input_shape[0],) + tuple(shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Dropout(Layer):
    """Randomly zero a fraction ``rate`` of the inputs in training (scaled by 1/(1-rate)); identity otherwise."""
    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= float(rate) < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return N.dropout(inputs, self.rate, self.noise_shape, self.seed)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Activation(Layer):
    """Apply an activation given by name ('relu') or as a callable."""
    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class InputLayer(Layer):
    """The input of a model: a shape (without the batch axis)."""

    def __init__(self, shape=None, batch_size=None, dtype=None, input_shape=None, name=None, **kwargs):
        shape = input_shape if shape is None else shape
        if shape is None:
            raise ValueError("InputLayer: shape must be given, e.g. shape=(28, 28, 1)")
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self.shape = (batch_size,) + tuple(shape)
        self.batch_size = batch_size
        self.output = KerasTensor(self.shape, self.dtype, self, ())
        self.built = True

    def compute_output_shape(self, input_shape):
        return TensorShape(self.shape)

    def get_config(self):
        return {"name": self.name, "shape": self.shape[1:], "batch_size": self.batch_size, "dtype": self.dtype}


def Input(shape=None, batch_size=None, dtype=None, name=None, **kwargs):
    """A symbolic input for the functional API: ``x = Input((28, 28, 1)); y = Dense(10)(x)``."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name, **kwargs).output


# Moved to activations.py / merging.py; still importable from here.
from .activations import LeakyReLU, ReLU, Softmax  # noqa: E402,F401
from .merging import Add, Concatenate  # noqa: E402,F401
