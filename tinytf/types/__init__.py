"""``tf.types``: the abstract types of TensorFlow's public API."""
from . import experimental  # noqa: F401
