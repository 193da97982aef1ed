"""``tf.data``: input pipelines (``Dataset``) with TensorFlow's semantics, on NumPy.

A ``Dataset`` is a lazy chain of nodes; nothing is computed until it is iterated. Iteration yields
``Tensor`` elements with the structure (tensor, tuple, dict, nested) of the input.

Speed: the common training pipeline ``from_tensor_slices(...) -> shuffle -> batch -> map -> repeat``
is fused. While every node between the source slices and ``batch`` only reorders or selects rows
(``shuffle``, ``take``, ``skip``, ``repeat``, ``cache``, ``prefetch``, ``zip`` of slices), the
pipeline runs on arrays of row *indices* (a permutation for a full shuffle, a vectorised simulation
of TensorFlow's shuffle buffer otherwise) and ``batch`` gathers whole batches with one fancy-index
per component. Anything else (``map``/``filter`` before ``batch``, generators, ...) runs per
element. Both paths give exactly the same elements (``_FUSE = False`` forces the per-element one).

Shuffling: a buffer of ``buffer_size`` elements is filled from the input; each output is drawn
uniformly from the buffer and its slot refilled with the next input; when the input ends, the
remaining buffer comes out in uniformly random order. So ``buffer_size >= len(dataset)`` is a
uniform permutation. Seeds follow TensorFlow: an op ``seed=`` (with or without
``tf.random.set_seed``) or a global seed makes pipelines repeatable; each new iteration of a
shuffle node reshuffles unless ``reshuffle_each_iteration=False``. The random numbers are NumPy's,
so orders differ from TensorFlow's own.

Note: ``from_tensor_slices`` does not copy NumPy inputs; do not modify them while a dataset uses them.
"""
import types

import numpy as np

from . import backend as _backend
from . import dtypes as _dt
from .errors import InvalidArgumentError
from .tensor import Tensor, TensorShape, _to_array

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2

_FUSE = True            # use the vectorised index path where possible (tests switch it off)
_DRAW_BLOCK = 4096      # shuffle draws slot numbers in blocks of this many (both paths alike)
_RANGE_AS_INDEX = 1 << 22  # Dataset.range up to this length joins the fused path


# ----------------------------------------------------------------------------- structures
def _is_namedtuple(s):
    return isinstance(s, tuple) and hasattr(type(s), "_fields")


def _flatten(s):
    if isinstance(s, dict):
        return [leaf for k in s for leaf in _flatten(s[k])]
    if isinstance(s, tuple):
        return [leaf for x in s for leaf in _flatten(x)]
    return [s]


def _flatten_up_to(ref, s):
    """Flatten ``s`` following ``ref``'s structure (``s``'s leaves may themselves be tuples)."""
    if isinstance(ref, dict):
        return [leaf for k in ref for leaf in _flatten_up_to(ref[k], s[k])]
    if isinstance(ref, tuple):
        return [leaf for r, x in zip(ref, s) for leaf in _flatten_up_to(r, x)]
    return [s]


def _pack(ref, leaves):
    """Rebuild ``ref``'s structure from a flat list of leaves."""
    it = iter(leaves)

    def build(r):
        if isinstance(r, dict):
            return {k: build(v) for k, v in r.items()}
        if _is_namedtuple(r):
            return type(r)(*[build(x) for x in r])
        if isinstance(r, tuple):
            return tuple(build(x) for x in r)
        return next(it)
    return build(ref)


def _packer(ref):
    if not isinstance(ref, (tuple, dict)):
        return lambda leaves: leaves[0]
    return lambda leaves: _pack(ref, leaves)


def _map(fn, s):
    if isinstance(s, dict):
        return {k: _map(fn, v) for k, v in s.items()}
    if _is_namedtuple(s):
        return type(s)(*[_map(fn, x) for x in s])
    if isinstance(s, tuple):
        return tuple(_map(fn, x) for x in s)
    return fn(s)


def _normalize(x, lists_as_tuples=False):
    """An element structure with NumPy leaves (TensorFlow's conversion rules for the leaves).

    Lists are tensors, as in TensorFlow (``[x1, x2]`` stacks). With ``lists_as_tuples`` a list
    that cannot be one tensor (e.g. ``[images, labels]``) is taken as a tuple instead.
    """
    if isinstance(x, dict):
        return {k: _normalize(v, lists_as_tuples) for k, v in x.items()}
    if _is_namedtuple(x):
        return type(x)(*[_normalize(v, lists_as_tuples) for v in x])
    if isinstance(x, tuple):
        return tuple(_normalize(v, lists_as_tuples) for v in x)
    if isinstance(x, list):
        try:
            return _to_array(x)
        except (TypeError, ValueError):
            if not lists_as_tuples:
                raise
            return tuple(_normalize(v, lists_as_tuples) for v in x)
    if isinstance(x, Dataset):
        raise TypeError("a Dataset cannot be an element component; use Dataset.zip or flat_map")
    return np.asarray(_to_array(x))


