"""``tf.keras``: layers, models, optimizers, losses, metrics, callbacks, datasets, utils, backend, ops, random."""
from . import activations, callbacks, initializers, layers, regularizers  # noqa: F401
from .layers import Input, Layer  # noqa: F401
from .models import Model, Sequential  # noqa: F401

_LAZY = ("optimizers", "losses", "metrics", "datasets", "models", "backend", "utils", "saving", "ops", "random",
         "preprocessing", "config", "applications", "mixed_precision")


def __getattr__(name):
    import importlib
    if name in _LAZY:
        mod = importlib.import_module(f"tinytf.keras.{name}")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'tinytf.keras' has no attribute {name!r}")
