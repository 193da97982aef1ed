"""Element structures of ``tf.data``: flatten / pack (lists are tensors here, so leaves) and
``TensorSpec``, the type of one component."""
import functools

import numpy as np

from .. import dtypes as _dtypes
from .. import nest
from ..tensor import Tensor, TensorShape

flatten = functools.partial(nest.flatten, lists=False)
flatten_up_to = functools.partial(nest.flatten_up_to, lists=False)
pack_as = functools.partial(nest.pack_sequence_as, lists=False)
map_structure = functools.partial(nest.map_structure, lists=False)


def packer(ref):
    if not isinstance(ref, (tuple, dict)):
        return lambda leaves: leaves[0]
    return lambda leaves: pack_as(ref, leaves)


def to_tensor(a):
    return Tensor(a)


def to_numpy(a):
    return a[()] if a.ndim == 0 else a


class TensorSpec:
    """The type of one component of a dataset element: shape (``None`` = unknown dim) and dtype."""

    def __init__(self, shape, dtype=None, name=None):
        self.shape = TensorShape(shape)
        self.dtype = _dtypes.as_dtype("float32" if dtype is None else dtype)
        self.name = name

    def is_compatible_with(self, other):
        shape = getattr(other, "shape", None)
        shape = TensorShape(np.shape(other) if shape is None else shape)
        dtype = getattr(other, "dtype", None)
        if dtype is not None and _dtypes.as_dtype(dtype) != self.dtype:
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


def spec_of(a, shape=None):
    return TensorSpec(a.shape if shape is None else shape, a.dtype)


def merge_dims(a, b):
    if len(a) != len(b):
        return None
    return [x if x == y else None for x, y in zip(a, b)]
