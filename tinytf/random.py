"""``tf.random``: seeded random tensors, stateless (seed-pair) ops and ``tf.random.Generator``."""
import types as _types

from .backend import set_seed  # noqa: F401
from .ops.random_ops import categorical, gamma, normal, shuffle, truncated_normal, uniform  # noqa: F401
from .ops.stateless_ops import (  # noqa: F401
    Generator, get_global_generator, set_global_generator, stateless_normal, stateless_truncated_normal,
    stateless_uniform)
from .ops.stateless_ops import stateless_split as _stateless_split
from .ops.stateless_ops import stateless_split as split  # noqa: F401 (tf.random.split, TF 2.16+)

experimental = _types.SimpleNamespace(
    Generator=Generator, get_global_generator=get_global_generator, set_global_generator=set_global_generator,
    stateless_split=_stateless_split)
