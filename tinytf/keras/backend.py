"""``tf.keras.backend``: ``clear_session``, ``floatx``, ``epsilon``, ``image_data_format``, and the
Keras 2 tensor functions that ``tf.keras.backend`` still has in TensorFlow 2.21 (Keras 3's
``_tf_keras`` API, from ``keras/src/legacy/backend.py``): ``int_shape``, ``shape``, ``exp``, ...
"""
import gc

import numpy as np

from .. import backend as _backend
from . import naming

_EPSILON = 1e-7


def clear_session(free_memory=True):
    """Reset Keras's global state: default names start again (``dense``, ``dense_1``...)."""
    naming.reset()
    if free_memory:
        gc.collect()


def floatx():
    """The default float type name, ``'float32'``."""
    return _backend.floatx()


def epsilon():
    """The fuzz factor Keras adds to denominators, ``1e-7``."""
    return _EPSILON


def image_data_format():
    """``'channels_last'``: tinytf's images are NHWC."""
    return "channels_last"


def _tf():
    import tinytf
    return tinytf


def int_shape(x):
    """The static shape as a tuple of ints / None (None when ``x`` has no shape)."""
    try:
        shape = x.shape
        return shape if isinstance(shape, tuple) else tuple(shape.as_list() if hasattr(shape, "as_list")
                                                            else shape)
    except (AttributeError, ValueError):
        return None


def constant(value, dtype=None, shape=None, name=None):
    """``tf.constant`` with Keras's float default (``floatx()``)."""
    return _tf().constant(value, dtype=dtype or floatx(), shape=shape)


def shape(x):
    return _tf().shape(x)


def exp(x):
    return _tf().exp(x)


def square(x):
    return _tf().square(x)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    return _tf().reduce_sum(x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    tf = _tf()
    x = tf.convert_to_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, floatx())
    return tf.reduce_mean(x, axis, keepdims)


def flatten(x):
    return _tf().reshape(x, [-1])


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Keras 2's ``random_normal``: without a seed, a fresh op seed from NumPy's global generator."""
    if seed is None:
        seed = np.random.randint(10_000_000)
    return _tf().random.normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(), seed=seed)


__all__ = ["clear_session", "constant", "epsilon", "exp", "flatten", "floatx", "image_data_format", "int_shape", "mean",
           "random_normal", "shape", "square", "sum"]
