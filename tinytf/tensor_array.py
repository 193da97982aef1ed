"""``tf.TensorArray`` as TensorFlow 2 runs it eagerly: a Python list of tensors. ``write`` /
``unstack`` / ``scatter`` / ``split`` store tensors and return the array itself; ``read`` / ``stack``
/ ``gather`` / ``concat`` build on them with tinytf ops, so a ``GradientTape`` sees the whole path."""
import numpy as np

from .dtypes import as_dtype
from .errors import InvalidArgumentError, OutOfRangeError
from .ops import array_ops as A
from .tensor import Tensor, TensorShape, convert_to_tensor


def _index(value, what):
    v = np.asarray(value._v if isinstance(value, Tensor) else value)
    if v.ndim != 0 or v.dtype.kind not in "iu":
        raise TypeError(f"TensorArray.{what}: index must be an integer scalar, got {value!r}")
    return int(v)


def _merge(known, shape):
    """``known`` (a TensorShape or None) merged with ``shape``; ValueError if incompatible."""
    shape = tuple(shape)
    if known is None:
        return TensorShape(shape)
    known = tuple(known)
    if len(known) != len(shape) or any(a is not None and a != b for a, b in zip(known, shape)):
        raise ValueError(f"Incompatible shape for value ({TensorShape(shape)}), expected ({TensorShape(known)})")
    return TensorShape(shape)


