"""3-D spatial reshaping layers (Keras 3 arguments): ``UpSampling3D``, ``ZeroPadding3D``,
``Cropping3D`` over [batch, depth, height, width, channels] (channels_last, default) or
channels_first; no weights, gradients from the ops they are built of (broadcast + reshape, pad, slice).
"""
from ...ops import array_ops as A
from ...tensor import TensorShape
from .base import Layer, check_rank
from .conv_utils import normalize_data_format, normalize_tuple


def _triples(value, name):
    """int, or 3 entries each an int or a pair -> ((front, back), (top, bottom), (left, right))."""
    try:
        if isinstance(value, (tuple, list)) and len(value) == 3:
            return tuple(normalize_tuple(v, 2, name, minimum=0) for v in value)
        return tuple((v, v) for v in normalize_tuple(value, 3, name, minimum=0))
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` should be either an int, a tuple of 3 ints (symmetric_dim1_pad, "
                         f"symmetric_dim2_pad, symmetric_dim3_pad), or a tuple of 3 tuples of 2 ints. "
                         f"Received: {name}={value!r}") from None


class _Spatial3D(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        check_rank(self, input_shape, 5, "[batch, depth, height, width, channels]")

    def _axes(self):
        return (1, 2, 3) if self.data_format == "channels_last" else (2, 3, 4)

    def _map(self, input_shape, fn):
        s = list(input_shape)
        for i, a in enumerate(self._axes()):
            s[a] = None if s[a] is None else fn(i, s[a])
        return TensorShape(s)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class UpSampling3D(_Spatial3D):
    """Repeat each of depth, height and width ``size`` times (nearest; the gradient sums each block)."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = normalize_tuple(size, 3, "size")

    def call(self, inputs):
        s, axes = tuple(inputs.shape), self._axes()
        split, tiled = [], []
        for a, d in enumerate(s):
            if a in axes:
                k = self.size[axes.index(a)]
                split += [d, 1]
                tiled += [d, k]
            else:
                split.append(d)
                tiled.append(d)
        x = A.broadcast_to(A.reshape(inputs, split), tiled)
        return A.reshape(x, tuple(self.compute_output_shape(s)))

    def compute_output_shape(self, input_shape):
        return self._map(input_shape, lambda i, n: n * self.size[i])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class ZeroPadding3D(_Spatial3D):
    """Zeros before / after depth, height and width: ``padding`` an int, 3 ints or 3 pairs."""

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _triples(padding, "padding")

    def call(self, inputs):
        p = [list(q) for q in self.padding]
        return A.pad(inputs, [[0, 0]] + p + [[0, 0]] if self.data_format == "channels_last" else [[0, 0], [0, 0]] + p)

    def compute_output_shape(self, input_shape):
        return self._map(input_shape, lambda i, n: n + sum(self.padding[i]))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class Cropping3D(_Spatial3D):
    """Drop cells before / after depth, height and width: ``cropping`` an int, 3 ints or 3 pairs."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _triples(cropping, "cropping")

    def build(self, input_shape):
        super().build(input_shape)
        self.compute_output_shape(input_shape)  # a crop larger than the input fails here

    def call(self, inputs):
        key = [slice(None)] * 5
        for (a, b), axis in zip(self.cropping, self._axes()):
            key[axis] = slice(a, inputs.shape[axis] - b)
        return inputs[tuple(key)]

    def compute_output_shape(self, input_shape):
        def crop(i, n):
            if n - sum(self.cropping[i]) <= 0:
                raise ValueError(f"Cropping3D '{self.name}': cropping {self.cropping} removes all of axis {i + 1} "
                                 f"({n}) of the input {tuple(input_shape)}")
            return n - sum(self.cropping[i])
        return self._map(input_shape, crop)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}
