"""``tf.random``: seeded random tensors."""
from .backend import set_seed  # noqa: F401
from .ops.random_ops import categorical, gamma, normal, shuffle, truncated_normal, uniform  # noqa: F401
