"""``BatchNormalization`` with moving statistics and the ``training`` flag."""
import numpy as np

from ...ops import array_ops as A, nn_ops as N
from .. import initializers as I, regularizers as R
from ..distribution import get_distribution
from .base import Layer


class BatchNormalization(Layer):
    """Normalise each channel (``axis``, default the last) over every other axis.

    ``training=True``: use the batch's mean and (biased) variance, and update
    ``moving = moving * momentum + batch * (1 - momentum)`` for both statistics (Keras 3; tf.keras 2.x
    used the unbiased batch variance for the moving variance). Otherwise (``training=False`` or
    ``None``, or the layer has ``trainable=False``): use the moving statistics.
    ``y = gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Args:
        axis: the channel axis (-1). momentum: 0.99. epsilon: 1e-3.
        center / scale: learn ``beta`` / ``gamma`` (True).
        synchronized: under a ``tf.distribute`` strategy with several replicas, use the statistics
            of the global batch (summed over the replicas) in training (False). With one replica it
            changes nothing.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise TypeError(f"BatchNormalization: axis must be an int, got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum!r}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be > 0, got {epsilon!r}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.synchronized = bool(synchronized)
        self.beta_initializer = I.get(beta_initializer)
        self.gamma_initializer = I.get(gamma_initializer)
        self.moving_mean_initializer = I.get(moving_mean_initializer)
        self.moving_variance_initializer = I.get(moving_variance_initializer)
        self.beta_regularizer = R.get(beta_regularizer)
        self.gamma_regularizer = R.get(gamma_regularizer)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} is out of range for "
                             f"input shape {tuple(input_shape)}")
        self._axis = self.axis % ndim
        c = input_shape[self._axis]
        if c is None:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} of the input must be known")
        shape = (c,)
        self.gamma = self.add_weight("gamma", shape, self.gamma_initializer,
                                     regularizer=self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", shape, self.beta_initializer,
                                    regularizer=self.beta_regularizer) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, self.moving_variance_initializer,
                                               trainable=False)

    def call(self, inputs, training=False):
        last = self._axis == inputs.ndim - 1
        x = inputs if last else A.transpose(inputs, self._perm(inputs.ndim))
        if training:
            sync = get_distribution().batch_norm_op() if self.synchronized else None
            if sync is not None:
                y, mean, var = sync(x, self.gamma, self.beta, self.epsilon)
            else:
                y, mean, var = N.fused_batch_norm(x, self.gamma, self.beta, self.epsilon, True)
            mv, vv = np.asarray(self.moving_mean), np.asarray(self.moving_variance)  # not copied
            m, m1 = mv.dtype.type(self.momentum), mv.dtype.type(1.0 - self.momentum)
            self.moving_mean.assign(mv * m + mean * m1)
            self.moving_variance.assign(vv * m + var * m1)
        else:
            y, _, _ = N.fused_batch_norm(x, self.gamma, self.beta, self.epsilon, False,
                                         self.moving_mean, self.moving_variance)
        return y if last else A.transpose(y, np.argsort(self._perm(inputs.ndim)))

    def _perm(self, ndim):
        return tuple(i for i in range(ndim) if i != self._axis) + (self._axis,)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "synchronized": self.synchronized,
                "beta_initializer": I.serialize(self.beta_initializer),
                "gamma_initializer": I.serialize(self.gamma_initializer),
                "moving_mean_initializer": I.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": I.serialize(self.moving_variance_initializer),
                "beta_regularizer": R.serialize(self.beta_regularizer),
                "gamma_regularizer": R.serialize(self.gamma_regularizer)}

