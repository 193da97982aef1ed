"""``LayerNormalization``, ``GroupNormalization`` and ``UnitNormalization``: per-sample statistics,
no moving averages.

Both are written with tinytf ops exactly as Keras 3 computes them on TensorFlow:
``mean, var = tf.nn.moments(x, axes)`` (biased variance), ``inv = rsqrt(var + epsilon) * gamma``,
``y = x * inv + (beta - mean * inv)``; the tape differentiates them, so there is no hand-written
gradient. They behave the same in training and inference.
"""
import numbers

import numpy as np

from ...ops import array_ops as A, math_ops as M, nn_ops as N
from .. import initializers as I, regularizers as R
from ..ops.nn import normalize
from .base import Layer


def _is_int(a):
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


class _Normalization(Layer):
    """Arguments and weights shared by both layers."""

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not epsilon > 0:
            raise ValueError(f"{kind}: epsilon must be a number > 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = I.get(beta_initializer)
        self.gamma_initializer = I.get(gamma_initializer)
        self.beta_regularizer = R.get(beta_regularizer)
        self.gamma_regularizer = R.get(gamma_regularizer)

    def _check_axis(self, axis, ndim, input_shape):
        if not -ndim <= axis < ndim:
            raise ValueError(f"{type(self).__name__} '{self.name}': axis {axis} is out of range for input "
                             f"shape {tuple(input_shape)}")
        if input_shape[axis] is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': axis {axis} of the input must be known, "
                             f"got shape {tuple(input_shape)}")
        return axis % ndim

    def _add_weights(self, shape):
        # Keras's order: gamma, then beta.
        self.gamma = self.add_weight("gamma", shape, self.gamma_initializer,
                                     regularizer=self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", shape, self.beta_initializer,
                                    regularizer=self.beta_regularizer) if self.center else None

    def _normalize(self, x, axes, weight_shape):
        """``x * inv + (beta - mean * inv)`` with statistics over ``axes`` (kept as size 1)."""
        mean, var = N.moments(x, axes, keepdims=True)
        inv = M.rsqrt(M.add(var, self.epsilon))
        if self.gamma is not None:
            inv = M.multiply(inv, A.reshape(self.gamma, weight_shape))
        shift = M.multiply(M.negative(mean), inv)
        if self.beta is not None:
            shift = M.add(shift, A.reshape(self.beta, weight_shape))
        return M.add(M.multiply(x, inv), shift)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "beta_initializer": I.serialize(self.beta_initializer),
                "gamma_initializer": I.serialize(self.gamma_initializer),
                "beta_regularizer": R.serialize(self.beta_regularizer),
                "gamma_regularizer": R.serialize(self.gamma_regularizer)}


class LayerNormalization(_Normalization):
    """Normalise each sample over ``axis`` (default the last): mean 0, variance 1, then
    ``gamma * x + beta`` with ``gamma``, ``beta`` of the shape of those axes.

    Args:
        axis: an int or a list of ints (-1). epsilon: 1e-3. center / scale: learn beta / gamma (True).

    Shapes: any input [batch, ...]; the output has the input's shape.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)
        if _is_int(axis):
            self.axis = int(axis)
        elif isinstance(axis, (list, tuple)) and axis and all(map(_is_int, axis)):
            self.axis = [int(a) for a in axis]
        else:
            raise TypeError(f"LayerNormalization: axis must be an int or a list of ints, got {axis!r}")

    def build(self, input_shape):
        ndim = len(input_shape)
        given = [self.axis] if isinstance(self.axis, int) else self.axis
        self._axes = sorted({self._check_axis(a, ndim, input_shape) for a in given})
        if len(self._axes) != len(given):
            raise ValueError(f"LayerNormalization '{self.name}': axis {self.axis} names an axis twice")
        self._add_weights(tuple(input_shape[a] for a in self._axes))

    def call(self, inputs):
        shape = [1] * inputs.ndim
        for a in self._axes:
            shape[a] = inputs.shape[a]
        return self._normalize(inputs, self._axes, shape)


class GroupNormalization(_Normalization):
    """Split the channels (``axis``, default the last) into ``groups`` and normalise each sample's
    group over the group's channels and every other non-batch axis; then per-channel ``gamma``,
    ``beta``. ``groups=-1``: one channel per group (instance norm); ``groups=1``: layer norm over
    all axes.

    Args:
        groups: int > 0 that divides the channels, or -1 (32). axis: int (-1). epsilon: 1e-3.
        center / scale: learn beta / gamma (True).

    Shapes: [batch, ..., channels, ...]; the output has the input's shape.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)
        if not _is_int(groups) or not (groups > 0 or groups == -1):
            raise ValueError(f"GroupNormalization: groups must be a positive int, or -1 for one channel per "
                             f"group, got {groups!r}")
        if not _is_int(axis):
            raise TypeError(f"GroupNormalization: axis must be an int, got {axis!r}")
        self.groups, self.axis = int(groups), int(axis)

    def build(self, input_shape):
        self._axis = self._check_axis(self.axis, len(input_shape), input_shape)
        channels = input_shape[self._axis]
        self._groups = channels if self.groups == -1 else self.groups
        if channels % self._groups:
            raise ValueError(f"GroupNormalization '{self.name}': groups={self.groups} must divide the "
                             f"{channels} channels of axis {self.axis}")
        self._add_weights((channels,))

    def call(self, inputs):
        a, g = self._axis, self._groups
        shape = tuple(inputs.shape)
        grouped = shape[:a] + (g, shape[a] // g) + shape[a + 1:]
        axes = [i for i in range(1, len(grouped)) if i != a]
        weight_shape = [1] * len(grouped)
        weight_shape[a], weight_shape[a + 1] = g, shape[a] // g
        return A.reshape(self._normalize(A.reshape(inputs, grouped), axes, weight_shape), shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups}


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm over ``axis`` (an int or a list of ints, default -1):
    ``x * min(rsqrt(sum(x * x, axis)), 1e12)``, Keras 3's ``ops.normalize(x, axis, 2, 1e-12)``.
    No weights; the output has the input's shape."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and all(map(_is_int, axis)):
            self.axis = [int(a) for a in axis]
        elif _is_int(axis):
            self.axis = int(axis)
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True

    def call(self, inputs):
        return normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        for a in [self.axis] if isinstance(self.axis, int) else self.axis:
            if a >= len(input_shape) or a < -len(input_shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}.")
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
