"""``BatchNormalization`` with moving statistics and the ``training`` flag; ``Normalization``
(the preprocessing layer: a fixed or adapted mean and variance)."""
import numpy as np

from ...ops import array_ops as A, math_ops as M, nn_ops as N
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


class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), epsilon)`` per index of ``axis`` (``invert``: the inverse),
    with ``mean``/``variance`` given or learned by ``adapt(data)`` (Keras 3's statistics: NumPy's
    mean and variance for arrays; for a Dataset, batch statistics merged as Keras merges them)."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. "
                             f"Received: mean={mean} and variance={variance}")
        self.input_mean, self.input_variance, self.invert = mean, variance, bool(invert)
        self.mean = self.variance = None

    def build(self, input_shape):
        shape = tuple(input_shape)
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                             f"ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                                 f"inputs.shape={shape}, with unknown axis at index {d}")
        self._stat_shape = tuple(shape[d] for d in self._keep_axis)
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        dt = np.dtype(self.dtype)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._stat_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._stat_shape, initializer="ones",
                                                  trainable=False)
            # Keras keeps it for older saved models (and so in its weight files); adapt() does not use it
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
            self.built = True
        else:
            self.mean = np.broadcast_to(np.asarray(self.input_mean), self._broadcast_shape).astype(dt)
            self.variance = np.broadcast_to(np.asarray(self.input_variance), self._broadcast_shape).astype(dt)
            self.built = True

    def _stats(self):
        """Mean and variance shaped to broadcast over the input (read afresh: weights may be set)."""
        if self.input_mean is not None:
            return self.mean, self.variance
        dt = np.dtype(self.dtype)
        return (np.asarray(self.adapt_mean).reshape(self._broadcast_shape).astype(dt),
                np.asarray(self.adapt_variance).reshape(self._broadcast_shape).astype(dt))

    def adapt(self, data):
        """Learn the mean and variance of ``data`` (an array, a tensor or a Dataset of batches)."""
        from ...data import Dataset
        if self.input_mean is not None:
            raise ValueError("Normalization: adapt() learns mean and variance; this layer was given them")
        if isinstance(data, Dataset):
            batches = [np.asarray(b) for b in data]
            if batches and batches[0].ndim == 1:
                batches = [np.asarray(b) for b in data.batch(128)]
            shape = (None,) + batches[0].shape[1:]
        else:
            data = np.asarray(data)
            shape = data.shape
        if not self.built:
            self.build(shape)
        if not isinstance(data, Dataset):
            mean, var = np.mean(data, axis=self._reduce_axis), np.var(data, axis=self._reduce_axis)
        else:
            dt = np.dtype(self.dtype)
            mean, var, count = np.zeros(self._stat_shape, dt), np.zeros(self._stat_shape, dt), 0
            for batch in batches:
                batch = batch.astype(dt)
                b_mean, b_var = np.mean(batch, axis=self._reduce_axis), np.var(batch, axis=self._reduce_axis)
                b_count = int(np.prod([batch.shape[d] for d in self._reduce_axis])) if self._reduce_axis else 1
                count += b_count
                w = float(b_count) / count
                new_mean = mean * (1.0 - w) + b_mean * w
                var = (var + (mean - new_mean) ** 2) * (1.0 - w) + (b_var + (b_mean - new_mean) ** 2) * w
                mean = new_mean
        self.adapt_mean.assign(np.asarray(mean, np.dtype(self.dtype)))
        self.adapt_variance.assign(np.asarray(var, np.dtype(self.dtype)))

    def call(self, inputs):
        from ..backend import epsilon
        dt = np.dtype(self.dtype)
        inputs = M.cast(inputs, dt)
        mean, variance = self._stats()
        std = np.maximum(np.sqrt(variance), dt.type(epsilon()))
        if self.invert:
            return M.add(mean, M.multiply(inputs, std))
        return M.divide(M.subtract(inputs, mean), std)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": None if self.input_mean is None else np.asarray(self.input_mean).tolist(),
                "variance": None if self.input_variance is None else np.asarray(self.input_variance).tolist()}
