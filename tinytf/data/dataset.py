"""``Dataset``, its iterator, and the source datasets (slices, tensors, range, generator, zip).

Speed: the common training pipeline ``from_tensor_slices(...) -> shuffle -> batch -> map -> repeat``
is fused. While every node between the source slices and ``batch`` only reorders or selects rows
(``shuffle``, ``take``, ``skip``, ``repeat``, ``cache``, ``prefetch``, ``zip`` of slices), the
pipeline runs on arrays of row *indices* (a permutation for a full shuffle, a vectorised simulation
of TensorFlow's shuffle buffer otherwise) and ``batch`` gathers whole batches with one fancy-index
per component. Anything else (``map``/``filter`` before ``batch``, generators, ...) runs per
element. Both paths give exactly the same elements (``_FUSE = False`` here forces the per-element
one).
"""
import numpy as np

from .. import dtypes as _dtypes
from .. import nest
from ..errors import InvalidArgumentError
from ..tensor import to_array
from .structure import (TensorSpec, flatten, flatten_up_to, map_structure, pack_as, packer, spec_of,
                        to_numpy, to_tensor)

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2

_FUSE = True            # use the vectorised index path where possible (tests switch it off)
_RANGE_AS_INDEX = 1 << 22  # Dataset.range up to this length joins the fused path


# Dataset's transformation nodes by method name, registered by shuffle.py and transforms.py (which
# subclass Dataset, so this module cannot import them; data/__init__.py imports both).
_TRANSFORMS = {}


def transformation(name):
    """Class decorator: the node that ``Dataset.<name>`` makes."""
    def register(cls):
        _TRANSFORMS[name] = cls
        return cls
    return register


def fused_source(ds):
    """``ds._index_source()`` when the fused path is on, else None."""
    return ds._index_source() if _FUSE else None


def normalize_element(x, lists_as_tuples=False):
    """An element structure with NumPy leaves (TensorFlow's conversion rules for the leaves).

    Lists are tensors, as in TensorFlow (``[x1, x2]`` stacks). With ``lists_as_tuples`` a list
    that cannot be one tensor (e.g. ``[images, labels]``) is taken as a tuple instead.
    """
    if isinstance(x, dict):
        return {k: normalize_element(v, lists_as_tuples) for k, v in x.items()}
    if nest.is_namedtuple(x):
        return type(x)(*[normalize_element(v, lists_as_tuples) for v in x])
    if isinstance(x, tuple):
        return tuple(normalize_element(v, lists_as_tuples) for v in x)
    if isinstance(x, list):
        try:
            return to_array(x)
        except (TypeError, ValueError):
            if not lists_as_tuples:
                raise
            return tuple(normalize_element(v, lists_as_tuples) for v in x)
    if isinstance(x, Dataset):
        raise TypeError("a Dataset cannot be an element component; use Dataset.zip or flat_map")
    return np.asarray(to_array(x))


class _Cardinality(int):
    """``Dataset.cardinality()``: an int (TensorFlow returns a scalar tensor, hence ``.numpy()``)."""

    def numpy(self):
        return np.int64(self)

    def __repr__(self):
        return f"<tf.Tensor: shape=(), dtype=int64, numpy={int(self)}>"


def int_arg(value, what, op):
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {what} must be an integer, got {value!r}") from None
    return v


