"""Turn what ``fit`` / ``evaluate`` / ``predict`` accept (arrays, tensors, a Dataset) into batches."""
import math

import numpy as np

from .. import backend
from ..tensor import Tensor


def _is_dataset(x):
    return hasattr(x, "batch") and hasattr(x, "shuffle") and hasattr(x, "__iter__")


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
    """One pass over the data per ``epoch()`` call, yielding ``(x_batch, y_batch)``."""

    def __init__(self, x, y, batch_size, shuffle, steps, what):
        self.what, self.shuffle, self.max_steps = what, shuffle, steps
        if _is_dataset(x):
            if y is not None:
                raise ValueError(f"{what}: y must not be given when x is a Dataset (it yields (x, y) pairs)")
            if batch_size is not None:
                raise ValueError(f"{what}: batch_size must not be given when x is a Dataset (batch the Dataset)")
            self.ds, self.x, self.y = x, None, None
            n = x.cardinality() if hasattr(x, "cardinality") else -2
            n = int(n.numpy() if hasattr(n, "numpy") else n)
            self.steps = steps if steps is not None else (n if n >= 0 else None)
            return
        if x is None:
            raise ValueError(f"{what}: x is required")
        self.ds = None
        self.x = _array(x, "x", what)
        self.y = None if y is None else _array(y, "y", what)
        if self.y is not None and len(self.y) != len(self.x):
            raise ValueError(f"{what}: x and y must have the same number of samples, got {len(self.x)} and "
                             f"{len(self.y)}")
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
        if _is_dataset(data):
            return cls(data, None, None, False, steps, "fit(validation_data)")
        if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
            raise ValueError("fit: validation_data must be a (x, y) tuple or a Dataset, got "
                             f"{type(data).__name__}")
        return cls(data[0], data[1], batch_size, False, steps, "fit(validation_data)")

    def epoch(self):
        if self.ds is not None:
            for i, el in enumerate(self.ds):
                if self.max_steps is not None and i >= self.max_steps:
                    break
                if isinstance(el, (tuple, list)):
                    yield (el[0], el[1] if len(el) > 1 else None)
                else:
                    yield el, None
            return
        n = len(self.x)
        order = backend.rng().permutation(n) if self.shuffle else None
        for s in range(self.steps):
            lo, hi = s * self.batch_size, min((s + 1) * self.batch_size, n)
            if order is None:
                xb = self.x[lo:hi]
                yb = None if self.y is None else self.y[lo:hi]
            else:
                idx = order[lo:hi]
                xb = self.x[idx]
                yb = None if self.y is None else self.y[idx]
            yield Tensor(_floatx(xb)), (None if yb is None else Tensor(_floatx(yb)))


def _floatx(a):
    """Float arrays other than float32 (``x / 255.0`` is float64) as float32, as Keras 3's adapters."""
    return a.astype(backend.floatx()) if a.dtype.kind == "f" and a.dtype != backend.floatx() else a
