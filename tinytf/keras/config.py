"""``keras.config``: the global settings Keras 3 programs read (tinytf's are fixed: TensorFlow's
backend names, float32, channels last)."""
from .backend import epsilon, floatx, image_data_format  # noqa: F401


def backend():
    """The backend Keras runs on: ``'tensorflow'`` (tinytf implements TensorFlow's)."""
    return "tensorflow"


__all__ = ["backend", "epsilon", "floatx", "image_data_format"]
