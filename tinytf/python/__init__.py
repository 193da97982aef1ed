"""``tensorflow.python``: TensorFlow's internal package, of which programs use two modules:
``from tensorflow.python.client import device_lib`` and ``from tensorflow.python.ops import
summary_ops_v2``."""
from . import client, ops  # noqa: F401