def _to_tensor(a):
    return Tensor(a)


def _to_numpy(a):
    return a[()] if a.ndim == 0 else a


class TensorSpec:
    """The type of one component of a dataset element: shape (``None`` = unknown dim) and dtype."""

    def __init__(self, shape, dtype=None, name=None):
        self.shape = TensorShape(shape)
        self.dtype = _dt.as_dtype("float32" if dtype is None else dtype)
        self.name = name

    def is_compatible_with(self, other):
        shape = getattr(other, "shape", None)
        shape = TensorShape(np.shape(other) if shape is None else shape)
        dtype = getattr(other, "dtype", None)
        if dtype is not None and _dt.as_dtype(dtype) != self.dtype:
            return False
        return len(shape) == len(self.shape) and all(
            a is None or b is None or a == b for a, b in zip(self.shape, shape))

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and self.shape == other.shape and \
            self.dtype == other.dtype and self.name == other.name

    def __hash__(self):
        return hash((tuple(self.shape), self.dtype.name))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"


def _spec_of(a, shape=None):
    return TensorSpec(a.shape if shape is None else shape, a.dtype)


def _merge_dims(a, b):
    if len(a) != len(b):
        return None
    return [x if x == y else None for x, y in zip(a, b)]


class _Cardinality(int):
    """``Dataset.cardinality()``: an int (TensorFlow returns a scalar tensor, hence ``.numpy()``)."""

    def numpy(self):
        return np.int64(self)

    def __repr__(self):
        return f"<tf.Tensor: shape=(), dtype=int64, numpy={int(self)}>"


def _int(value, what, op):
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {what} must be an integer, got {value!r}") from None
    return v


# ----------------------------------------------------------------------------- shuffle core
class _Draws:
    """Uniform slot numbers in [0, n), drawn from ``rng`` in fixed-size blocks, so that the
    per-element and the vectorised shuffles consume the generator identically."""

    def __init__(self, rng, n):
        self.rng, self.n = rng, n
        self.block = np.empty(0, np.int64)
        self.pos = 0

    def _refill(self):
        self.block = self.rng.integers(0, self.n, size=_DRAW_BLOCK)
        self.pos = 0

    def one(self):
        if self.pos == len(self.block):
            self._refill()
        self.pos += 1
        return int(self.block[self.pos - 1])

    def take(self, m):
        parts = []
        while m > 0:
            if self.pos == len(self.block):
                self._refill()
            k = min(m, len(self.block) - self.pos)
            parts.append(self.block[self.pos:self.pos + k])
            self.pos += k
            m -= k
        return np.concatenate(parts) if len(parts) != 1 else parts[0]


def _shuffle_elements(elements, size, rng):
    """TensorFlow's shuffle buffer, one element at a time."""
    draws = _Draws(rng, size)
    buf = []
    for e in elements:
        if len(buf) < size:
            buf.append(e)
            continue
        j = draws.one()
        yield buf[j]
        buf[j] = e
    for k in rng.permutation(len(buf)):
        yield buf[k]


def _shuffle_stream(buf, x, j):
    """Stream inputs ``x`` through the full buffer ``buf`` with slot draws ``j`` (vectorised).

    Step t outputs slot j[t] then stores x[t] there; so the output is x[s] for the latest s < t
    with j[s] == j[t], or the initial buf[j[t]] if there is none. Returns (outputs, new buffer).
    """
    order = np.argsort(j, kind="stable")          # grouped by slot, in time order
    js = j[order]
    same = js[1:] == js[:-1]
    prev = np.full(len(x), -1, np.int64)
    prev[order[1:][same]] = order[:-1][same]
    out = np.where(prev >= 0, x[prev], buf[j])
    last = order[np.append(~same, True)]          # the last write to each slot
    new = buf.copy()
    new[j[last]] = x[last]
    return out, new


