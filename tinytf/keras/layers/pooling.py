"""Max / average pooling layers over ``tf.nn.max_pool2d`` / ``avg_pool2d``, and global pooling."""
from ...ops import math_ops as M, nn_ops as N
from ...tensor import TensorShape
from .base import Layer, check_rank
from .conv_utils import (check_window_fits, normalize_data_format, normalize_padding,
                         normalize_tuple, output_size)


class _Pooling2D(Layer):
    _op = None

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        check_rank(self, input_shape, 4, "[batch, height, width, channels]")

    def call(self, inputs):
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        return type(self)._op(inputs, self.pool_size, self.strides, self.padding.upper(), fmt)

    def compute_output_shape(self, input_shape):
        s = tuple(input_shape)
        hw = s[1:3] if self.data_format == "channels_last" else s[2:4]
        out = tuple(output_size(n, k, st, 1, self.padding.upper())
                    for n, k, st in zip(hw, self.pool_size, self.strides))
        check_window_fits(self, hw, out, self.pool_size)
        return TensorShape((s[0],) + out + (s[3],) if self.data_format == "channels_last" else (s[0], s[1]) + out)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows (default 2x2, strides = pool_size, 'valid')."""
    _op = staticmethod(N.max_pool2d)


class AveragePooling2D(_Pooling2D):
    """Mean over ``pool_size`` windows; with 'same' padding, padded cells are not counted."""
    _op = staticmethod(N.avg_pool2d)


class _GlobalPooling2D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_rank(self, input_shape, 4, "[batch, height, width, channels]")

    def _axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        if self.keepdims:
            for a in self._axes():
                s[a] = 1
            return TensorShape(s)
        return TensorShape([d for i, d in enumerate(s) if i not in self._axes()])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling2D):
    def call(self, inputs):
        return M.reduce_mean(inputs, self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling2D):
    def call(self, inputs):
        return M.reduce_max(inputs, self._axes(), keepdims=self.keepdims)


MaxPool2D, AvgPool2D, AveragePool2D = MaxPooling2D, AveragePooling2D, AveragePooling2D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
