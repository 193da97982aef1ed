"""Random tensors (``tf.random``). Repeatable after ``tf.random.set_seed``; the streams are
NumPy's (PCG64), so the numbers differ from TensorFlow's Philox streams."""
import numpy as np

from ..backend import rng, floatx
from ..dtypes import np_dtype
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .array_ops import shape_arg
from .core import as_tensor


def _float_dtype(dtype, op):
    dt = np_dtype(floatx() if dtype is None else dtype)
    if dt.kind != "f":
        raise TypeError(f"{op}: dtype must be a float type, got {dt.name}")
    return dt


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    dt = _float_dtype(dtype, "random.normal")
    z = rng(seed).standard_normal(shape_arg(shape), dtype=np.float64 if dt == np.float64 else np.float32)
    return Tensor((z * dt.type(stddev) + dt.type(mean)).astype(dt, copy=False))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    """Normal draws re-drawn until within two standard deviations of the mean."""
    dt = _float_dtype(dtype, "random.truncated_normal")
    g = rng(seed)
    shp = shape_arg(shape)
    z = g.standard_normal(shp)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = g.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return Tensor((z * stddev + mean).astype(dt))


def uniform(shape, minval=0, maxval=None, dtype=None, seed=None, name=None):
    dt = np_dtype(floatx() if dtype is None else dtype)
    shp = shape_arg(shape)
    if dt.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: maxval must be given for an integer dtype")
        return Tensor(rng(seed).integers(minval, maxval, shp).astype(dt))
    maxval = 1.0 if maxval is None else maxval
    u = rng(seed).random(shp, dtype=np.float64 if dt == np.float64 else np.float32)
    return Tensor((u * (dt.type(maxval) - dt.type(minval)) + dt.type(minval)).astype(dt, copy=False))


def gamma(shape, alpha, beta=None, dtype=None, seed=None, name=None):
    """Gamma(alpha, rate beta) samples of shape ``shape + broadcast(alpha, beta).shape``
    (``tf.random.gamma``; no gradient with respect to alpha or beta)."""
    dt = _float_dtype(dtype, "random.gamma")
    a = np.asarray(as_tensor(alpha)._v, np.float64)
    b = np.ones((), np.float64) if beta is None else np.asarray(as_tensor(beta)._v, np.float64)
    if np.any(a <= 0) or np.any(b <= 0):
        raise InvalidArgumentError(f"random.gamma: alpha and beta must be positive, got alpha={a.tolist()}"
                                   f"{'' if beta is None else f', beta={b.tolist()}'}")
    out_shape = shape_arg(shape) + np.broadcast_shapes(a.shape, b.shape)
    draws = rng(seed).standard_gamma(np.broadcast_to(a, out_shape)) / b
    return Tensor(draws.astype(dt))


def shuffle(value, seed=None, name=None):
    v = as_tensor(value)._v
    return Tensor(v[rng(seed).permutation(v.shape[0])] if v.ndim else v)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    z = as_tensor(logits)._v.astype(np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    g = rng(seed)
    out = np.stack([g.choice(p.shape[-1], num_samples, p=row) for row in p])
    return Tensor(out.astype(np_dtype(dtype or "int64")))
