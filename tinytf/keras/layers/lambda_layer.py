"""``Lambda``: wrap a function of tensors as a layer."""
import inspect

import numpy as np

from ...tensor import Tensor, TensorShape
from .base import Layer


class Lambda(Layer):
    """``function(inputs, **arguments)`` as a layer (no weights).

    Args:
        function: a callable of one tensor, or of a list of tensors for a list of inputs. If it
            takes ``training`` (or ``mask``) arguments, they are passed.
        output_shape: the output shape without the batch axis (a tuple), or a callable from the
            input shape to the full output shape; by default it is found by running ``function``
            on zeros (unknown dims tried at two sizes: those that follow are None).
        arguments: optional dict of keyword arguments for ``function``.

    ``get_config`` raises: a Python function cannot be serialised safely (Keras's ``safe_mode``).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        if output_shape is not None and not callable(output_shape) and not isinstance(output_shape, (tuple, list)):
            raise TypeError(f"Lambda: output_shape must be a tuple, a callable or None, got {output_shape!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Lambda: arguments must be a dict or None, got {arguments!r}")
        self.function, self.mask, self.arguments = function, mask, dict(arguments or {})
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            params = {}
        self._fn_training, self._fn_mask = "training" in params, "mask" in params

    def call(self, inputs, training=False):
        kwargs = dict(self.arguments)
        if self._fn_training:
            kwargs["training"] = training
        if self._fn_mask:
            kwargs["mask"] = None
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        multi = isinstance(input_shape, list) and all(isinstance(s, (tuple, list)) for s in input_shape)
        shapes = [tuple(s) for s in input_shape] if multi else [tuple(input_shape)]
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        if self._output_shape is not None:
            return TensorShape((shapes[0][0] if shapes[0] else None,) + tuple(self._output_shape))
        # Run the function twice, unknown dims (the batch...) at 2 then 3: dims that change are None.
        outs = []
        for probe in (2, 3):
            zeros = [Tensor(np.zeros([probe if d is None else d for d in s], self.dtype)) for s in shapes]
            try:
                out = self.call(zeros if multi else zeros[0])
            except Exception as e:
                raise ValueError(f"Lambda '{self.name}': could not infer the output shape by calling the "
                                 f"function on zeros of shape(s) {shapes} ({type(e).__name__}: {e}); "
                                 f"pass output_shape=") from e
            outs.append(tuple(out.shape))
            if all(None not in s for s in shapes):
                break
        a, b = outs[0], outs[-1]
        if len(a) != len(b):
            raise ValueError(f"Lambda '{self.name}': the output rank depends on the input size; pass output_shape=")
        return TensorShape(d if d == e else None for d, e in zip(a, b))

    def get_config(self):
        raise NotImplementedError(
            f"Lambda '{self.name}': get_config cannot serialize the Python function "
            f"{getattr(self.function, '__name__', self.function)!r}; rebuild the layer in code, or write a "
            f"Layer subclass with its own get_config")
