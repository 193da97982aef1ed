"""``Tensor`` (an immutable value) and ``Variable`` (a mutable one), over a NumPy array.

Operators and methods are attached by ``tinytf.ops`` (they need the ops); this module only
holds the containers, conversion and printing.
"""

import numpy as np

from . import dtypes as _dtypes
from .backend import floatx


class TensorShape(tuple):
    """A tuple of dims (``None`` for unknown) that also compares equal to lists."""

    def __new__(cls, dims):
        if isinstance(dims, TensorShape):
            return dims
        if dims is None:
            return tuple.__new__(cls, ())
        return tuple.__new__(cls, (None if d is None else int(d) for d in dims))

    def as_list(self):
        return list(self)

    @property
    def rank(self):
        return len(self)

    @property
    def ndims(self):
        return len(self)

    def num_elements(self):
        return None if None in self else int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self):
        return None not in self

    def __eq__(self, other):
        try:
            return tuple(self) == tuple(other)
        except TypeError:
            return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = tuple.__hash__

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return TensorShape(r) if isinstance(key, slice) else r

    def __repr__(self):
        return f"TensorShape({list(self)})"

    def __str__(self):
        return "(" + ", ".join("None" if d is None else str(d) for d in self) + ("," if len(self) == 1 else "") + ")"


class Tensor:
    """An immutable n-dimensional value; the result of every op.

    ``Tensor`` wraps a NumPy array ``_v``; ``numpy()`` returns it. Gradients are recorded by
    ``GradientTape`` when the tensor is the output of an op on watched inputs.
    """
    __slots__ = ("_v", "_keras_logits", "_keras_mask", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value):
        self._v = value

    @property
    def shape(self):
        return TensorShape(self._v.shape)

    @property
    def dtype(self):
        return _dtypes.as_dtype(self._v.dtype)

    @property
    def ndim(self):
        return self._v.ndim

    @property
    def device(self):
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def numpy(self):
        """The value as a NumPy array (a scalar tensor gives a NumPy scalar, as in TensorFlow)."""
        return self._v[()] if self._v.ndim == 0 else self._v

    def get_shape(self):
        return self.shape

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._v)
        if dtype is not None and np.dtype(dtype) != v.dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def __len__(self):
        if self._v.ndim == 0:
            raise TypeError("len() of a scalar (rank-0) tensor is not defined")
        return self._v.shape[0]

    def __iter__(self):
        if self._v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._v.shape[0]))

    def __bool__(self):
        if self._v.size != 1:
            raise ValueError(f"The truth value of a tensor with shape {self.shape} is ambiguous; "
                             "use tf.reduce_any or tf.reduce_all")
        return bool(self._v)

    def __float__(self):
        return float(self._v)

    def __format__(self, format_spec):
        """As TensorFlow: formatted as the NumPy value, so ``f"{loss:.2f}"`` works on a scalar and
        a spec on a non-scalar raises TypeError (``f"{t}"`` gives the bare value, like NumPy)."""
        return np.asarray(self._v).__format__(format_spec)

    def __int__(self):
        return int(self._v)

    def __index__(self):
        if not np.issubdtype(self._v.dtype, np.integer):
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype.name}")
        return int(self._v)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self):
        return _Ref(self)

    experimental_ref = ref

    def __repr__(self):
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={_array_repr(self._v)}>"


    def __str__(self):
        sep = "\n" if self._v.ndim > 1 else ""
        return f"tf.Tensor({sep}{_array_str(self._v)}, shape={self.shape}, dtype={self.dtype.name})"


class _Ref:
    """A hashable reference to a tensor (``tensor.ref()``)."""
    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def deref(self):
        return self._t

    def __hash__(self):
        return id(self._t)

    def __eq__(self, other):
        return isinstance(other, _Ref) and other._t is self._t


def _array_str(v):
    if v.ndim == 0:
        return str(v[()])
    return np.array2string(v, separator=" ", threshold=1000)


def _array_repr(v):
    """NumPy's repr as TensorFlow shows it: plain scalars, and arrays of rank >= 2 on a new line."""
    if v.ndim == 0:
        return str(v[()].item()) if v.dtype.kind == "b" else str(v[()])
    return ("\n" if v.ndim >= 2 else "") + repr(v)


