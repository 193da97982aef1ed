"""Argument checks shared by the optimizers added after the split (clear errors naming the argument)."""
from .base_optimizer import is_number


def check_number(name, value, low=None, high=None):
    """``value`` if it is a real number within ``[low, high]``; else TypeError / ValueError naming it."""
    if not is_number(value):
        raise TypeError(f"Argument `{name}` must be a float. Received: {name}={value!r}")
    if low is not None and value < low:
        raise ValueError(f"Argument `{name}` must be >= {low}. Received: {name}={value!r}")
    if high is not None and value > high:
        raise ValueError(f"Argument `{name}` must be <= {high}. Received: {name}={value!r}")
    return value
