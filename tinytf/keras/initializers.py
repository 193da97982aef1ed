"""Weight initializers (Keras 3 names and defaults). Draws come from tinytf's seeded generator."""
import math

import numpy as np

from ..backend import rng, floatx
from ..dtypes import np_dtype
from ..tensor import Tensor


def compute_fans(shape):
    """(fan_in, fan_out); conv kernels [kh, kw, in, out] count the receptive field (Keras's rule)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[:-2]))
    return shape[-2] * rf, shape[-1] * rf


class Initializer:
    """Base class: ``init(shape, dtype)`` returns a Tensor; subclasses implement ``draw`` (an array)."""

    def __call__(self, shape, dtype=None):
        return Tensor(np.asarray(self.draw(tuple(shape), dtype)))

    def draw(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    def draw(self, shape, dtype=None):
        return np.zeros(shape, np_dtype(dtype or floatx()))


class Ones(Initializer):
    def draw(self, shape, dtype=None):
        return np.ones(shape, np_dtype(dtype or floatx()))


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def draw(self, shape, dtype=None):
        return np.full(shape, self.value, np_dtype(dtype or floatx()))

    def get_config(self):
        return {"value": self.value}


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self):
        # A seeded initializer gives the same values on every call, as in Keras 3.
        return rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def draw(self, shape, dtype=None):
        return (self._rng().standard_normal(shape) * self.stddev + self.mean).astype(np_dtype(dtype or floatx()))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def draw(self, shape, dtype=None):
        return self._rng().uniform(self.minval, self.maxval, shape).astype(np_dtype(dtype or floatx()))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated(g, shape, stddev):
    z = g.standard_normal(shape)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = g.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return z * stddev


class TruncatedNormal(RandomNormal):
    def draw(self, shape, dtype=None):
        return (_truncated(self._rng(), shape, self.stddev) + self.mean).astype(np_dtype(dtype or floatx()))


class VarianceScaling(_Seeded):
    """scale / fan (fan_in, fan_out or their average) as the variance of a truncated normal,
    an untruncated normal or a uniform distribution."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def draw(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        var = self.scale / max(1.0, fan)
        g = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3 * var)
            w = g.uniform(-limit, limit, shape)
        elif self.distribution == "truncated_normal":
            w = _truncated(g, shape, math.sqrt(var) / 0.87962566103423978)
        else:
            w = g.standard_normal(shape) * math.sqrt(var)
        return w.astype(np_dtype(dtype or floatx()))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class Orthogonal(_Seeded):
    """``gain`` times the Q of a QR of a normal draw (signs fixed by R's diagonal), as Keras 3:
    rows ``prod(shape[:-1])``, columns ``shape[-1]``; transposed when there are fewer rows."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def draw(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 dimensions, got {shape}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(np_dtype(dtype or floatx()))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, HeNormal, HeUniform
lecun_normal, variance_scaling = LecunNormal, VarianceScaling
orthogonal = Orthogonal

_ALIASES = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": HeNormal,
    "he_uniform": HeUniform, "lecun_normal": LecunNormal, "variance_scaling": VarianceScaling, "orthogonal": Orthogonal,
}
for _c in list(_ALIASES.values()):
    _ALIASES[_c.__name__.lower()] = _c
_ALIASES.update(uniform=RandomUniform, normal=RandomNormal, zero=Zeros, one=Ones)  # Keras's short aliases


def get(identifier):
    """An initializer from a name ('glorot_uniform'), an instance, a class, a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, Initializer) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, dict):
        return _ALIASES[identifier["class_name"].lower()].from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _ALIASES:
            return _ALIASES[key]()
    raise ValueError(f"unknown initializer {identifier!r}; use one of {sorted(k for k in _ALIASES if '_' in k)}")


def serialize(init):
    if init is None:
        return None
    if isinstance(init, Initializer):
        return {"class_name": type(init).__name__, "config": init.get_config()}
    return getattr(init, "__name__", repr(init))