class Variable(Tensor):
    """A mutable tensor: model weights and optimizer slots.

    Args:
        initial_value: a tensor, array or number (or a callable returning one).
        trainable: whether ``GradientTape`` watches it automatically (default True).
        name: a name; ``Variable`` by default.
        dtype: optional dtype to convert the initial value to.
        shape: optional expected shape (``None`` entries match any size); a ``ValueError`` if the
            initial value does not have it. tinytf variables keep their shape: ``assign`` of another
            shape is refused, as in TensorFlow without ``shape=[None, ...]``.
    """
    __slots__ = ("_trainable", "_name", "path")

    def __init__(self, initial_value, trainable=True, name=None, dtype=None, shape=None):
        if callable(initial_value):
            initial_value = initial_value()
        v = to_array(initial_value, dtype)
        if shape is not None:
            want = list(TensorShape(shape))
            if len(want) != v.ndim or any(w is not None and w != d for w, d in zip(want, v.shape)):
                raise ValueError(f"Variable: the initial value has shape {list(v.shape)}, "
                                 f"which does not match shape={want}")
        super().__init__(np.array(v, copy=True))
        self._trainable = bool(trainable)
        self._name = "Variable" if name is None else name
        self.path = name

    @property
    def trainable(self):
        return self._trainable

    @property
    def name(self):
        return self._name if ":" in self._name else self._name + ":0"

    def numpy(self):
        return self._v[()] if self._v.ndim == 0 else self._v.copy()

    def value(self):
        return Tensor(self._v)

    read_value = value

    def _checked(self, value, what):
        try:
            v = to_array(value, self._v.dtype)
        except (TypeError, ValueError) as e:
            raise type(e)(f"Variable.{what} on {self.name!r}: {e}") from None
        if v.shape != self._v.shape:
            raise ValueError(f"Variable.{what} on {self.name!r}: shape {tuple(v.shape)} does not match the "
                             f"variable's shape {tuple(self._v.shape)}")
        return v

    def assign(self, value, read_value=True):
        """Replace the value (same shape and dtype)."""
        self._v = np.array(self._checked(value, "assign"), dtype=self._v.dtype, copy=True)
        return self

    def _take(self, array):
        """Replace the value with ``array`` itself, not a copy: for fresh arrays nobody else holds
        (the optimizers' fused updates). Same shape and dtype required."""
        if not isinstance(array, np.ndarray) or array.shape != self._v.shape or array.dtype != self._v.dtype:
            raise ValueError(f"Variable._take on {self.name!r}: expected an array of shape {self._v.shape} "
                             f"and dtype {self._v.dtype}, got {getattr(array, 'shape', type(array))}")
        self._v = array
        return self

    def assign_add(self, delta, read_value=True):
        self._v = np.asarray(self._v + self._checked(delta, "assign_add"))
        return self

    def assign_sub(self, delta, read_value=True):
        self._v = np.asarray(self._v - self._checked(delta, "assign_sub"))
        return self

    def __repr__(self):
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, "
                f"numpy={_array_repr(self._v)}>")

    __str__ = __repr__

    def __format__(self, format_spec):
        # TensorFlow: f"{v}" is str(v); tinytf also formats a scalar variable with a spec
        # (TensorFlow raises TypeError there).
        return str(self) if not format_spec else super().__format__(format_spec)


def to_array(value, dtype=None):
    """A NumPy array from a tensor, array, number or nested list, with TensorFlow's default dtypes:
    Python floats -> float32, Python ints -> int32, NumPy arrays keep their dtype."""
    if isinstance(value, Tensor):
        v = value._v
    elif isinstance(value, np.ndarray):
        v = value
    elif isinstance(value, np.generic):
        v = np.asarray(value)
    else:
        try:
            v = np.asarray(value)
        except ValueError:
            raise ValueError(f"cannot convert {value!r} to a tensor: ragged or mixed nested lists") from None
        if v.dtype == object:
            v = np.asarray([np.asarray(e) if isinstance(e, Tensor) else e for e in value]) \
                if isinstance(value, (list, tuple)) else v
            if v.dtype == object:
                raise TypeError(f"cannot convert {short_repr(value)} to a tensor")
        if v.dtype == np.float64:
            v = v.astype(floatx())
        elif v.dtype == np.int64 and dtype is None:
            v = v.astype(np.int32) if (v.size == 0 or (np.abs(v).max() < 2**31)) else v
    if v.dtype.kind in "SU" and (dtype is None or _dtypes.as_dtype(dtype) == _dtypes.string):
        return _bytes_array(v)
    if dtype is not None:
        nd = dtype if isinstance(dtype, np.dtype) else _dtypes.np_dtype(dtype)
        if v.dtype != nd:
            if isinstance(value, Tensor):
                raise TypeError(f"expected a tensor of dtype {nd.name}, got {v.dtype.name}; use tf.cast")
            if v.dtype.kind in "US":
                raise TypeError(f"cannot convert {short_repr(value)} to a {nd.name} tensor")
            v = v.astype(nd)
    return v


def _bytes_array(v):
    """A ``tf.string`` value: an object array of ``bytes`` (str encoded as UTF-8), as TF's numpy()."""
    out = np.empty(v.shape, dtype=object)
    for i, e in np.ndenumerate(v):
        out[i] = e.encode("utf-8") if isinstance(e, str) else bytes(e)
    return out


def short_repr(value):
    """``str 'abc'``: a value's type and repr, shortened for error messages."""
    r = repr(value)
    return f"{type(value).__name__} {r if len(r) <= 60 else r[:57] + '...'}"


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """A ``Tensor`` from a tensor, array, number or nested list (``tf.convert_to_tensor``)."""
    if isinstance(value, Tensor) and dtype is None:
        return value
    if dtype is None and dtype_hint is not None and not isinstance(value, (Tensor, np.ndarray)):
        try:
            return Tensor(to_array(value, dtype_hint))
        except (TypeError, ValueError):
            pass
    return Tensor(to_array(value, dtype))


def constant(value, dtype=None, shape=None, name=None):
    """``tf.constant``: a tensor holding ``value`` (broadcast to ``shape`` if given)."""
    v = to_array(value, dtype)
    if shape is not None:
        shape = tuple(shape)
        if v.size == 1:
            v = np.broadcast_to(v.reshape(()), shape).copy()
        elif v.size == int(np.prod(shape)):
            v = v.reshape(shape)
        else:
            raise TypeError(f"constant: value of {v.size} elements cannot take shape {shape}")
    return Tensor(v if isinstance(value, Tensor) else np.array(v))