class TensorArray:
    """A list of same-dtype tensors of one shape, indexed 0..size-1.

    Args:
        dtype: the elements' dtype (writes of another dtype are refused, as TensorFlow).
        size: the initial number of elements (required). dynamic_size: writes past the end grow it.
        clear_after_read: a ``read`` empties the element (default True, as TensorFlow eagerly).
        element_shape: the elements' shape if known (unread, unwritten elements then read as zeros).
        infer_shape: the first write fixes the shape of the others.

    Example::

        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        for i in range(3):
            ta = ta.write(i, x * i)
        y = ta.stack()
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager execution is enabled.")
        size = _index(size, "__init__")
        if size < 0:
            raise ValueError(f"TensorArray: size must be >= 0, got {size}")
        self._dtype = as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = bool(infer_shape)
        self._element_shape = None if element_shape is None else TensorShape(element_shape)
        self._items = [None] * size
        self._read = set()

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def element_shape(self):
        """The elements' shape; None while unknown (TensorFlow's ``TensorShape(None)``)."""
        return self._element_shape

    @property
    def flow(self):
        return Tensor(np.zeros((), np.float32))

    def identity(self):
        return self

    def close(self, name=None):
        pass

    def size(self, name=None):
        return Tensor(np.asarray(len(self._items), np.int32))

    def _np(self):
        return np.dtype(self._dtype.as_numpy_dtype)

    def _zeros(self, i):
        shape = self._element_shape
        if shape is None or not shape.is_fully_defined():
            raise ValueError(f"Could not read from TensorArray index {i}: it was never written and the element "
                             f"shape is not fully defined ({'<unknown>' if shape is None else shape})")
        return A.zeros(tuple(shape), self._np())

    def write(self, index, value, name=None):
        """Store ``value`` at ``index``; returns the array (TensorFlow's eager arrays mutate)."""
        i = _index(index, "write")
        if i < 0:
            raise OutOfRangeError(f"Writing to negative indices (index {i}) is not allowed.")
        if i >= len(self._items):
            if not self._dynamic_size:
                raise OutOfRangeError(f"Tried to write to index {i} but array is not resizeable and size is: "
                                      f"{len(self._items)}")
            self._items.extend([None] * (i + 1 - len(self._items)))
        t = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype_hint=self._np())
        if t.dtype != self._dtype:
            raise InvalidArgumentError(f"TensorArray dtype is {self._dtype.name} but Op is trying to write dtype "
                                       f"{t.dtype.name}")
        shape = _merge(self._element_shape, t.shape)
        if self._infer_shape:
            self._element_shape = shape
        self._items[i] = t
        return self

    def read(self, index, name=None):
        i = _index(index, "read")
        if i < 0:
            raise OutOfRangeError(f"Reading from negative indices (index {i}) is not allowed.")
        if i >= len(self._items):
            raise OutOfRangeError(f"Tried to read from index {i} but array size is: {len(self._items)}")
        t = self._items[i]
        if t is None:
            if i in self._read:
                raise InvalidArgumentError(f"Could not read index {i} twice because it was cleared after a previous "
                                           "read (perhaps try setting clear_after_read = false?)")
            t = self._zeros(i)
        if self._clear_after_read:
            self._items[i] = None
            self._read.add(i)
        return t

    def _all(self):
        return [self._zeros(i) if t is None else t for i, t in enumerate(self._items)]

    def stack(self, name=None):
        """The elements stacked on a new axis 0: [size, *element_shape]."""
        if not self._items:
            shape = self._element_shape
            return A.zeros((0,) + (tuple(shape) if shape is not None and shape.is_fully_defined() else ()),
                           self._np())
        return A.stack(self._all())

    def gather(self, indices, name=None):
        idx = np.asarray(indices._v if isinstance(indices, Tensor) else indices).reshape(-1)
        items = self._all()
        for i in idx:
            if not 0 <= i < len(items):
                raise OutOfRangeError(f"Tried to read from index {i} but array size is: {len(items)}")
        if not len(idx):
            return A.zeros((0,) + tuple(self._element_shape or ()), self._np())
        return A.stack([items[int(i)] for i in idx])

    def concat(self, name=None):
        """The elements concatenated along their axis 0."""
        if not self._items:
            raise InvalidArgumentError("TensorArray.concat: the array is empty (TensorFlow's ConcatV2 of no tensors)")
        return A.concat(self._all(), 0)

    def unstack(self, value, name=None):
        """Write the rows of ``value`` (axis 0) at indices 0, 1, ..."""
        t = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype_hint=self._np())
        if not t.shape.rank:
            raise ValueError(f"TensorArray.unstack: value must have at least one axis, got shape {t.shape}")
        n = t.shape[0]
        if not self._dynamic_size and n > len(self._items):
            raise ValueError(f"Cannot unstack {n} tensors into a TensorArray of static size {len(self._items)} ")
        return self.scatter(list(range(n)), t)

    def scatter(self, indices, value, name=None):
        """Write ``value[k]`` at ``indices[k]``."""
        t = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype_hint=self._np())
        idx = np.asarray(indices._v if isinstance(indices, Tensor) else indices).reshape(-1)
        rows = A.unstack(t, num=t.shape[0]) if t.shape[0] else []
        if len(rows) != len(idx):
            raise ValueError(f"TensorArray.scatter: {len(idx)} indices for {len(rows)} rows of value")
        for i, row in zip(idx, rows):
            self.write(int(i), row)
        return self

    def split(self, value, lengths, name=None):
        """Write consecutive pieces of ``value`` (axis 0) of the given ``lengths`` at 0, 1, ..."""
        t = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype_hint=self._np())
        sizes = [int(n) for n in np.asarray(lengths._v if isinstance(lengths, Tensor) else lengths).reshape(-1)]
        if sum(sizes) != t.shape[0]:
            raise InvalidArgumentError(f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths "
                                       f"is {sum(sizes)} and value's shape is: {t.shape}")
        if t.dtype != self._dtype:
            raise InvalidArgumentError(f"TensorArray dtype is {self._dtype.name} but Op is trying to write dtype "
                                       f"{t.dtype.name}")
        if not self._dynamic_size and len(sizes) > len(self._items):
            raise ValueError(f"Cannot split into {len(sizes)} pieces a TensorArray of static size {len(self._items)}")
        self._items.extend([None] * (len(sizes) - len(self._items)))
        for i, piece in enumerate(A.split(t, sizes, axis=0) if sizes else []):
            self._items[i] = piece  # pieces differ in length: axis 0 of the element shape stays unknown
        if self._infer_shape:
            self._element_shape = TensorShape((None,) + tuple(t.shape)[1:])
        return self

    def __repr__(self):
        return f"<TensorArray dtype={self._dtype.name} size={len(self._items)}>"
