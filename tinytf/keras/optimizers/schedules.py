"""Learning-rate schedules (``tf.keras.optimizers.schedules``), as in Keras 3.

A schedule is called with the optimizer's step counter (its ``iterations`` before the update,
so the first update uses ``schedule(0)``) and returns a float32 scalar ``Tensor``. The step may
be a ``Tensor``/``Variable``, a NumPy value or a Python number. Arithmetic follows Keras's
float32 formulas.
"""
import math

import numpy as np

from ...tensor import Tensor

_F32 = np.float32


def _value(x):
    """A NumPy array from a tensor, array or Python number (ints stay ints)."""
    return np.asarray(x)


def _f32(x):
    return _value(x).astype(_F32)


def _out(v):
    return Tensor(np.asarray(v, dtype=_F32))


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` in order "
            "to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} {self.get_config()}>"


def _check_decay_steps(value, arg="decay_steps"):
    if value <= 0:
        raise ValueError(f"Argument `{arg}` must be > 0. Received: {arg}={value}")


class _RateDecay(LearningRateSchedule):
    """Shared arguments of ExponentialDecay and InverseTimeDecay."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__
        _check_decay_steps(decay_steps)

    def _progress(self, step):
        p = _f32(step) / _F32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent floored when
    ``staircase``)."""

    def __call__(self, step):
        p = self._progress(step)
        return _out(_f32(self.initial_learning_rate) * np.power(_F32(self.decay_rate), p))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                f"{len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        s = _value(step)
        if s.dtype.kind == "f":
            bounds = [float(_value(b)) for b in self.boundaries]
        else:  # Keras casts the boundaries to the step's (integer) dtype
            bounds = [int(_value(b)) for b in self.boundaries]
        vals = [_f32(v) for v in self.values]
        if s <= bounds[0]:
            return _out(vals[0])
        if s > bounds[-1]:
            return _out(vals[-1])
        for low, high, v in zip(bounds[:-1], bounds[1:], vals[1:-1]):
            if low < s <= high:
                return _out(v)
        return _out(0.0)  # NaN step: Keras's sum of range indicators is 0 too

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end`` (step clipped at
    ``decay_steps``, or ``decay_steps`` stretched to the next multiple when ``cycle``)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        lr0 = _f32(self.initial_learning_rate)
        end = _F32(self.end_learning_rate)
        s = _f32(step)
        ds = _F32(self.decay_steps)
        if self.cycle:
            mult = _F32(1.0) if s == 0 else np.ceil(s / ds)
            ds = ds * mult
        else:
            s = np.minimum(s, ds)
        p = s / ds
        return _out((lr0 - end) * np.power(_F32(1) - p, _F32(self.power)) + end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored when
    ``staircase``)."""

    def __call__(self, step):
        p = self._progress(step)
        return _out(_f32(self.initial_learning_rate) / (_F32(1) + _F32(self.decay_rate) * p))


class CosineDecay(LearningRateSchedule):
    """Cosine decay, with an optional linear warmup.

    Without ``warmup_target``: ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps)
    / decay_steps)) + alpha)``. With it: a linear ramp from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps``, then the cosine decay from ``warmup_target``.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _decay(self, step, decay_steps, decay_from):
        frac = step / decay_steps
        cosine = _F32(0.5) * (_F32(1.0) + np.cos(_F32(math.pi) * frac))
        decayed = _F32(1 - self.alpha) * cosine + _F32(self.alpha)
        return decay_from * decayed

    def __call__(self, step):
        lr0 = _f32(self.initial_learning_rate)
        ds = _F32(self.decay_steps)
        s = _f32(step)
        if self.warmup_target is None:
            return _out(self._decay(np.minimum(s, ds), ds, lr0))
        target = _F32(self.warmup_target)
        ws = _F32(self.warmup_steps)
        s = np.minimum(s, ds + ws)
        if s < ws:
            return _out((target - lr0) * (s / ws) + lr0)
        return _out(self._decay(s - ws, ds, target))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


_ALL = {c.__name__: c for c in (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay,
                                PolynomialDecay, InverseTimeDecay, CosineDecay)}


def serialize(learning_rate_schedule):
    """``{'module', 'class_name', 'config', 'registered_name'}``, as Keras writes it."""
    return {"module": "keras.optimizers.schedules",
            "class_name": learning_rate_schedule.__class__.__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A schedule from ``serialize``'s dict (``custom_objects`` maps extra class names)."""
    if isinstance(config, LearningRateSchedule):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret learning rate schedule config: {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _ALL.get(name)
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Known schedules: "
                         f"{', '.join(sorted(_ALL))}")
    return cls.from_config(dict(config.get("config", {})))


__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "serialize", "deserialize"]
