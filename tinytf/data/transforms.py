"""The transformations of ``Dataset`` other than ``shuffle``: batch, unbatch, map, filter,
repeat, take, skip, cache, concatenate, enumerate."""
import numpy as np

from .. import backend as _backend
from .. import dtypes as _dtypes
from ..errors import InvalidArgumentError
from ..tensor import to_array
from .dataset import (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, fused_source, int_arg,
                      normalize_element, UnaryDataset, transformation)
from .structure import TensorSpec, flatten, map_structure, merge_dims, pack_as, packer, to_tensor


@transformation("batch")
class _Batch(UnaryDataset):
    def __init__(self, inp, batch_size, drop_remainder):
        super().__init__(inp)
        bs = int_arg(batch_size, "batch_size", "batch")
        if bs <= 0:
            raise InvalidArgumentError(f"batch: batch_size must be greater than zero, got {bs}")
        self._bs, self._drop = bs, bool(drop_remainder)

    def _elements(self):
        src = fused_source(self._inp)
        if src is not None:
            return self._gathered(src)
        return self._stacked()

    def _gathered(self, src):
        bs, flat, pack = self._bs, flatten(src), packer(src)
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
            items.append(flatten(e))
            if pack is None:
                pack = packer(e)
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
        return map_structure(lambda s: TensorSpec((first,) + tuple(s.shape), s.dtype), self._inp._spec())


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


@transformation("unbatch")
class _Unbatch(UnaryDataset):
    def _elements(self):
        for e in self._inp._iter_np():
            flat, pack = flatten(e), packer(e)
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
            dims = {s.shape[0] if s.shape else None for s in flatten(self._inp._spec())}
        except Exception:  # noqa: BLE001 - a spec that cannot be traced is just unknown
            dims = {None}
        d = dims.pop() if len(dims) == 1 else None
        return UNKNOWN_CARDINALITY if d is None else n * d

    def _spec(self):
        return map_structure(lambda s: TensorSpec(s.shape[1:], s.dtype), self._inp._spec())


def _call(fn, element):
    args = map_structure(to_tensor, element)
    return fn(*args) if type(args) is tuple else fn(args)


def _normalize_output(out):
    if isinstance(out, list):        # TensorFlow converts a returned list to a tuple
        out = tuple(out)
    return normalize_element(out)


@transformation("map")
class _Map(UnaryDataset):
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
            ex = map_structure(lambda s: np.zeros([fill if d is None else d for d in s.shape],
                                         s.dtype.as_numpy_dtype), spec)
            state = _backend.get_state()
            try:
                return _normalize_output(_call(self._fn, ex))
            finally:
                _backend.set_state(state)
        a, b = run(1), run(2)
        return pack_as(a, [TensorSpec(merge_dims(x.shape, y.shape), x.dtype)
                         for x, y in zip(flatten(a), flatten(b))])


@transformation("filter")
class _Filter(UnaryDataset):
    def __init__(self, inp, predicate):
        super().__init__(inp)
        if not callable(predicate):
            raise TypeError(f"filter: predicate must be callable, got {predicate!r}")
        self._pred = predicate

    def _elements(self):
        pred = self._pred
        for e in self._inp._iter_np():
            keep = np.asarray(to_array(_call(pred, e)))
            if keep.shape != () or keep.dtype != np.bool_:
                raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                                 f"tensor, got dtype {keep.dtype.name} shape {keep.shape}")
            if keep:
                yield e


@transformation("repeat")
class _Repeat(UnaryDataset):
    def __init__(self, inp, count):
        super().__init__(inp)
        c = -1 if count is None else int_arg(count, "count", "repeat")
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


@transformation("take")
class _Take(UnaryDataset):
    def __init__(self, inp, count):
        super().__init__(inp)
        self._n = int_arg(count, "count", "take")

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


@transformation("skip")
class _Skip(UnaryDataset):
    def __init__(self, inp, count):
        super().__init__(inp)
        self._n = int_arg(count, "count", "skip")

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


@transformation("cache")
class _Cache(UnaryDataset):
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


@transformation("concatenate")
class _Concatenate(UnaryDataset):
    def __init__(self, inp, other):
        super().__init__(inp)
        if not isinstance(other, Dataset):
            raise TypeError(f"concatenate: expected a Dataset, got {type(other).__name__}")
        a, b = inp._spec(), other._spec()
        fa, fb = flatten(a), flatten(b)
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
        return pack_as(a, [TensorSpec(merge_dims(x.shape, y.shape), x.dtype)
                         for x, y in zip(flatten(a), flatten(b))])


@transformation("enumerate")
class _Enumerate(UnaryDataset):
    def __init__(self, inp, start):
        super().__init__(inp)
        self._start = int_arg(start, "start", "enumerate")

    def _elements(self):
        for i, e in enumerate(self._inp._iter_np(), self._start):
            yield (np.array(i, np.int64), e)

    def _card(self):
        return self._inp._card()

    def _spec(self):
        return (TensorSpec((), _dtypes.int64), self._inp._spec())
