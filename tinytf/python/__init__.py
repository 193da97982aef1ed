"""``tensorflow.python``: TensorFlow's internal package, of which programs use one module:
``from tensorflow.python.client import device_lib``."""
from . import client  # noqa: F401
