"""``keras.random``: random tensors with Keras 3's seed arguments.

``seed`` is, as in Keras 3: an int (the same numbers on every call with that seed), a
``SeedGenerator`` (each call advances its state, so calls differ but a generator built with the
same seed repeats the sequence), or None (the global stream, repeatable after
``keras.utils.set_random_seed`` / ``tf.random.set_seed``). The streams are NumPy's (PCG64), so the
numbers differ from Keras's TensorFlow-backend streams for the same seed; the distributions,
shapes, dtypes and seed semantics are Keras's.
"""
import numpy as np

from ..backend import floatx, rng
from ..dtypes import np_dtype
from ..ops import array_ops as A, math_ops as M
from ..tensor import Tensor, Variable
from .ops.core import convert_to_tensor, float_operand
from .ops.arrays import shape_tuple

_TAG = 0x4B455241  # keeps Keras-style int-seed streams apart from tf.random's op-seed streams
_MASK = 0xFFFFFFFF


class SeedGenerator:
    """A seed state that advances on every draw (``keras.random.SeedGenerator``).

    ``seed``: an int, or None for one drawn from the global generator (repeatable after
    ``keras.utils.set_random_seed``). ``state`` is a non-trainable int64 ``Variable`` [seed, counter]
    (the TensorFlow backend's seed dtype).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs.pop("backend", None) is not None or kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if seed is None:
            seed = int(rng().integers(0, 2**31))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self._initial_seed = int(seed)
        self.name = name or "seed_generator"
        self.state = Variable(np.array([int(seed) & _MASK, 0], np.int64), trainable=False,
                              name=f"{self.name}_state")

    def next(self, ordered=True):
        """The current [seed, counter] (a tensor), advancing the counter."""
        seed_state = self.state.numpy()
        self.state.assign(np.array([seed_state[0], (int(seed_state[1]) + 1) & _MASK], np.int64))
        return Tensor(seed_state)

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _generator(seed):
    if seed is None:
        return rng()
    if isinstance(seed, SeedGenerator):
        s, n = (int(v) for v in seed.next().numpy())
        return np.random.default_rng([_TAG, s, n])
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng([_TAG, int(seed) & _MASK])
    raise ValueError("Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
                     f"Received: seed={seed} (of type {type(seed)})")


def _float(dtype, fn):
    dt = np_dtype(dtype or floatx())
    if dt.kind != "f":
        raise ValueError(f"random.{fn}: `dtype` must be a floating point type. Received: dtype={dt.name}")
    return dt


def _draw_dtype(dt):
    return np.float64 if dt == np.float64 else np.float32


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dt = _float(dtype, "normal")
    z = _generator(seed).standard_normal(shape_tuple(shape), dtype=_draw_dtype(dt))
    return Tensor((z * dt.type(stddev) + dt.type(mean)).astype(dt, copy=False))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dt = _float(dtype, "uniform")
    u = _generator(seed).random(shape_tuple(shape), dtype=_draw_dtype(dt))
    return Tensor((u * (dt.type(maxval) - dt.type(minval)) + dt.type(minval)).astype(dt, copy=False))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws re-drawn until within two standard deviations of the mean."""
    dt = _float(dtype, "truncated_normal")
    g = _generator(seed)
    z = g.standard_normal(shape_tuple(shape))
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = g.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return Tensor((z * stddev + mean).astype(dt))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers in [minval, maxval)."""
    dt = np_dtype(dtype)
    if dt.kind not in "iu":
        raise ValueError(f"`keras.random.randint` requires an integer `dtype`. Received: dtype={dt.name}")
    if maxval <= minval:
        raise ValueError(f"random.randint: maxval must be greater than minval, got minval={minval}, maxval={maxval}")
    return Tensor(_generator(seed).integers(int(minval), int(maxval), shape_tuple(shape)).astype(dt))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    if x.ndim == 0:
        return x
    perm = _generator(seed).permutation(np.asarray(x).shape[axis])
    return A.gather(x, perm, axis=axis)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability ``rate`` and scale the rest by 1 / (1 - rate); ``noise_shape``
    entries that are None take the input's size. Differentiable (the mask is a constant)."""
    x = float_operand(inputs)
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1 "
                         f"(1 excluded). Received: rate={rate}")
    if rate == 0:
        return x
    shape = np.asarray(x).shape if noise_shape is None else tuple(
        d if n is None else int(n) for n, d in zip(noise_shape, np.asarray(x).shape))
    try:
        np.broadcast_shapes(shape, np.asarray(x).shape)
    except ValueError:
        raise ValueError(f"dropout: noise_shape {noise_shape} is not broadcastable to inputs {x.shape}") from None
    keep = _generator(seed).random(shape, dtype=np.float32) >= rate
    dt = np.asarray(x).dtype
    mask = (np.broadcast_to(keep, np.asarray(x).shape) * dt.type(1 / (1 - rate))).astype(dt)
    return M.multiply(x, Tensor(mask))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class ids per row of ``logits`` [batch, classes]."""
    z = np.asarray(np.asarray(convert_to_tensor(logits)), np.float64)
    if z.ndim != 2:
        raise ValueError(f"`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits={z.shape}")
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    g = _generator(seed)
    return Tensor(np.stack([g.choice(p.shape[-1], int(num_samples), p=row) for row in p]).astype(np_dtype(dtype)))


def gamma(shape, alpha, dtype=None, seed=None):
    dt = _float(dtype, "gamma")
    return Tensor(_generator(seed).standard_gamma(float(alpha), shape_tuple(shape)).astype(dt))


def beta(shape, alpha, beta, dtype=None, seed=None):  # noqa: A002 - Keras's name
    dt = _float(dtype, "beta")
    return Tensor(_generator(seed).beta(float(alpha), float(beta), shape_tuple(shape)).astype(dt))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dt = _float(dtype, "binomial")
    return Tensor(_generator(seed).binomial(int(counts), float(probabilities), shape_tuple(shape)).astype(dt))
