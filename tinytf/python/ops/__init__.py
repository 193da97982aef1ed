"""``tensorflow.python.ops``: ``summary_ops_v2``."""
from . import summary_ops_v2  # noqa: F401