def _shuffle_indices(chunks, size, rng):
    """The same algorithm as ``_shuffle_elements`` on a stream of index arrays."""
    draws = _Draws(rng, size)
    buf = np.empty(0, np.int64)
    for c in chunks:
        if len(buf) < size:
            need = size - len(buf)
            buf = np.concatenate([buf, c[:need]])
            c = c[need:]
        if len(c):
            out, buf = _shuffle_stream(buf, c, draws.take(len(c)))
            yield out
    if len(buf):
        yield buf[rng.permutation(len(buf))]


# ----------------------------------------------------------------------------- Dataset
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
        src = self._index_source() if _FUSE else None
        if src is None:
            return self._elements()
        return self._rows(src)

    def _rows(self, src):
        flat, pack = _flatten(src), _packer(src)
        for c in self._index_chunks():
            for i in c.tolist():
                yield pack([a[i, ...] for a in flat])

    def __iter__(self):
        return _Iterator(self)

    def as_numpy_iterator(self):
        """Iterate the elements as NumPy values (scalars as NumPy scalars)."""
        return (_map(_to_numpy, e) for e in self._iter_np())

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
        src = _normalize(tensors, lists_as_tuples=True)
        leaves = _flatten(src)
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
        return _Tensors(_normalize(tensors))

    @staticmethod
    def range(*args, output_type=_dt.int64, name=None):
        """``range(stop)``, ``range(start, stop[, step])`` as a dataset of int64 scalars."""
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Dataset.range takes 1 to 3 positional arguments, got {len(args)}")
        ints = [_int(a, "argument", "Dataset.range") for a in args]
        if len(ints) == 3 and ints[2] == 0:
            raise InvalidArgumentError("Dataset.range: step must not be 0")
        return _Range(range(*ints), _dt.np_dtype(output_type))

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """A dataset of tuples (or dicts) of the elements of several datasets, in lockstep."""
        if datasets is None:
            if not args:
                raise TypeError("Dataset.zip needs at least one dataset")
            datasets = args[0] if len(args) == 1 else tuple(args)
        flat = _flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip: expected datasets, got {type(d).__name__}")
        if all(type(d) is _Slices for d in flat):       # zip of slices is slices: stays fusable
            n = min(d._n for d in flat)
            return _Slices(_pack(datasets, [_map(lambda a, n=n: a[:n], d._src) for d in flat]), n)
        return _Zip(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """A dataset of the values yielded by ``generator(*args)`` (called again per iteration)."""
        if output_signature is None:
            if output_types is None:
                raise TypeError("from_generator: give output_signature or output_types")
            sig_types = _flatten(output_types)
            sig_shapes = [None] * len(sig_types) if output_shapes is None else \
                _flatten_up_to(output_types, output_shapes)
            output_signature = _pack(output_types, [
                TensorSpec([] if s is None else s, t) for t, s in zip(sig_types, sig_shapes)])
        return _Generator(generator, tuple(args or ()), output_signature)

    # --- transformations
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Shuffle with a buffer of ``buffer_size`` elements (TensorFlow's algorithm)."""
        return _Shuffle(self, buffer_size, seed,
                        True if reshuffle_each_iteration is None else reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None):
        """Stack ``batch_size`` consecutive elements into one (the last may be smaller unless
        ``drop_remainder``)."""
        return _Batch(self, batch_size, drop_remainder)

    def unbatch(self, name=None):
        """Split each element along its first dimension (the inverse of ``batch``)."""
        return _Unbatch(self)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Apply ``map_func`` to each element (a tuple element is passed as separate arguments)."""
        return _Map(self, map_func)

    def filter(self, predicate, name=None):
        """Keep the elements for which ``predicate`` returns True (a scalar bool)."""
        return _Filter(self, predicate)

    def repeat(self, count=None, name=None):
        """Repeat the dataset ``count`` times (forever when ``None`` or -1)."""
        return _Repeat(self, count)

    def take(self, count, name=None):
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        return _Take(self, count)

    def skip(self, count, name=None):
        """All but the first ``count`` elements (none when ``count`` is -1)."""
        return _Skip(self, count)

    def cache(self, filename="", name=None):
        """Keep the elements of the first complete iteration and replay them afterwards (in memory;
        ``filename`` is accepted and ignored)."""
        return _Cache(self)

    def prefetch(self, buffer_size, name=None):
        """No-op in tinytf (elements are produced on demand)."""
        return self

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by ``dataset``'s."""
        return _Concatenate(self, dataset)

    def enumerate(self, start=0, name=None):
        """Elements as ``(index, element)`` pairs (index int64, from ``start``)."""
        return _Enumerate(self, start)

    def apply(self, transformation_func):
        return transformation_func(self)

    def with_options(self, options, name=None):
        return self

    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements: ``state = reduce_func(state, element)``."""
        state = _map(_to_tensor, _normalize(initial_state))
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
        return _map(_to_tensor, next(self._gen))

    next = __next__

    def get_next(self):
        return next(self)

    @property
    def element_spec(self):
        return self._ds.element_spec


class _Unary(Dataset):
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
        flat, pack = _flatten(self._src), _packer(self._src)
        for i in range(self._n):
            yield pack([a[i, ...] for a in flat])

    def _card(self):
        return self._n

    def _spec(self):
        return _map(lambda a: _spec_of(a, a.shape[1:]), self._src)

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
        return _map(_spec_of, self._value)


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
        specs = _flatten(self._sig)
        for value in self._gen(*self._args):
            e = _normalize(value)
            leaves = _flatten(e)
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
            yield _pack(self._sig, out)

    def _spec(self):
        return self._sig


class _Zip(Dataset):
    def __init__(self, datasets):
        self._datasets = datasets
        self._flat = _flatten(datasets)

    def _elements(self):
        its = [d._iter_np() for d in self._flat]
        while True:
            try:
                elems = [next(it) for it in its]
            except StopIteration:
                return
            yield _pack(self._datasets, elems)

    def _card(self):
        cards = [d._card() for d in self._flat]
        if UNKNOWN_CARDINALITY in cards:
            return UNKNOWN_CARDINALITY
        finite = [c for c in cards if c >= 0]
        return min(finite) if finite else INFINITE_CARDINALITY

    def _spec(self):
        return _pack(self._datasets, [d._spec() for d in self._flat])


# ----------------------------------------------------------------------------- transformations
class _Shuffle(_Unary):
    def __init__(self, inp, buffer_size, seed, reshuffle):
        super().__init__(inp)
        size = _int(buffer_size, "buffer_size", "shuffle")
        if size <= 0 and size != UNKNOWN_CARDINALITY:
            raise InvalidArgumentError(
                f"shuffle: buffer_size must be greater than zero or UNKNOWN_CARDINALITY, got {size}")
        self._size = np.iinfo(np.int64).max if size == UNKNOWN_CARDINALITY else size
        g = _backend.get_seed()
        if seed is None:
            # A global seed makes the op seed repeatable (drawn from the global stream, like
            # TensorFlow's op counter); without one the order is random.
            op = int(_backend.rng().integers(2**62))
        else:
            op = int(seed) % 2**64
        self._key = [87654321 if g is None else g % 2**64, op]
        self._reshuffle = bool(reshuffle)
        self._epoch = 0

    def _rng(self):
        e = self._epoch
        if self._reshuffle:
            self._epoch += 1
        return np.random.default_rng(self._key + [e])

    def _index_source(self):
        return self._inp._index_source()

    def _index_chunks(self):
        rng = self._rng()
        chunks = self._inp._index_chunks()
        n = self._inp._card()
        if 0 <= n <= self._size:                # whole input fits the buffer: one permutation
            idx = np.concatenate(list(chunks)) if n else np.empty(0, np.int64)
            if len(idx):
                yield idx[rng.permutation(len(idx))]
            return
        yield from _shuffle_indices(chunks, self._size, rng)

    def _elements(self):
        return _shuffle_elements(self._inp._iter_np(), self._size, self._rng())

    def _card(self):
        return self._inp._card()


class _Batch(_Unary):
    def __init__(self, inp, batch_size, drop_remainder):
        super().__init__(inp)
        bs = _int(batch_size, "batch_size", "batch")
        if bs <= 0:
            raise InvalidArgumentError(f"batch: batch_size must be greater than zero, got {bs}")
        self._bs, self._drop = bs, bool(drop_remainder)

    def _elements(self):
        src = self._inp._index_source() if _FUSE else None
        if src is not None:
            return self._gathered(src)
        return self._stacked()

    def _gathered(self, src):
        bs, flat, pack = self._bs, _flatten(src), _packer(src)
        pending = None
        for c in self._inp._index_chunks():
            if pending is not None:
                c = np.concatenate([pending, c])
                pending = None
            full = len(c) - len(c) % bs
            for s in range(0, full, bs):
                idx = c[s:s + bs]
                yield pack([a[idx] for a in flat])
            if full < len(c):
                pending = c[full:]
        if pending is not None and not self._drop:
            yield pack([a[pending] for a in flat])

    def _stacked(self):
        bs, items, pack = self._bs, [], None
        for e in self._inp._iter_np():
            items.append(_flatten(e))
            if pack is None:
                pack = _packer(e)
            if len(items) == bs:
                yield pack(_stack(items))
                items = []
        if items and not self._drop:
            yield pack(_stack(items))

    def _card(self):
        n = self._inp._card()
        if n < 0:
            return n
        return n // self._bs if self._drop else -(-n // self._bs)

    def _spec(self):
        first = self._bs if self._drop else None
        return _map(lambda s: TensorSpec((first,) + tuple(s.shape), s.dtype), self._inp._spec())


def _stack(items):
    out = []
    for k, first in enumerate(items[0]):
        col = [it[k] for it in items]
        for i, a in enumerate(col):
            if a.shape != first.shape:
                raise InvalidArgumentError(
                    f"Cannot batch tensors with different shapes in component {k}. First element "
                    f"had shape {list(first.shape)} and element {i} had shape {list(a.shape)}.")
        out.append(np.stack(col))
    return out


class _Unbatch(_Unary):
    def _elements(self):
        for e in self._inp._iter_np():
            flat, pack = _flatten(e), _packer(e)
            if any(a.ndim == 0 for a in flat):
                raise InvalidArgumentError("unbatch: every component needs rank >= 1")
            n = flat[0].shape[0]
            if any(a.shape[0] != n for a in flat):
                raise InvalidArgumentError("unbatch: components have different first dimensions: "
                                           f"{[a.shape for a in flat]}")
            for i in range(n):
                yield pack([a[i, ...] for a in flat])

    def _card(self):
        n = self._inp._card()
        if n < 0:
            return n
        try:                                    # known batch dimension: known count (as TF)
            dims = {s.shape[0] if s.shape else None for s in _flatten(self._inp._spec())}
        except Exception:  # noqa: BLE001 - a spec that cannot be traced is just unknown
            dims = {None}
        d = dims.pop() if len(dims) == 1 else None
        return UNKNOWN_CARDINALITY if d is None else n * d

    def _spec(self):
        return _map(lambda s: TensorSpec(s.shape[1:], s.dtype), self._inp._spec())


def _call(fn, element):
    args = _map(_to_tensor, element)
    return fn(*args) if type(args) is tuple else fn(args)


def _normalize_output(out):
    if isinstance(out, list):        # TensorFlow converts a returned list to a tuple
        out = tuple(out)
    return _normalize(out)


class _Map(_Unary):
    def __init__(self, inp, fn):
        super().__init__(inp)
        if not callable(fn):
            raise TypeError(f"map: map_func must be callable, got {fn!r}")
        self._fn = fn

    def _elements(self):
        fn = self._fn
        for e in self._inp._iter_np():
            yield _normalize_output(_call(fn, e))

    def _card(self):
        return self._inp._card()

    def _spec(self):
        """Trace ``map_func`` on zeros of the input's spec (unknown dims tried as 1 and 2)."""
        spec = self._inp._spec()

        def run(fill):
            ex = _map(lambda s: np.zeros([fill if d is None else d for d in s.shape],
                                         s.dtype.as_numpy_dtype), spec)
            state = _backend.get_state()
            try:
                return _normalize_output(_call(self._fn, ex))
            finally:
                _backend.set_state(state)
        a, b = run(1), run(2)
        return _pack(a, [TensorSpec(_merge_dims(x.shape, y.shape), x.dtype)
                         for x, y in zip(_flatten(a), _flatten(b))])


class _Filter(_Unary):
    def __init__(self, inp, predicate):
        super().__init__(inp)
        if not callable(predicate):
            raise TypeError(f"filter: predicate must be callable, got {predicate!r}")
        self._pred = predicate

    def _elements(self):
        pred = self._pred
        for e in self._inp._iter_np():
            keep = np.asarray(_to_array(_call(pred, e)))
            if keep.shape != () or keep.dtype != np.bool_:
                raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                                 f"tensor, got dtype {keep.dtype.name} shape {keep.shape}")
            if keep:
                yield e


class _Repeat(_Unary):
    def __init__(self, inp, count):
        super().__init__(inp)
        c = -1 if count is None else _int(count, "count", "repeat")
        self._count = -1 if c < 0 else c

    def _epochs(self, make, chunks=False):
        k = 0
        while self._count < 0 or k < self._count:
            empty = True
            for x in make():
                if chunks and not len(x):
                    continue
                empty = False
                yield x
            if empty:            # an empty dataset repeated (even forever) is empty
                return
            k += 1

    def _index_source(self):
        return self._inp._index_source()

    def _index_chunks(self):
        return self._epochs(self._inp._index_chunks, chunks=True)

    def _elements(self):
        return self._epochs(self._inp._iter_np)

    def _card(self):
        n = self._inp._card()
        if self._count == 0 or n == 0:
            return 0
        if self._count < 0:
            return INFINITE_CARDINALITY
        return n if n < 0 else n * self._count


class _Take(_Unary):
    def __init__(self, inp, count):
        super().__init__(inp)
        self._n = _int(count, "count", "take")

    def _index_source(self):
        return self._inp._index_source()

    def _index_chunks(self):
        left = self._n
        if left < 0:
            yield from self._inp._index_chunks()
            return
        if left == 0:
            return
        for c in self._inp._index_chunks():
            if len(c) >= left:
                yield c[:left]
                return
            left -= len(c)
            yield c

    def _elements(self):
        left = self._n
        if left == 0:
            return
        for e in self._inp._iter_np():
            yield e
            left -= 1
            if left == 0:
                return

    def _card(self):
        n = self._inp._card()
        if self._n < 0:
            return n
        if n == INFINITE_CARDINALITY:
            return self._n
        return n if n == UNKNOWN_CARDINALITY else min(n, self._n)


class _Skip(_Unary):
    def __init__(self, inp, count):
        super().__init__(inp)
        self._n = _int(count, "count", "skip")

    def _index_source(self):
        return self._inp._index_source()

    def _index_chunks(self):
        if self._n < 0:
            for _ in self._inp._index_chunks():
                pass
            return
        left = self._n
        for c in self._inp._index_chunks():
            if left:
                k = min(left, len(c))
                c, left = c[k:], left - k
            if len(c):
                yield c

    def _elements(self):
        left = self._n
        for e in self._inp._iter_np():
            if left < 0:
                continue
            if left:
                left -= 1
                continue
            yield e

    def _card(self):
        n = self._inp._card()
        if n < 0:
            return n
        return 0 if self._n < 0 else max(n - self._n, 0)


class _Cache(_Unary):
    def __init__(self, inp):
        super().__init__(inp)
        self._stored = {}

    def _replay(self, kind, make):
        if kind in self._stored:
            yield from self._stored[kind]
            return
        seen = []
        for x in make():
            seen.append(x)
            yield x
        self._stored[kind] = seen          # only a completed first pass is kept

    def _index_source(self):
        return self._inp._index_source()

    def _index_chunks(self):
        return self._replay("index", self._inp._index_chunks)

    def _elements(self):
        return self._replay("elements", self._inp._iter_np)

    def _card(self):
        return self._inp._card()


class _Concatenate(_Unary):
    def __init__(self, inp, other):
        super().__init__(inp)
        if not isinstance(other, Dataset):
            raise TypeError(f"concatenate: expected a Dataset, got {type(other).__name__}")
        a, b = inp._spec(), other._spec()
        fa, fb = _flatten(a), _flatten(b)
        if len(fa) != len(fb) or any(x.dtype != y.dtype for x, y in zip(fa, fb)):
            raise TypeError(f"Incompatible dataset elements: {a} vs. {b}")
        self._other = other

    def _elements(self):
        yield from self._inp._iter_np()
        yield from self._other._iter_np()

    def _card(self):
        a, b = self._inp._card(), self._other._card()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (a, b):
            return UNKNOWN_CARDINALITY
        return a + b

    def _spec(self):
        a, b = self._inp._spec(), self._other._spec()
        return _pack(a, [TensorSpec(_merge_dims(x.shape, y.shape), x.dtype)
                         for x, y in zip(_flatten(a), _flatten(b))])


class _Enumerate(_Unary):
    def __init__(self, inp, start):
        super().__init__(inp)
        self._start = _int(start, "start", "enumerate")

    def _elements(self):
        for i, e in enumerate(self._inp._iter_np(), self._start):
            yield (np.array(i, np.int64), e)

    def _card(self):
        return self._inp._card()

    def _spec(self):
        return (TensorSpec((), _dt.int64), self._inp._spec())


def _cardinality(dataset):
    return dataset.cardinality()


experimental = types.SimpleNamespace(
    AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY, cardinality=_cardinality)

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "TensorSpec", "UNKNOWN_CARDINALITY",
           "experimental"]
