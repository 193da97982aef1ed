"""Max / average pooling layers over ``tf.nn.max_pool2d`` / ``avg_pool2d`` (``max_pool3d`` /
``avg_pool3d`` for the 3-D ones), and global pooling."""
from ...ops import conv3d_ops, math_ops as M, nn_ops as N
from ...tensor import TensorShape
from .base import Layer, check_rank
from .conv_utils import (check_window_fits, normalize_data_format, normalize_padding,
                         normalize_tuple, output_size)


class _Pooling2D(Layer):
    _op = None
    rank = 2

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank + 2, _SHAPES[self.rank])

    def call(self, inputs):
        fmt = _FORMATS[self.rank][self.data_format != "channels_last"]
        return type(self)._op(inputs, self.pool_size, self.strides, self.padding.upper(), fmt)

    def compute_output_shape(self, input_shape):
        s = tuple(input_shape)
        hw = s[1:-1] if self.data_format == "channels_last" else s[2:]
        out = tuple(output_size(n, k, st, 1, self.padding.upper())
                    for n, k, st in zip(hw, self.pool_size, self.strides))
        check_window_fits(self, hw, out, self.pool_size)
        return TensorShape((s[0],) + out + (s[-1],) if self.data_format == "channels_last" else (s[0], s[1]) + out)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows (default 2x2, strides = pool_size, 'valid')."""
    _op = staticmethod(N.max_pool2d)


class AveragePooling2D(_Pooling2D):
    """Mean over ``pool_size`` windows; with 'same' padding, padded cells are not counted."""
    _op = staticmethod(N.avg_pool2d)


class MaxPooling3D(_Pooling2D):
    """Max over ``pool_size`` [d, h, w] windows of [batch, depth, height, width, channels] input."""
    rank = 3
    _op = staticmethod(conv3d_ops.max_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(MaxPooling3D):
    """Mean over ``pool_size`` [d, h, w] windows; with 'same' padding, padded cells are not counted."""
    _op = staticmethod(conv3d_ops.avg_pool3d)


class _GlobalPooling2D(Layer):
    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank + 2, _SHAPES[self.rank])

    def _axes(self):
        return tuple(range(1, self.rank + 1)) if self.data_format == "channels_last" else \
            tuple(range(2, self.rank + 2))

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


class GlobalAveragePooling3D(GlobalAveragePooling2D):
    rank = 3


class GlobalMaxPooling3D(GlobalMaxPooling2D):
    rank = 3


_SHAPES = {2: "[batch, height, width, channels]", 3: "[batch, depth, height, width, channels]"}
_FORMATS = {2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}

MaxPool2D, AvgPool2D, AveragePool2D = MaxPooling2D, AveragePooling2D, AveragePooling2D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
MaxPool3D, AvgPool3D, GlobalAvgPool3D, GlobalMaxPool3D = (MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D,
                                                          GlobalMaxPooling3D)
