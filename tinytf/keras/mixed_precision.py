"""``keras.mixed_precision``: ``Policy``, ``set_global_policy``, ``global_policy`` (and Keras 2's
``experimental.set_policy``).

tinytf computes in float32 only. A policy is recorded and reported as Keras reports it
(``global_policy().name == 'mixed_float16'``, ``compute_dtype == 'float16'``), so programs that
read it run unchanged; but layers keep float32 weights and compute in float32 (more precise,
not faster), and ``set_global_policy`` warns once that it does so. ``'float32'`` is exact.
"""
import warnings

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_NAMES = _FLOATS + ("mixed_float16", "mixed_bfloat16")


class Policy:
    """A dtype policy: ``name`` one of 'float32', 'mixed_float16', 'mixed_bfloat16', 'float16',
    'bfloat16', 'float64'; ``compute_dtype`` and ``variable_dtype`` as Keras names them."""

    def __init__(self, name):
        if not isinstance(name, str) or name not in _NAMES:
            raise ValueError(f"Cannot convert '{name}' to a mixed precision Policy. Valid policies include "
                             f"'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as "
                             f"'float32'.")
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._name[len("mixed_"):] if self._name.startswith("mixed_") else self._name

    @property
    def variable_dtype(self):
        return "float32" if self._name.startswith("mixed_") else self._name

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


DTypePolicy = Policy
_global = None
_warned = False


def set_global_policy(policy):
    """Set the policy that ``global_policy()`` returns (a ``Policy``, a name, or None for 'float32').
    tinytf keeps computing in float32 whatever the policy (a warning says so once)."""
    global _global, _warned
    p = Policy("float32") if policy is None else policy if isinstance(policy, Policy) else Policy(policy)
    if p.compute_dtype != "float32" and not _warned:
        warnings.warn(f"set_global_policy('{p.name}'): tinytf computes in float32 only; the policy is recorded "
                      f"(global_policy() returns it) but layers keep float32 weights and computations",
                      UserWarning, stacklevel=2)
        _warned = True
    _global = p


def global_policy():
    """The policy set with ``set_global_policy``; 'float32' (``floatx()``) by default."""
    return _global if _global is not None else Policy("float32")


def dtype_name(dtype):
    """The numpy dtype name a layer's ``dtype=`` argument gives in tinytf: a policy (object or
    name) gives its variable dtype; anything else is returned as given."""
    if isinstance(dtype, Policy):
        return dtype.variable_dtype
    if isinstance(dtype, str) and dtype.startswith("mixed_") and dtype in _NAMES:
        return "float32"
    return getattr(dtype, "name", dtype)


class experimental:  # noqa: N801 - Keras 2's tf.keras.mixed_precision.experimental namespace
    Policy = Policy
    set_policy = staticmethod(set_global_policy)
    global_policy = staticmethod(global_policy)
