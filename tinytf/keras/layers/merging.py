"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, and their
functional forms (``layers.add([a, b])``), on eager tensors and on KerasTensors alike.

Elementwise merges take a list of tensors [batch, ...] whose shapes broadcast; an input of lower
rank gets axes of size 1 inserted after the batch axis first (Keras 3: ``[b, 4]`` with
``[b, 3, 4]`` is ``[b, 1, 4]``). They fold left to right with one binary op each, as Keras.
"""
import numpy as np

from ...ops import array_ops as A, math_ops as M
from ...tensor import TensorShape
from .base import Layer


def _broadcast_dims(layer, shapes):
    """The broadcast shape of ``shapes`` (None for unknown), without the batch axis."""
    out = ()
    for s in shapes:
        a, b = (out, s) if len(out) >= len(s) else (s, out)
        tail = []
        for i, j in zip(a[len(a) - len(b):], b):
            if i is None or j is None:
                tail.append(None)
            elif i == 1 or j == 1:
                tail.append(i * j)
            elif i != j:
                raise ValueError(f"{type(layer).__name__} '{layer.name}': inputs have incompatible shapes "
                                 f"{[tuple(s) for s in shapes]}")
            else:
                tail.append(i)
        out = tuple(a[:len(a) - len(b)]) + tuple(tail)
    return out


class _Merge(Layer):
    """Base of the elementwise merges: checks the list of inputs, aligns ranks, folds."""
    _min_inputs, _max_inputs = 1, None

    def _check_shapes(self, input_shape):
        kind = type(self).__name__
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"{kind} '{self.name}' must be called on a list of tensors, got a single "
                             f"input of shape {input_shape}")
        n = len(input_shape)
        if n < self._min_inputs or (self._max_inputs is not None and n > self._max_inputs):
            want = self._min_inputs if self._max_inputs == self._min_inputs else f"at least {self._min_inputs}"
            raise ValueError(f"{kind} '{self.name}' must be called on {want} inputs, got {n}")
        batches = {s[0] for s in input_shape if len(s)} - {None}
        if len(batches) > 1:
            raise ValueError(f"{kind} '{self.name}': inputs have different batch sizes: "
                             f"{[tuple(s) for s in input_shape]}")
        return batches

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        batches = self._check_shapes(input_shape)
        dims = _broadcast_dims(self, [tuple(s)[1:] for s in input_shape])
        return TensorShape((batches.pop() if batches else None,) + dims)

    def call(self, inputs):
        self._check_shapes([tuple(t.shape) for t in inputs] if isinstance(inputs, list) else inputs.shape)
        rank = max(t.ndim for t in inputs)
        xs = [A.reshape(t, (t.shape[0],) + (1,) * (rank - t.ndim) + tuple(t.shape[1:])) if t.ndim < rank else t
              for t in inputs]
        out = xs[0]
        for t in xs[1:]:
            out = self._op(out, t)
        return out

    _op = None


class Add(_Merge):
    """Elementwise sum of a list of tensors."""
    _op = staticmethod(M.add)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""
    _min_inputs = _max_inputs = 2
    _op = staticmethod(M.subtract)


class Multiply(_Merge):
    """Elementwise product of a list of tensors."""
    _op = staticmethod(M.multiply)


class Average(_Merge):
    """Elementwise mean of a list of tensors (their sum divided by their number)."""
    _op = staticmethod(M.add)

    def call(self, inputs):
        return M.divide(super().call(inputs), float(len(inputs)))


class Maximum(_Merge):
    """Elementwise maximum; on ties the gradient goes to the earlier input."""
    _op = staticmethod(M.maximum)


class Minimum(_Merge):
    """Elementwise minimum; on ties the gradient goes to the earlier input."""
    _op = staticmethod(M.minimum)


class Concatenate(_Merge):
    """Concatenate a list of tensors along ``axis`` (-1); the other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise TypeError(f"Concatenate: axis must be an int, got {axis!r}")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        shapes = [list(s) for s in input_shape]
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(f"Concatenate '{self.name}': axis {self.axis} needs inputs of one rank that "
                             f"includes it, got shapes {[tuple(s) for s in shapes]}")
        ax = self.axis % rank
        out = []
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == ax:
                out.append(None if None in dims else sum(dims))
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ValueError(f"Concatenate '{self.name}' needs inputs with matching shapes except on the "
                                 f"concatenation axis {self.axis}, got {[tuple(s) for s in shapes]}")
            out.append(known.pop() if known else None)
        return TensorShape(out)

    def call(self, inputs):
        self.compute_output_shape([tuple(t.shape) for t in inputs])
        return A.concat(inputs, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two tensors along ``axes``, per sample (Keras ``batch_dot``).

    Args:
        axes: an int (the same axis of both inputs) or a pair ``(axis of x, axis of y)``; never 0.
        normalize: L2-normalise both along their axis first (the result is a cosine similarity).

    Shapes: x [b, ...] and y [b, ...] -> x's axes without ``axes[0]`` followed by y's axes without
    the batch and ``axes[1]``; [b, n] with [b, n] gives [b, 1].
    """
    _min_inputs = _max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        is_int = lambda a: isinstance(a, (int, np.integer)) and not isinstance(a, bool)  # noqa: E731
        if not (is_int(axes) or isinstance(axes, (list, tuple)) and len(axes) == 2 and all(map(is_int, axes))):
            raise TypeError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        self.axes = int(axes) if is_int(axes) else [int(a) for a in axes]
        self.normalize = bool(normalize)

    def _axes(self, shapes):
        axes = [self.axes] * 2 if isinstance(self.axes, int) else self.axes
        out = []
        for a, s in zip(axes, shapes):
            if len(s) < 2 or not -len(s) <= a < len(s) or a % len(s) == 0:
                raise ValueError(f"Dot '{self.name}': axes {self.axes} must name a non-batch axis of inputs "
                                 f"of rank >= 2, got shapes {[tuple(s) for s in shapes]}")
            out.append(a % len(s))
        d1, d2 = shapes[0][out[0]], shapes[1][out[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Dot '{self.name}': axis {out[0]} of x ({d1}) and axis {out[1]} of y ({d2}) "
                             f"differ; shapes {[tuple(s) for s in shapes]}")
        return out

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        a0, a1 = self._axes(input_shape)
        s1 = [d for i, d in enumerate(input_shape[0]) if i != a0]
        s2 = [d for i, d in enumerate(input_shape[1]) if i not in (0, a1)]
        return TensorShape(s1 + s2 if len(s1 + s2) > 1 else s1 + [1])

    def call(self, inputs):
        x, y = inputs
        shape = self.compute_output_shape([tuple(x.shape), tuple(y.shape)])
        a0, a1 = self._axes([tuple(x.shape), tuple(y.shape)])
        if self.normalize:
            x, y = _l2_normalize(x, a0), _l2_normalize(y, a1)
        n = x.shape[a0]
        # [b, rest of x, n] @ [b, n, rest of y]: one batched GEMM, as Keras's batch_dot.
        xp = A.transpose(x, [i for i in range(x.ndim) if i != a0] + [a0])
        yp = A.transpose(y, [0, a1] + [i for i in range(1, y.ndim) if i != a1])
        out = M.matmul(A.reshape(xp, (x.shape[0], -1, n)), A.reshape(yp, (y.shape[0], n, -1)))
        return A.reshape(out, (x.shape[0],) + tuple(shape[1:]))

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    """Keras's ``normalize``: ``x * min(rsqrt(sum(x**2)), 1 / 1e-7)`` along ``axis``."""
    return M.multiply(x, M.minimum(M.rsqrt(M.reduce_sum(M.square(x), axis, keepdims=True)), 1.0 / 1e-7))


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
