"""Keras's default object names: the class name in snake_case, then ``_1``, ``_2``... per name."""
import re

_counts = {}


def snake_case(name):
    """``Conv2D`` -> ``conv2d``, ``MaxPooling2D`` -> ``max_pooling2d``, ``ReLU`` -> ``re_lu`` (Keras's rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``..."""
    n = _counts.get(base, 0)
    _counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def reset():
    """Default names start again (``keras.backend.clear_session``)."""
    _counts.clear()


def auto_name(class_name):
    return unique_name(snake_case(class_name))
