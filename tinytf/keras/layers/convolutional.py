"""``Conv2D``: a layer over ``tf.nn.conv2d``."""
import numpy as np

from ...ops import nn_ops as N
from ...tensor import TensorShape
from .. import activations, initializers as I, regularizers as R
from .base import Layer, check_rank
from .conv_utils import (check_window_fits, normalize_data_format, normalize_padding,
                         normalize_tuple, output_size)


class Conv2D(Layer):
    """2-D convolution layer: ``activation(conv2d(x, kernel) + bias)``.

    Args:
        filters: number of output channels.
        kernel_size: int or (kh, kw). strides: int or (sh, sw), default 1.
        padding: 'valid' (default) or 'same', any case.
        dilation_rate: int or (dh, dw); > 1 requires strides of 1.
        kernel: [kh, kw, in_channels, filters] (``glorot_uniform``), bias [filters] (zeros).

    Example::

        layers.Conv2D(4, kernel_size=3, strides=1, padding='SAME')   # [b,5,5,3] -> [b,5,5,4]
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"Conv2D: filters must be a positive int, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")
        if max(self.dilation_rate) > 1 and max(self.strides) > 1:
            raise ValueError(f"Conv2D: dilation_rate {self.dilation_rate} > 1 requires strides of 1, "
                             f"got strides {self.strides}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = I.get(kernel_initializer)
        self.bias_initializer = I.get(bias_initializer)
        self.kernel_regularizer = R.get(kernel_regularizer)
        self.bias_regularizer = R.get(bias_regularizer)

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        check_rank(self, input_shape, 4, "[batch, height, width, channels]")
        c = input_shape[self._channel_axis()]
        if c is None:
            raise ValueError(f"Conv2D '{self.name}': the channel axis of the input must be known, got {input_shape}")
        self.kernel = self.add_weight("kernel", self.kernel_size + (c, self.filters), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def call(self, inputs):
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        y = N.conv2d(inputs, self.kernel, self.strides, self.padding.upper(), fmt, self.dilation_rate)
        if self.bias is not None:
            y = N.bias_add(y, self.bias, fmt)
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        s = tuple(input_shape)
        hw = s[1:3] if self.data_format == "channels_last" else s[2:4]
        out = tuple(output_size(n, k, st, d, self.padding.upper())
                    for n, k, st, d in zip(hw, self.kernel_size, self.strides, self.dilation_rate))
        check_window_fits(self, hw, out, self.kernel_size)
        if self.data_format == "channels_last":
            return TensorShape((s[0],) + out + (self.filters,))
        return TensorShape((s[0], self.filters) + out)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": I.serialize(self.kernel_initializer),
                "bias_initializer": I.serialize(self.bias_initializer),
                "kernel_regularizer": R.serialize(self.kernel_regularizer),
                "bias_regularizer": R.serialize(self.bias_regularizer)}


Convolution2D = Conv2D
