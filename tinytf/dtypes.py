"""TensorFlow dtypes (``tf.float32`` ...) as thin wrappers over NumPy dtypes."""
import numpy as np


class DType:
    """A TensorFlow dtype: compares equal to its name, its NumPy dtype and itself."""
    __slots__ = ("name", "as_numpy_dtype")

    def __init__(self, name, numpy_type=None):
        self.name = name
        self.as_numpy_dtype = numpy_type or np.dtype(name).type

    @property
    def is_floating(self):
        return np.issubdtype(self.as_numpy_dtype, np.floating)

    @property
    def is_integer(self):
        return np.issubdtype(self.as_numpy_dtype, np.integer)

    @property
    def is_complex(self):
        return np.issubdtype(self.as_numpy_dtype, np.complexfloating)

    @property
    def is_bool(self):
        return self.as_numpy_dtype is np.bool_

    @property
    def base_dtype(self):
        return self

    def __eq__(self, other):
        try:
            return np.dtype(self.as_numpy_dtype) == np.dtype(as_dtype(other).as_numpy_dtype)
        except (TypeError, ValueError):
            return NotImplemented

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"tf.{self.name}"


float16 = DType("float16")
float32 = DType("float32")
float64 = DType("float64")
int8 = DType("int8")
int16 = DType("int16")
int32 = DType("int32")
int64 = DType("int64")
uint8 = DType("uint8")
uint16 = DType("uint16")
bool = DType("bool")  # noqa: A001 - TensorFlow's name
complex64 = DType("complex64")
complex128 = DType("complex128")
string = DType("string", np.object_)  # byte strings, held as a NumPy object array of bytes
half, double = float16, float64

_BY_NAME = {d.name: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, bool, complex64,
                                    complex128, string)}


def as_dtype(value):
    """A ``DType`` from a DType, a name ('float32'), a NumPy dtype or a NumPy scalar type."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        name = np.dtype(value).name
        if name == "object" or np.dtype(value).kind in "SU":
            name = "string"
    except TypeError:
        raise TypeError(f"dtype: cannot interpret {value!r} as a data type") from None
    if name not in _BY_NAME:
        raise TypeError(f"dtype: {name} is not supported by tinytf; use one of {sorted(_BY_NAME)}")
    return _BY_NAME[name]


def np_dtype(value):
    """The NumPy dtype for a DType-like value."""
    return np.dtype(as_dtype(value).as_numpy_dtype)
