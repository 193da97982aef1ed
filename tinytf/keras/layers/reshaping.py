"""Spatial reshaping layers (Keras 3 arguments): ``UpSampling2D``, ``ZeroPadding2D``, ``Cropping2D``.

All work on 4-D input, channels_last [batch, height, width, channels] (default) or
channels_first; they have no weights, and their gradients come from the ops they are built of
(broadcast + reshape, pad, slice).
"""
from ...ops import array_ops as A
from ...tensor import TensorShape
from .base import Layer, check_rank
from .conv_utils import normalize_data_format, normalize_tuple

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


def _pairs(value, name):
    """int, (sym_h, sym_w) or ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (tuple, list)) for v in value):
        return tuple(normalize_tuple(v, 2, name, minimum=0) for v in value)
    try:
        h, w = normalize_tuple(value, 2, name, minimum=0)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an int, a tuple of 2 ints or a tuple of 2 tuples of 2 ints "
                         f"((top, bottom), (left, right)), got {value!r}") from None
    return (h, h), (w, w)


class _Spatial2D(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        check_rank(self, input_shape, 4, "[batch, height, width, channels]")

    def _hw_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def _map_hw(self, input_shape, fn):
        s = list(input_shape)
        for i, a in enumerate(self._hw_axes()):
            s[a] = None if s[a] is None else fn(i, s[a])
        return TensorShape(s)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class UpSampling2D(_Spatial2D):
    """Repeat rows ``size[0]`` times and columns ``size[1]`` times ('nearest'; the gradient sums
    each block), or resize by that factor with ``tf.image.resize`` ('bilinear', 'bicubic', 'area'),
    as Keras 3 does."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = normalize_tuple(size, 2, "size")
        if not isinstance(interpolation, str) or interpolation.lower() not in _INTERPOLATIONS:
            raise ValueError(f"UpSampling2D: interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}")
        self.interpolation = interpolation.lower()

    def call(self, inputs):
        (sh, sw), s = self.size, inputs.shape
        if self.interpolation != "nearest":
            from ... import image
            first = self.data_format == "channels_first"
            x = A.transpose(inputs, (0, 2, 3, 1)) if first else inputs
            x = image.resize(x, [x.shape[1] * sh, x.shape[2] * sw], method=self.interpolation)
            return A.transpose(x, (0, 3, 1, 2)) if first else x
        if self.data_format == "channels_last":
            n, h, w, c = s
            x = A.broadcast_to(A.reshape(inputs, (n, h, 1, w, 1, c)), (n, h, sh, w, sw, c))
            return A.reshape(x, (n, h * sh, w * sw, c))
        n, c, h, w = s
        x = A.broadcast_to(A.reshape(inputs, (n, c, h, 1, w, 1)), (n, c, h, sh, w, sw))
        return A.reshape(x, (n, c, h * sh, w * sw))

    def compute_output_shape(self, input_shape):
        return self._map_hw(input_shape, lambda i, n: n * self.size[i])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}


class ZeroPadding2D(_Spatial2D):
    """Zero rows above / below and columns left / right: ``padding`` an int, (h, w) or
    ((top, bottom), (left, right)), stored as the latter."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, "padding")

    def call(self, inputs):
        p = [[0, 0], list(self.padding[0]), list(self.padding[1])]
        return A.pad(inputs, p + [[0, 0]] if self.data_format == "channels_last" else [[0, 0]] + p)

    def compute_output_shape(self, input_shape):
        return self._map_hw(input_shape, lambda i, n: n + sum(self.padding[i]))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class Cropping2D(_Spatial2D):
    """Drop rows at the top / bottom and columns at the left / right: ``cropping`` an int,
    (h, w) or ((top, bottom), (left, right)), stored as the latter."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, "cropping")

    def build(self, input_shape):
        super().build(input_shape)
        self.compute_output_shape(input_shape)  # a crop larger than the input fails here

    def call(self, inputs):
        (t, b), (l, r) = self.cropping
        ha, wa = self._hw_axes()
        h, w = inputs.shape[ha], inputs.shape[wa]
        hs, ws = slice(t, h - b), slice(l, w - r)
        return inputs[:, hs, ws, :] if self.data_format == "channels_last" else inputs[:, :, hs, ws]

    def compute_output_shape(self, input_shape):
        def crop(i, n):
            if n - sum(self.cropping[i]) <= 0:
                raise ValueError(f"Cropping2D '{self.name}': cropping {self.cropping} removes all of the "
                                 f"{'height' if i == 0 else 'width'} {n} of the input {tuple(input_shape)}")
            return n - sum(self.cropping[i])
        return self._map_hw(input_shape, crop)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}
