"""Activation functions by name (``activation='relu'``) or as callables."""
from ..ops import math_ops as M, nn_ops as N


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0 and max_value is None and threshold == 0:
        return N.relu(x)
    if max_value == 6 and negative_slope == 0 and threshold == 0:
        return N.relu6(x)
    from ..ops import array_ops as A
    x = A.identity(x)
    out = A.where(M.greater_equal(x, threshold), x,
                  M.multiply(M.subtract(x, threshold), negative_slope) if negative_slope else M.multiply(x, 0.0))
    if max_value is not None:
        out = M.minimum(out, max_value)
    return out


def softmax(x, axis=-1):
    out = N.softmax(x, axis)
    out._keras_logits = x  # as Keras 3: crossentropy losses score from the logits
    return out


def sigmoid(x):
    out = M.sigmoid(x)
    out._keras_logits = x
    return out


def log_softmax(x, axis=-1):
    return N.log_softmax(x, axis)


def leaky_relu(x, negative_slope=0.2):
    return N.leaky_relu(x, negative_slope)


tanh, softplus = M.tanh, M.softplus
relu6, elu, selu, softsign, silu = N.relu6, N.elu, N.selu, N.softsign, N.silu
swish = silu
exponential = M.exp

_BY_NAME = {f.__name__ if f is not swish else "swish": f for f in (
    linear, relu, softmax, log_softmax, leaky_relu, sigmoid, tanh, softplus, relu6, elu, selu, softsign,
    silu, exponential)}
_BY_NAME.update(swish=silu, silu=silu, exponential=M.exp)


def get(identifier):
    """A callable from None ('linear'), a name ('relu') or a callable (e.g. ``tf.nn.relu``)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]
    raise ValueError(f"unknown activation {identifier!r}; use a callable or one of {sorted(_BY_NAME)}")


def serialize(fn):
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", repr(fn))
