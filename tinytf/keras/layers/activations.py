"""Activation layers: ReLU, LeakyReLU, ELU, PReLU (trainable slope) and Softmax, as in Keras 3.

Each computes with the same ops as Keras 3 on TensorFlow, so values and gradients (also at the
kinks) are TensorFlow's. Shapes: any input shape; the output has the input's shape.
"""
import numbers
import warnings

import numpy as np

from ...ops import array_ops as A, math_ops as M, nn_ops as N
from .. import activations, initializers as I, regularizers as R
from .base import Layer


def _number(layer, arg, value, minimum=None, allow_none=False):
    """``value`` as a float, checked: a real number (not bool), >= ``minimum`` when given."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{layer}: {arg} must be a number, got {value!r}")
    if minimum is not None and not value >= minimum:
        raise ValueError(f"{layer}: {arg} must be >= {minimum}, got {value!r}")
    return float(value)


class ReLU(Layer):
    """``max(x, 0)``, optionally clipped at ``max_value``, zero up to ``threshold`` and with slope
    ``negative_slope`` below it: ``x`` for ``threshold < x < max_value``, ``max_value`` above,
    ``negative_slope * (x - threshold)`` below ``threshold``, 0 at ``threshold`` (Keras 3).

    Args:
        max_value: float >= 0 or None. negative_slope: float >= 0 (0). threshold: float >= 0 (0).
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _number("ReLU", "max_value", max_value, 0.0, allow_none=True)
        self.negative_slope = _number("ReLU", "negative_slope", negative_slope, 0.0)
        self.threshold = _number("ReLU", "threshold", threshold, 0.0)

    def call(self, inputs):
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: float >= 0 (0.3). Keras 2's ``alpha=`` is accepted with a DeprecationWarning.
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        if alpha is not None:
            warnings.warn("LeakyReLU: argument `alpha` is deprecated (Keras 2); use `negative_slope`",
                          DeprecationWarning, stacklevel=2)
            negative_slope = alpha
        self.negative_slope = _number("LeakyReLU", "negative_slope", negative_slope, 0.0)

    def call(self, inputs):
        return N.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: float (1.0), the scale of the negative part.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _number("ELU", "alpha", alpha)

    def call(self, inputs):
        out = N.elu(inputs)
        return out if self.alpha == 1 else A.where(M.greater(inputs, 0.0), out, M.multiply(self.alpha, out))

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """``x`` for ``x > 0``, ``alpha * x`` otherwise, with a trainable ``alpha``.

    ``alpha`` has the input's shape without the batch axis, with 1 on each of ``shared_axes``
    (e.g. ``shared_axes=[1, 2]`` for one slope per channel of an image [batch, h, w, c]).

    Args:
        alpha_initializer: 'zeros'. alpha_regularizer: None.
        shared_axes: None, an int or a list of ints (axes >= 1 of the input).
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = I.get(alpha_initializer)
        self.alpha_regularizer = R.get(alpha_regularizer)
        axes = [shared_axes] if isinstance(shared_axes, (int, np.integer)) else shared_axes
        if axes is not None and (not isinstance(axes, (list, tuple)) or not all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) and a >= 1 for a in axes)):
            raise ValueError(f"PReLU: shared_axes must be None, an int or a list of ints >= 1 "
                             f"(axis 0 is the batch), got {shared_axes!r}")
        self.shared_axes = None if axes is None else [int(a) for a in axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            if a >= len(input_shape):
                raise ValueError(f"PReLU '{self.name}': shared axis {a} is out of range for input shape "
                                 f"{tuple(input_shape)}")
            shape[a - 1] = 1
        if None in shape:
            raise ValueError(f"PReLU '{self.name}': axes that are not shared must be known, got input shape "
                             f"{tuple(input_shape)} and shared_axes={self.shared_axes}")
        self.alpha = self.add_weight("alpha", tuple(shape), self.alpha_initializer,
                                     regularizer=self.alpha_regularizer)

    def call(self, inputs):
        # Keras 3: relu(x) - alpha * relu(-x); no gradient to alpha or x at x == 0.
        return M.add(N.relu(inputs), M.multiply(M.negative(self.alpha), N.relu(M.negative(inputs))))

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": I.serialize(self.alpha_initializer),
                "alpha_regularizer": R.serialize(self.alpha_regularizer), "shared_axes": self.shared_axes}


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` over ``axis`` (an int, or a list of ints).

    Call arguments: ``mask`` (optional, broadcastable to the input): entries where it is False (or
    <= 0.5) get probability 0.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        ok = lambda a: isinstance(a, (int, np.integer)) and not isinstance(a, bool)  # noqa: E731
        if not (ok(axis) or isinstance(axis, (list, tuple)) and axis and all(ok(a) for a in axis)):
            raise TypeError(f"Softmax: axis must be an int or a list of ints, got {axis!r}")
        self.axis = int(axis) if ok(axis) else [int(a) for a in axis]

    def call(self, inputs, mask=None):
        x = inputs
        if mask is not None:
            m = np.asarray(getattr(mask, "_v", mask))
            m = m if m.dtype == bool else m > 0.5
            try:
                np.broadcast_shapes(m.shape, x.shape)
            except ValueError:
                raise ValueError(f"Softmax '{self.name}': mask of shape {m.shape} does not broadcast to "
                                 f"inputs of shape {tuple(x.shape)}") from None
            x = A.where(m, x, -1e9)  # Keras's large negative number for float32
        if isinstance(self.axis, list) and len(self.axis) > 1:
            out = M.exp(M.subtract(x, M.reduce_logsumexp(x, self.axis, keepdims=True)))
        else:
            out = N.softmax(x, self.axis[0] if isinstance(self.axis, list) else self.axis)
        return out if mask is None else A.where(m, out, 0.0)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
