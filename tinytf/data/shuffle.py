"""``Dataset.shuffle``: TensorFlow's shuffle buffer, per element and on index arrays.

A buffer of ``buffer_size`` elements is filled from the input; each output is drawn uniformly
from the buffer and its slot refilled with the next input; when the input ends, the remaining
buffer comes out in uniformly random order. So ``buffer_size >= len(dataset)`` is a uniform
permutation. Seeds follow TensorFlow: an op ``seed=`` (with or without ``tf.random.set_seed``)
or a global seed makes pipelines repeatable; each new iteration of a shuffle node reshuffles
unless ``reshuffle_each_iteration=False``. The random numbers are NumPy's, so orders differ from
TensorFlow's own.
"""
import numpy as np

from .. import backend as _backend
from ..errors import InvalidArgumentError
from .dataset import UNKNOWN_CARDINALITY, int_arg, UnaryDataset, transformation

_DRAW_BLOCK = 4096      # shuffle draws slot numbers in blocks of this many (both paths alike)


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



@transformation("shuffle")
class _Shuffle(UnaryDataset):
    def __init__(self, inp, buffer_size, seed, reshuffle):
        super().__init__(inp)
        size = int_arg(buffer_size, "buffer_size", "shuffle")
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
