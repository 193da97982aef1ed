"""``keras.metrics.Metric``, the base of every metric (its own module, as in Keras 3, so that
metrics defined in other modules, such as ``keras/iou_metrics.py``, build on it)."""
import numpy as np

from ..tensor import Tensor, Variable, to_array
from .naming import auto_name as _auto_name


def array_of(x, dtype=None):
    """A NumPy array from a Tensor, array, number or list (TensorFlow's default dtypes)."""
    v = np.asarray(x) if isinstance(x, Tensor) else np.asarray(to_array(x))
    if dtype is not None and v.dtype != np.dtype(dtype):
        v = v.astype(dtype)
    return v


class Metric:
    """Base class: subclasses create variables with ``add_variable`` and implement
    ``update_state`` and ``result``. Calling a metric updates it and returns ``result()``."""

    def __init__(self, dtype=None, name=None):
        self.name = name or _auto_name(self.__class__.__name__)
        self._dtype = "float32" if dtype is None else np.dtype(getattr(dtype, "name", dtype)).name
        self._variables = []

    @property
    def dtype(self):
        return self._dtype

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        dt = np.dtype(self._dtype if dtype is None else getattr(dtype, "name", dtype))
        shape = tuple(shape)
        if callable(initializer) and not isinstance(initializer, str):
            value = np.asarray(array_of(initializer(shape, dt)), dtype=dt)
        elif initializer in (None, "zeros"):
            value = np.zeros(shape, dt)
        elif initializer == "ones":
            value = np.ones(shape, dt)
        else:
            raise ValueError(f"add_variable: unsupported initializer {initializer!r}")
        v = Variable(value, trainable=False, name=name)
        v.path = f"{self.name}/{name}"
        self._variables.append(v)
        return v

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        return list(self._variables)

    weights = variables

    def reset_state(self):
        """Zero every state variable."""
        for v in self._variables:
            v.assign(np.zeros_like(np.asarray(v)))

    def reset_states(self):  # TensorFlow 2 spelling
        self.reset_state()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}>"
