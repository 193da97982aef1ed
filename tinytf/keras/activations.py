"""Activation functions by name (``activation='relu'``) or as callables."""
from ..ops import array_ops as A, math_ops as M, nn_ops as N


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras 3's ``activations.relu``, op for op, so values and gradients at the kinks (``threshold``,
    ``max_value``) are TensorFlow's; the ``ReLU`` layer calls it."""
    slope, top, th = negative_slope, max_value, threshold
    if slope != 0 and top is None and th == 0:
        return N.leaky_relu(x, slope)
    negative = None
    if slope != 0:
        negative = N.relu(M.add(M.negative(x), th) if th != 0 else M.negative(x))
    clip = top is not None
    if th != 0:
        out = A.where(M.greater(x, th), x, 0.0)
    elif top == 6:
        out, clip = N.relu6(x), False
    else:
        out = N.relu(x)
    if clip:
        out = M.clip_by_value(out, 0.0, top)
    if negative is not None:
        out = M.subtract(out, M.multiply(slope, negative))
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


def gelu(x, approximate=False):
    """TensorFlow's ``tf.nn.gelu`` (erf form; ``approximate=True``: the tanh form)."""
    return N.gelu(x, approximate=approximate)


tanh, softplus = M.tanh, M.softplus
relu6, elu, selu, softsign, silu = N.relu6, N.elu, N.selu, N.softsign, N.silu
swish = silu
exponential = M.exp

_BY_NAME = {f.__name__ if f is not swish else "swish": f for f in (
    linear, relu, softmax, log_softmax, leaky_relu, sigmoid, tanh, softplus, relu6, elu, selu, softsign,
    silu, exponential, gelu)}
_BY_NAME.update(swish=silu, silu=silu, exponential=M.exp)


def is_plain_relu(fn):
    """True for ``relu`` with its defaults (``'relu'``, ``activations.relu``, ``tf.nn.relu``):
    layers then fuse it with their bias add (``tf.nn``'s internal ``bias_add_relu``)."""
    return fn is relu or fn is N.relu


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
