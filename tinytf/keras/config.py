"""``keras.config``: the global settings Keras 3 programs read (tinytf's are fixed: TensorFlow's
backend names, float32, channels last)."""
from .backend import epsilon, floatx, image_data_format  # noqa: F401
from .mixed_precision import global_policy as dtype_policy, set_global_policy as set_dtype_policy  # noqa: F401


def backend():
    """The backend Keras runs on: ``'tensorflow'`` (tinytf implements TensorFlow's)."""
    return "tensorflow"


__all__ = ["backend", "dtype_policy", "epsilon", "floatx", "image_data_format", "set_dtype_policy"]
