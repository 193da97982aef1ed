"""Optimizers (``tf.keras.optimizers``): SGD, Adam, AdamW, RMSprop, Nadam, Adagrad, Adadelta,
Adamax, Ftrl and Lion, as in Keras 3.

One module per optimizer over ``base_optimizer.Optimizer`` (which states the conventions);
this package re-exports them with ``serialize`` / ``deserialize`` / ``get``.
"""
from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base_optimizer import Optimizer
from .ftrl import Ftrl
from .lion import Lion
from .nadam import Nadam
from .rmsprop import RMSprop
from .schedules import LearningRateSchedule  # was importable from here before the split
from .sgd import SGD

_ALL = {c.__name__.lower(): c for c in (SGD, Adam, AdamW, RMSprop, Nadam, Adagrad, Adadelta,
                                          Adamax, Ftrl, Lion)}


def serialize(optimizer):
    return {"module": "keras.optimizers", "class_name": optimizer.__class__.__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """An optimizer from ``{'class_name': ..., 'config': {...}}`` (class name case-insensitive)."""
    name = config.get("class_name") if isinstance(config, dict) else None
    if not isinstance(name, str):
        raise ValueError(f"Could not interpret optimizer config: {config!r}")
    cls = (custom_objects or {}).get(name) or _ALL.get(name.lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name!r}. Known optimizers: "
                         f"{', '.join(sorted(_ALL))}")
    return cls.from_config(dict(config.get("config", {})), custom_objects)


def get(identifier):
    """An optimizer from a name ('adam', 'sgd', 'nadam', 'ftrl', ...; any case, default arguments), a
    config dict, or an instance (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALL.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Known optimizers: "
                             f"{', '.join(sorted(_ALL))}")
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Nadam", "Adagrad", "Adadelta", "Adamax",
           "Ftrl", "Lion", "schedules", "get", "serialize", "deserialize"]
