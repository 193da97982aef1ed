"""TensorFlow 2's own initializers (``tf.random_normal_initializer``, TensorFlow's ``init_ops_v2``):
callables ``init(shape, dtype=tf.float32)`` returning a tensor. With a ``seed`` the draw is
stateless, as in TensorFlow: every call with that seed gives the same numbers. Without one it
comes from the global stream (repeatable after ``tf.random.set_seed``). Numbers are NumPy's.
"""
import numpy as np

from .backend import rng
from .dtypes import np_dtype
from .ops.array_ops import shape_arg
from .tensor import Tensor

_TAG = 0x494E4954  # a stream apart from tf.random's op seeds and keras.random's int seeds
_PARTITION_ARGS = ("partition_shape", "partition_offset")


def _float_dtype(dtype):
    dt = np_dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"Argument `dtype` is expected to be floating point. Received: {dt.name}.")
    return dt


class RandomNormal:
    """``tf.random_normal_initializer(mean=0.0, stddev=0.05, seed=None)``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"random_normal_initializer: seed must be an int or None, got {seed!r}")
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype="float32", **kwargs):
        for k in kwargs:
            if k not in _PARTITION_ARGS:
                raise TypeError(f"Keyword argument should be one of {list(_PARTITION_ARGS)}. Received: {k}")
        shape = kwargs.get("partition_shape", shape)
        dt = _float_dtype(dtype)
        g = rng() if self.seed is None else np.random.default_rng([_TAG, int(self.seed) & 0xFFFFFFFF, 0])
        z = g.standard_normal(shape_arg(shape), dtype=np.float64 if dt == np.float64 else np.float32)
        return Tensor((z * dt.type(self.stddev) + dt.type(self.mean)).astype(dt, copy=False))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
