"""Turn what ``fit`` / ``evaluate`` / ``predict`` accept (arrays, tensors, a Dataset, a
``PyDataset``/``Sequence``, a generator) into the batches the step functions receive, in Keras 3's
forms: ``(x, y)``, ``(x, y, sample_weight)``, or ``x`` alone; a Dataset's or PyDataset's elements
as they come (tuples, dicts, one tensor)."""
import math
import random

import numpy as np

from .. import backend
from ..tensor import Tensor


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``, with
    None for what is missing (``keras.utils.unpack_x_y_sample_weight``)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found a tuple of {len(data)} elements")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of ``unpack_x_y_sample_weight``: ``x`` alone when there is no ``y``."""
    if y is None:
        return x if not isinstance(x, (list, tuple)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_dataset(x):
    return hasattr(x, "batch") and hasattr(x, "shuffle") and hasattr(x, "__iter__")


def _is_py_dataset(x):
    from .utils.py_dataset import PyDataset
    return isinstance(x, PyDataset)


def _is_generator(x):
    return hasattr(x, "__next__") and hasattr(x, "__iter__") and not isinstance(x, (Tensor, np.ndarray))


def is_stream(x):
    """Whether ``x`` makes its own batches (a Dataset, a PyDataset, a generator), not arrays."""
    return _is_dataset(x) or _is_py_dataset(x) or _is_generator(x)


def _array(a, name, what):
    if isinstance(a, Tensor):
        return np.asarray(a)
    if isinstance(a, (list, tuple)):
        raise TypeError(f"{what}: {name} must be one array or tensor (tinytf models take one input), "
                        f"got a {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except Exception:  # noqa: BLE001 - report any conversion failure the same way
        arr = None
    if arr is None or arr.dtype == object:
        raise TypeError(f"{what}: {name} must be an array, a tensor or a tf.data.Dataset, got {type(a).__name__}")
    return arr


class Batches:
    """One pass over the data per ``epoch()`` call, yielding each batch as the step functions
    take it (``data``; see the module docstring)."""

    def __init__(self, x, y, batch_size, shuffle, steps, what, sample_weight=None, class_weight=None):
        self.what, self.shuffle, self.max_steps = what, shuffle, steps
        if class_weight is not None and sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        self.class_weight = class_weight
        self.ds = self.py = self.gen = None
        if is_stream(x):  # as Keras 3: y and sample weights come from x; a batch_size is ignored
            kind = "tf.data.Dataset" if _is_dataset(x) else ("PyDataset" if _is_py_dataset(x) else "generator")
            for arg, val, desc in (("y", y, "the targets"), ("sample_weights", sample_weight, "the sample weights")):
                if val is not None:
                    raise ValueError(f"{what}: When providing `x` as a {kind}, `{arg}` should not be passed. "
                                     f"Instead, {desc} should be included as part of the {kind}.")
        if _is_dataset(x):
            self.ds = x
            n = x.cardinality() if hasattr(x, "cardinality") else -2
            n = int(n.numpy() if hasattr(n, "numpy") else n)
            self.steps = steps if steps is not None else (n if n >= 0 else None)
            return
        if _is_py_dataset(x):
            self.py, self._py_epochs = x, 0
            n = x.num_batches
            self.steps = n if steps is None else (steps if n is None else min(steps, n))
            return
        if _is_generator(x):
            self.gen, self.steps = x, steps
            return
        if x is None:
            raise ValueError(f"{what}: x is required")
        self.x = _array(x, "x", what)
        self.y = None if y is None else _array(y, "y", what)
        self.sw = None if sample_weight is None else _array(sample_weight, "sample_weight", what)
        for name, a in (("y", self.y), ("sample_weight", self.sw)):
            if a is not None and len(a) != len(self.x):
                raise ValueError(f"{what}: x and {name} must have the same number of samples, got {len(self.x)} "
                                 f"and {len(a)}")
        if len(self.x) == 0:  # Keras fails later with "Unexpected result of train_function (Empty logs)"
            raise ValueError(f"{what}: x has 0 samples (shape {self.x.shape}); give at least one sample")
        if batch_size is None:
            batch_size = 32
        if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"{what}: batch_size must be a positive int, got {batch_size!r}")
        self.batch_size = int(batch_size)
        full = math.ceil(len(self.x) / self.batch_size)
        self.steps = full if steps is None else min(steps, full)

    @classmethod
    def from_validation(cls, data, batch_size, steps):
        if is_stream(data):
            return cls(data, None, None, False, steps, "fit(validation_data)")
        if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
            raise ValueError("fit: validation_data must be a (x, y) tuple or a Dataset, got "
                             f"{type(data).__name__}")
        return cls(data[0], data[1], batch_size, False, steps, "fit(validation_data)",
                   data[2] if len(data) == 3 else None)

    def epoch(self):
        if self.class_weight is None:
            return self._batches()
        return (_with_class_weights(data, self.class_weight) for data in self._batches())

    def _batches(self):
        if self.ds is not None:
            for i, el in enumerate(self.ds):
                if self.max_steps is not None and i >= self.max_steps:
                    break
                yield tuple(el) if isinstance(el, list) else el
            return
        if self.py is not None:
            yield from self._py_epoch()
            return
        if self.gen is not None:
            for i, el in enumerate(self.gen):
                yield _as_tensors(el)
                if self.steps is not None and i + 1 >= self.steps:
                    break
            return
        n = len(self.x)
        order = backend.rng().permutation(n) if self.shuffle else None
        for s in range(self.steps):
            lo, hi = s * self.batch_size, min((s + 1) * self.batch_size, n)
            idx = slice(lo, hi) if order is None else order[lo:hi]
            parts = [Tensor(_floatx(a[idx])) for a in (self.x, self.y, self.sw) if a is not None]
            if self.y is None and self.sw is not None:
                parts.insert(1, None)
            yield parts[0] if len(parts) == 1 else tuple(parts)

    def _py_epoch(self):
        """Keras's PyDataset order: batches 0..n-1, shuffled per epoch with ``random.Random(epoch)``
        when ``shuffle`` (fit's default); an endless one (``num_batches`` None) in order."""
        py, n = self.py, self.py.num_batches
        py.on_epoch_begin()
        order = None
        if n is not None:
            order = list(range(n))
            if self.shuffle:
                random.Random(self._py_epochs).shuffle(order)
        i = 0
        while self.steps is None or i < self.steps:
            yield _standardize(py[i if order is None else order[i]])
            i += 1
        py.on_epoch_end()
        self._py_epochs += 1


def class_weight_to_sample_weights(y, class_weight):
    """Keras's per-sample weights for ``class_weight`` ({class index: weight}): one-hot labels by
    argmax, (n, 1) labels squeezed, labels rounded; a class not in the dict weighs 1."""
    y = np.asarray(y)
    if y.ndim > 1:
        y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else np.squeeze(y, axis=-1)
    y = np.round(y).astype("int32")
    return np.array([class_weight.get(int(k), 1.0) for k in y], dtype=backend.floatx())


def _with_class_weights(data, class_weight):
    x, y, sw = unpack_x_y_sample_weight(data)
    if y is None:
        raise ValueError("fit: class_weight needs targets y to weigh the samples by their class")
    if sw is not None:
        raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same time.")
    return x, y, Tensor(class_weight_to_sample_weights(y, class_weight))


def _standardize(batch):
    """A PyDataset's batch as Keras takes it: a dict as is, an array as ``(x,)``, a list as a tuple."""
    if isinstance(batch, dict):
        return _as_tensors(batch)
    if isinstance(batch, np.ndarray):
        batch = (batch,)
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
        raise ValueError("PyDataset.__getitem__() must return a tuple or a dict. If a tuple, it must be ordered "
                         "either (input,) or (inputs, targets) or (inputs, targets, sample_weights). Received: "
                         f"{str(batch)[:100]}... of type {type(batch)}")
    return _as_tensors(batch)


def _as_tensors(el):
    """A PyDataset's or generator's batch: arrays become (float32) tensors; lists become tuples."""
    if isinstance(el, list):
        el = tuple(el)
    if isinstance(el, tuple):
        return tuple(_as_tensors(e) for e in el)
    if isinstance(el, dict):
        return {k: _as_tensors(v) for k, v in el.items()}
    if el is None or isinstance(el, Tensor):
        return el
    return Tensor(_floatx(np.asarray(el)))


def _floatx(a):
    """Float arrays other than float32 (``x / 255.0`` is float64) as float32, as Keras 3's adapters."""
    return a.astype(backend.floatx()) if a.dtype.kind == "f" and a.dtype != backend.floatx() else a
