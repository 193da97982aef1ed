"""``tf.custom_gradient``: a function that computes its value with tinytf ops and gives its own
gradient rule (``y, grad_fn = f(*args)``; ``grad_fn(upstream)`` returns one gradient per argument).

The ops inside ``f`` are not recorded on the active tapes (as TensorFlow, the gradient is
``grad_fn``'s alone); the call is recorded as one op on its tensor arguments. ``grad_fn`` is
called with Tensors and written in tinytf ops, so an outer tape records it (second order).
Functions that read variables not passed as arguments (``grad_fn(upstream, variables=...)``)
are not supported.
"""
import functools
import inspect

import numpy as np

from . import tape as _tape
from .errors import UnimplementedError
from .ops.core import as_tensor
from .tensor import Tensor


def custom_gradient(f=None):
    """Decorator: ``@tf.custom_gradient`` over ``def f(x, ...): ...; return y, grad_fn``."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        args = tuple(a if isinstance(a, Tensor) else as_tensor(a) for a in args)
        paused = [t for t in _tape._active if t._recording]
        for t in paused:
            t._recording = False
        try:
            y, grad_fn = f(*args, **kwargs)
        finally:
            for t in paused:
                t._recording = True
        if "variables" in inspect.signature(grad_fn).parameters:
            raise UnimplementedError("tf.custom_gradient: a grad_fn taking `variables` is not supported by tinytf")
        y = as_tensor(y)

        def grads(upstream):
            out = grad_fn(upstream)
            out = tuple(out) if isinstance(out, (list, tuple)) else (out,)
            if len(out) != len(args):
                raise ValueError(f"tf.custom_gradient: {f.__name__}'s grad_fn returned {len(out)} gradients for "
                                 f"{len(args)} arguments")
            return out

        def backward(g, values, out, wanted):
            return tuple(None if d is None else np.asarray(as_tensor(d)._v) for d in grads(Tensor(g)))

        def higher(g, inputs, out, wanted):
            return tuple(None if d is None else as_tensor(d) for d in grads(g))
        return _tape.record(f"CustomGradient_{f.__name__}", y._v, args, backward, higher)
    return decorated
