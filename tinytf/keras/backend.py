"""``tf.keras.backend``: ``clear_session``, ``floatx``, ``epsilon``, ``image_data_format``."""
import gc

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


__all__ = ["clear_session", "epsilon", "floatx", "image_data_format"]
