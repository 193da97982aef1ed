"""``tf.random``'s stateless ops and ``tf.random.Generator``. A seed pair ``[s0, s1]`` keys NumPy's
Philox (4x64) bit generator: the numbers depend on the seed pair only (no global state), but they
are not TensorFlow's (Philox 4x32-10 with TensorFlow's own transforms)."""
import numpy as np

from ..dtypes import np_dtype
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .array_ops import shape_arg
from .core import as_tensor
from .random_ops import _float_dtype

_U64 = 1 << 64


def seed_pair(seed, fn):
    """The ``seed`` argument of a stateless op as two Python ints (TF: shape [2], int32 or int64)."""
    s = np.asarray(seed._v if isinstance(seed, Tensor) else seed)
    if s.dtype.kind not in "iu":
        raise TypeError(f"{fn}: seed must be int32 or int64, got {s.dtype.name} ({seed!r})")
    if s.shape != (2,):
        raise InvalidArgumentError(f"{fn}: seed must have shape [2], not {list(s.shape)}")
    return int(s[0]), int(s[1])


def generator(seed, fn):
    s0, s1 = seed_pair(seed, fn)
    return np.random.Generator(np.random.Philox(key=(s0 % _U64) | (s1 % _U64) << 64))


def _uniform(g, shape, minval, maxval, dtype, fn):
    dt = np_dtype("float32" if dtype is None else dtype)
    shp = shape_arg(shape)
    if dt.kind in "iu":
        if minval is None or maxval is None:
            raise ValueError(f"{fn}: minval and maxval must both be given for an integer dtype")
        if maxval <= minval:
            raise InvalidArgumentError(f"{fn}: need minval < maxval, got {minval} >= {maxval}")
        return Tensor(g.integers(minval, maxval, shp).astype(dt))
    if dt.kind != "f":
        raise TypeError(f"{fn}: dtype must be a float or integer type, got {dt.name}")
    lo = dt.type(0 if minval is None else as_tensor(minval)._v)
    hi = dt.type(1 if maxval is None else as_tensor(maxval)._v)
    u = g.random(shp, dtype=np.float64 if dt == np.float64 else np.float32)
    return Tensor((u * (hi - lo) + lo).astype(dt, copy=False))


def _normal(g, shape, mean, stddev, dtype, fn, truncated=False):
    dt = _float_dtype(dtype, fn)
    z = g.standard_normal(shape_arg(shape))
    if truncated:
        bad = np.abs(z) > 2
        while bad.any():
            z[bad] = g.standard_normal(int(bad.sum()))
            bad = np.abs(z) > 2
    return Tensor((z * stddev + mean).astype(dt))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype="float32", name=None, alg="auto_select"):
    """Uniform on [minval, maxval) (floats: maxval defaults to 1), a function of ``seed`` [2]."""
    fn = "random.stateless_uniform"
    if np_dtype(dtype).kind in "iu" and maxval is None:
        raise ValueError(f"{fn}: maxval must be given for an integer dtype")
    return _uniform(generator(seed, fn), shape, minval, maxval, dtype, fn)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None, alg="auto_select"):
    fn = "random.stateless_normal"
    return _normal(generator(seed, fn), shape, mean, stddev, dtype, fn)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None,
                               alg="auto_select"):
    fn = "random.stateless_truncated_normal"
    return _normal(generator(seed, fn), shape, mean, stddev, dtype, fn, truncated=True)


def _new_seeds(g, count, fn, arg="count"):
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"{fn}: {arg} must be a positive int, got {count!r}")
    return g.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, (2, int(count)), dtype=np.int64,
                      endpoint=True)


def stateless_split(seed, num=2, alg="auto_select"):
    """``tf.random.experimental.stateless_split``: ``num`` new seed pairs ([num, 2] int64) from ``seed``."""
    fn = "random.experimental.stateless_split"
    return Tensor(np.ascontiguousarray(_new_seeds(generator(seed, fn), num, fn, "num").T))


def _int_seed(seed, fn):
    if isinstance(seed, Tensor):
        seed = seed.numpy()
    s = np.asarray(seed)
    if s.dtype.kind not in "iu" or s.ndim > 1:
        raise TypeError(f"{fn}: seed must be an int or a vector of ints, got {seed!r}")
    return [int(v) % _U64 for v in s.reshape(-1)]


class Generator:
    """``tf.random.Generator``: a random stream with its own state (NumPy's Philox). ``from_seed``
    streams repeat for the same seed; ``split`` and ``make_seeds`` advance the stream."""

    def __init__(self, copy_from=None, state=None, alg=None, _bits=None):
        if _bits is None:
            if copy_from is None:
                raise ValueError("Generator: give copy_from, or build one with Generator.from_seed / "
                                 "from_non_deterministic_state (tinytf does not take a raw state)")
            if not isinstance(copy_from, Generator):
                raise TypeError(f"Generator: copy_from must be a Generator, got {type(copy_from).__name__}")
            _bits = np.random.Philox()
            _bits.state = copy_from._g.bit_generator.state
        self._g = np.random.Generator(_bits)
        self.algorithm = "philox"

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(_bits=np.random.Philox(np.random.SeedSequence(_int_seed(seed, "Generator.from_seed"))))

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls(_bits=np.random.Philox())

    def reset_from_seed(self, seed):
        self._g = np.random.Generator(np.random.Philox(np.random.SeedSequence(_int_seed(seed, "reset_from_seed"))))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None):
        return _normal(self._g, shape, mean, stddev, dtype, "Generator.normal")

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None):
        return _normal(self._g, shape, mean, stddev, dtype, "Generator.truncated_normal", truncated=True)

    def uniform(self, shape, minval=0, maxval=None, dtype="float32", name=None):
        fn = "Generator.uniform"
        if np_dtype(dtype).kind in "iu" and maxval is None:
            raise ValueError(f"{fn}: maxval must be given for an integer dtype")
        return _uniform(self._g, shape, minval, maxval, dtype, fn)

    def uniform_full_int(self, shape, dtype="uint64", name=None):
        dt = np_dtype(dtype)
        if dt.kind not in "iu":
            raise TypeError(f"Generator.uniform_full_int: dtype must be an integer type, got {dt.name}")
        info = np.iinfo(dt)
        return Tensor(self._g.integers(info.min, info.max, shape_arg(shape), dtype=dt, endpoint=True))

    def make_seeds(self, count=1):
        """[2, count] int64: ``count`` seed pairs for the stateless ops (one per column)."""
        return Tensor(_new_seeds(self._g, count, "Generator.make_seeds"))

    def split(self, count=1):
        """``count`` new independent Generators; advances this one."""
        keys = _new_seeds(self._g, count, "Generator.split").T
        return [Generator(_bits=np.random.Philox(np.random.SeedSequence([int(v) % _U64 for v in k])))
                for k in keys]


_global = []


def get_global_generator():
    """The generator ``tf.random.get_global_generator`` returns (made on first use, not seeded)."""
    if not _global:
        _global.append(Generator.from_non_deterministic_state())
    return _global[0]


def set_global_generator(generator):
    if not isinstance(generator, Generator):
        raise TypeError(f"set_global_generator: expected a Generator, got {type(generator).__name__}")
    _global[:] = [generator]