class Dataset:
    """A sequence of elements, built lazily by chaining transformations (``tf.data.Dataset``)."""

    # --- subclass interface
    def _elements(self):
        """Per-element iteration: NumPy element structures."""
        raise NotImplementedError

    def _index_source(self):
        """The source arrays (a structure sharing the first dim) when this node's elements are
        rows of them picked by ``_index_chunks()``; ``None`` otherwise."""
        return None

    def _index_chunks(self):
        raise NotImplementedError

    def _card(self):
        return UNKNOWN_CARDINALITY

    def _spec(self):
        raise NotImplementedError

    # --- iteration
    def _iter_np(self):
        src = fused_source(self)
        if src is None:
            return self._elements()
        return self._rows(src)

    def _rows(self, src):
        flat, pack = flatten(src), packer(src)
        for c in self._index_chunks():
            for i in c.tolist():
                yield pack([a[i, ...] for a in flat])

    def __iter__(self):
        return _Iterator(self)

    def as_numpy_iterator(self):
        """Iterate the elements as NumPy values (scalars as NumPy scalars)."""
        return (map_structure(to_numpy, e) for e in self._iter_np())

    def __bool__(self):
        return True

    def __len__(self):
        n = self._card()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def cardinality(self):
        """Number of elements; ``INFINITE_CARDINALITY`` (-1) or ``UNKNOWN_CARDINALITY`` (-2)."""
        return _Cardinality(self._card())

    @property
    def element_spec(self):
        """The structure of ``TensorSpec``s of one element."""
        return self._spec()

    def __repr__(self):
        try:
            spec = self.element_spec
        except Exception:  # noqa: BLE001 - repr must not fail
            spec = "?"
        return f"<{type(self).__name__}Dataset element_spec={spec}>"

    # --- sources
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset of the slices of ``tensors`` along their first dimension.

        ``tensors`` is a tensor/array, a tuple of them (``(x, y)``), a dict, or nested; all
        components must have the same first dimension.
        """
        src = normalize_element(tensors, lists_as_tuples=True)
        leaves = flatten(src)
        if not leaves:
            raise ValueError("from_tensor_slices: needs at least one tensor component")
        for a in leaves:
            if a.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1: "
                                 f"from_tensor_slices got a scalar component of shape {a.shape}")
        n = leaves[0].shape[0]
        for a in leaves[1:]:
            if a.shape[0] != n:
                raise ValueError(
                    f"Dimensions {n} and {a.shape[0]} are not compatible: from_tensor_slices needs "
                    "all components to have the same first dimension, got shapes "
                    f"{[tuple(x.shape) for x in leaves]}")
        return _Slices(src, n)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: ``tensors`` itself."""
        return _Tensors(normalize_element(tensors))

    @staticmethod
    def range(*args, output_type=_dtypes.int64, name=None):
        """``range(stop)``, ``range(start, stop[, step])`` as a dataset of int64 scalars."""
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Dataset.range takes 1 to 3 positional arguments, got {len(args)}")
        ints = [int_arg(a, "argument", "Dataset.range") for a in args]
        if len(ints) == 3 and ints[2] == 0:
            raise InvalidArgumentError("Dataset.range: step must not be 0")
        return _Range(range(*ints), _dtypes.np_dtype(output_type))

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """A dataset of tuples (or dicts) of the elements of several datasets, in lockstep."""
        if datasets is None:
            if not args:
                raise TypeError("Dataset.zip needs at least one dataset")
            datasets = args[0] if len(args) == 1 else tuple(args)
        flat = flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip: expected datasets, got {type(d).__name__}")
        if all(type(d) is _Slices for d in flat):       # zip of slices is slices: stays fusable
            n = min(d._n for d in flat)
            return _Slices(pack_as(datasets, [map_structure(lambda a, n=n: a[:n], d._src) for d in flat]), n)
        return _Zip(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """A dataset of the values yielded by ``generator(*args)`` (called again per iteration)."""
        if output_signature is None:
            if output_types is None:
                raise TypeError("from_generator: give output_signature or output_types")
            sig_types = flatten(output_types)
            sig_shapes = [None] * len(sig_types) if output_shapes is None else \
                flatten_up_to(output_types, output_shapes)
            output_signature = pack_as(output_types, [
                TensorSpec([] if s is None else s, t) for t, s in zip(sig_types, sig_shapes)])
        return _Generator(generator, tuple(args or ()), output_signature)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The paths matching ``file_pattern`` (a glob, or a list of globs) as ``tf.string``
        scalars, sorted, then shuffled unless ``shuffle=False`` (a new order each iteration;
        ``seed`` as ``Dataset.shuffle``'s)."""
        import glob
        pats = file_pattern if isinstance(file_pattern, (list, tuple)) else [file_pattern]
        pats = [p.decode() if isinstance(p, bytes) else
                (p.numpy().decode() if hasattr(p, "numpy") else str(p)) for p in pats]
        files = sorted(f for p in pats for f in glob.glob(p))
        if not files:
            raise InvalidArgumentError("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized "
                                       f"data: b'No files matched pattern: {', '.join(pats)}'")
        ds = Dataset.from_tensor_slices(np.array([f.encode() for f in files], dtype=object))
        return ds.shuffle(len(files), seed=seed) if shuffle is None or shuffle else ds

    # --- transformations
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Shuffle with a buffer of ``buffer_size`` elements (TensorFlow's algorithm)."""
        return _TRANSFORMS["shuffle"](self, buffer_size, seed,
                        True if reshuffle_each_iteration is None else reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None):
        """Stack ``batch_size`` consecutive elements into one (the last may be smaller unless
        ``drop_remainder``)."""
        return _TRANSFORMS["batch"](self, batch_size, drop_remainder)

    def unbatch(self, name=None):
        """Split each element along its first dimension (the inverse of ``batch``)."""
        return _TRANSFORMS["unbatch"](self)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Apply ``map_func`` to each element (a tuple element is passed as separate arguments)."""
        return _TRANSFORMS["map"](self, map_func)

    def filter(self, predicate, name=None):
        """Keep the elements for which ``predicate`` returns True (a scalar bool)."""
        return _TRANSFORMS["filter"](self, predicate)

    def repeat(self, count=None, name=None):
        """Repeat the dataset ``count`` times (forever when ``None`` or -1)."""
        return _TRANSFORMS["repeat"](self, count)

    def take(self, count, name=None):
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        return _TRANSFORMS["take"](self, count)

    def skip(self, count, name=None):
        """All but the first ``count`` elements (none when ``count`` is -1)."""
        return _TRANSFORMS["skip"](self, count)

    def cache(self, filename="", name=None):
        """Keep the elements of the first complete iteration and replay them afterwards (in memory;
        ``filename`` is accepted and ignored)."""
        return _TRANSFORMS["cache"](self)

    def prefetch(self, buffer_size, name=None):
        """No-op in tinytf (elements are produced on demand)."""
        return self

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by ``dataset``'s."""
        return _TRANSFORMS["concatenate"](self, dataset)

    def enumerate(self, start=0, name=None):
        """Elements as ``(index, element)`` pairs (index int64, from ``start``)."""
        return _TRANSFORMS["enumerate"](self, start)

    def apply(self, transformation_func):
        return transformation_func(self)

    def with_options(self, options, name=None):
        """Record ``options`` (merged over earlier ones); tinytf's pipeline runs the same with any."""
        from .options import Options
        if not isinstance(options, Options):
            raise TypeError(f"with_options: options must be a tf.data.Options, got {type(options).__name__}")
        self._options = self.options().merge(options)
        return self

    def options(self):
        from .options import Options
        return getattr(self, "_options", None) or Options()

    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements: ``state = reduce_func(state, element)``."""
        state = map_structure(to_tensor, normalize_element(initial_state))
        for e in self:
            state = reduce_func(state, e)
        return state


class _Iterator:
    """The iterator of a dataset (``iter(ds)``): ``next(it)`` or ``it.get_next()``."""

    def __init__(self, ds):
        self._ds = ds
        self._gen = ds._iter_np()

    def __iter__(self):
        return self

    def __next__(self):
        return map_structure(to_tensor, next(self._gen))

    next = __next__

    def get_next(self):
        return next(self)

    @property
    def element_spec(self):
        return self._ds.element_spec


class UnaryDataset(Dataset):
    def __init__(self, inp):
        if not isinstance(inp, Dataset):
            raise TypeError(f"expected a Dataset, got {type(inp).__name__}")
        self._inp = inp

    def _spec(self):
        return self._inp._spec()


# ----------------------------------------------------------------------------- sources
class _Slices(Dataset):
    def __init__(self, src, n):
        self._src, self._n = src, n

    def _index_source(self):
        return self._src

    def _index_chunks(self):
        yield np.arange(self._n, dtype=np.int64)

    def _elements(self):
        flat, pack = flatten(self._src), packer(self._src)
        for i in range(self._n):
            yield pack([a[i, ...] for a in flat])

    def _card(self):
        return self._n

    def _spec(self):
        return map_structure(lambda a: spec_of(a, a.shape[1:]), self._src)

    def __repr__(self):
        return f"<_TensorSliceDataset element_spec={self._spec()}>"


class _Tensors(Dataset):
    def __init__(self, value):
        self._value = value

    def _elements(self):
        yield self._value

    def _card(self):
        return 1

    def _spec(self):
        return map_structure(spec_of, self._value)


class _Range(Dataset):
    def __init__(self, r, dtype):
        self._r, self._dtype = r, dtype
        self._arr = None

    def _index_source(self):
        if len(self._r) > _RANGE_AS_INDEX:
            return None
        if self._arr is None:
            self._arr = np.arange(self._r.start, self._r.stop, self._r.step, dtype=self._dtype)
        return self._arr

    def _index_chunks(self):
        yield np.arange(len(self._r), dtype=np.int64)

    def _elements(self):
        dt = self._dtype
        for v in self._r:
            yield np.array(v, dtype=dt)

    def _card(self):
        return len(self._r)

    def _spec(self):
        return TensorSpec((), self._dtype)


class _Generator(Dataset):
    def __init__(self, generator, args, signature):
        self._gen, self._args, self._sig = generator, args, signature

    def _elements(self):
        specs = flatten(self._sig)
        for value in self._gen(*self._args):
            e = normalize_element(value)
            leaves = flatten(e)
            if len(leaves) != len(specs):
                raise TypeError(f"from_generator: generator yielded {value!r}, which does not "
                                f"match the structure {self._sig}")
            out = []
            for a, s in zip(leaves, specs):
                a = a.astype(s.dtype.as_numpy_dtype, copy=False)
                if not s.is_compatible_with(a):
                    raise InvalidArgumentError(f"from_generator: yielded shape {a.shape} is not "
                                               f"compatible with {s}")
                out.append(a)
            yield pack_as(self._sig, out)

    def _spec(self):
        return self._sig


class _Zip(Dataset):
    def __init__(self, datasets):
        self._datasets = datasets
        self._flat = flatten(datasets)

    def _elements(self):
        its = [d._iter_np() for d in self._flat]
        while True:
            try:
                elems = [next(it) for it in its]
            except StopIteration:
                return
            yield pack_as(self._datasets, elems)

    def _card(self):
        cards = [d._card() for d in self._flat]
        if UNKNOWN_CARDINALITY in cards:
            return UNKNOWN_CARDINALITY
        finite = [c for c in cards if c >= 0]
        return min(finite) if finite else INFINITE_CARDINALITY

    def _spec(self):
        return pack_as(self._datasets, [d._spec() for d in self._flat])

