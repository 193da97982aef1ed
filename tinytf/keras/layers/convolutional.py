"""Convolution layers (Keras 3 arguments and defaults) over the ``tf.nn`` conv ops:
``Conv2D``, ``Conv1D``, ``Conv3D``, ``Conv2DTranspose``, ``Conv3DTranspose``, ``DepthwiseConv2D``, ``SeparableConv2D``.

Weights as Keras: ``Conv2D`` kernel [kh, kw, in, filters]; ``Conv1D`` [k, in, filters];
``Conv2DTranspose`` [kh, kw, filters, in]; ``DepthwiseConv2D`` kernel [kh, kw, in, multiplier];
``SeparableConv2D`` depthwise_kernel [kh, kw, in, multiplier] and pointwise_kernel
[1, 1, in * multiplier, filters]; then the bias. Layouts channels_last (NHWC / NWC) or
channels_first.
"""
import numpy as np

from ...kernels.padding import transpose_output_size
from ...ops import array_ops as A, conv3d_ops, conv_ops, nn_ops as N
from ...tensor import TensorShape
from .. import activations, initializers as I, regularizers as R
from .base import Layer, check_rank
from .conv_utils import (check_window_fits, normalize_data_format, normalize_padding,
                         normalize_tuple, output_size)


def _positive_int(layer, value, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return int(value)


class _Conv(Layer):
    """Shared arguments and shape logic of the conv layers (``rank`` spatial axes)."""
    rank = 2
    _paddings = ("valid", "same")

    def __init__(self, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                 bias_initializer, bias_regularizer, **kwargs):
        super().__init__(**kwargs)
        cls, r = type(self).__name__, self.rank
        self.kernel_size = normalize_tuple(kernel_size, r, "kernel_size")
        self.strides = normalize_tuple(strides, r, "strides")
        if isinstance(padding, str) and padding.lower() in self._paddings:
            self.padding = padding.lower()
        else:
            self.padding = normalize_padding(padding)  # raises: 'valid' or 'same'
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, r, "dilation_rate")
        if max(self.dilation_rate) > 1 and max(self.strides) > 1:
            raise ValueError(f"{cls}: dilation_rate {self.dilation_rate} > 1 requires strides of 1, "
                             f"got strides {self.strides}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = I.get(bias_initializer)
        self.bias_regularizer = R.get(bias_regularizer)

    def _cl(self):
        return self.data_format == "channels_last"

    def _fmt(self):
        return {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}[self.rank][not self._cl()]

    def _channels(self, input_shape):
        check_rank(self, input_shape, self.rank + 2, {1: "[batch, steps, channels]",
                                                      2: "[batch, height, width, channels]",
                                                      3: "[batch, depth, height, width, channels]"}[self.rank])
        c = input_shape[-1 if self._cl() else 1]
        if c is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel axis of the input must be known, "
                             f"got {input_shape}")
        return c

    def _add_bias(self, n):
        self.bias = self.add_weight("bias", (n,), self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def _finish(self, y):
        if self.bias is not None:
            if self._cl() and activations.is_plain_relu(self.activation):
                return N.bias_add_relu(y, self.bias)
            y = N.bias_add(y, self.bias, self._fmt())
        return self.activation(y)

    def _spatial_out(self, hw):
        pad = self.padding.upper()
        out = tuple(output_size(n, k, st, d, pad if pad != "CAUSAL" else ((k - 1) * d, 0))
                    for n, k, st, d in zip(hw, self.kernel_size, self.strides, self.dilation_rate))
        check_window_fits(self, hw, out, self.kernel_size)
        return out

    def _out_channels(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        s = tuple(input_shape)
        hw = s[1:-1] if self._cl() else s[2:]
        out, c = self._spatial_out(hw), self._out_channels(s)
        return TensorShape((s[0],) + out + (c,) if self._cl() else (s[0], c) + out)

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": I.serialize(self.bias_initializer),
                "bias_regularizer": R.serialize(self.bias_regularizer)}


class Conv2D(_Conv):
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
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        self.filters = _positive_int(type(self).__name__, filters, "filters")
        self.groups = _positive_int(type(self).__name__, groups, "groups")
        if self.filters % self.groups:
            raise ValueError("The number of filters must be evenly divisible by the number of groups. Received: "
                             f"groups={self.groups}, filters={self.filters}.")
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.kernel_initializer = I.get(kernel_initializer)
        self.kernel_regularizer = R.get(kernel_regularizer)

    def build(self, input_shape):
        c = self._channels(input_shape)
        if c % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the number of groups. "
                             f"Received groups={self.groups}, but the input has {c} channels (full input shape "
                             f"is {tuple(input_shape)}).")
        self.kernel = self.add_weight("kernel", self.kernel_size + (c // self.groups, self.filters),
                                      self.kernel_initializer, regularizer=self.kernel_regularizer)
        self._add_bias(self.filters)

    def call(self, inputs):
        conv = lambda x, k: N.conv2d(x, k, self.strides, self.padding.upper(), self._fmt(),  # noqa: E731
                                     self.dilation_rate)
        if self.groups == 1:
            return self._finish(conv(inputs, self.kernel))
        # grouped: input channels and filters in `groups` equal consecutive slices, one conv each
        axis = -1 if self._cl() else 1
        xs = A.split(inputs, self.groups, axis=axis)
        ks = A.split(self.kernel, self.groups, axis=-1)
        return self._finish(A.concat([conv(x, k) for x, k in zip(xs, ks)], axis))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": I.serialize(self.kernel_initializer),
                "kernel_regularizer": R.serialize(self.kernel_regularizer)}


class Conv1D(Conv2D):
    """1-D convolution over [batch, steps, channels]: kernel [k, in_channels, filters].

    ``padding``: 'valid' (default), 'same' or 'causal' (zeros before the sequence only, so
    output t sees inputs <= t; output length ceil(steps / stride)).
    """
    rank = 1
    _paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        if isinstance(padding, str) and padding.lower() not in self._paddings:
            raise ValueError(f"Conv1D: padding must be 'valid', 'same' or 'causal' (any case), got {padding!r}")
        if kwargs.get("groups", 1) != 1:
            raise NotImplementedError("Conv1D: groups > 1 is not supported (Conv2D takes groups)")
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer, **kwargs)

    def call(self, inputs):
        pad = self.padding.upper()
        if pad == "CAUSAL":
            ke = (self.kernel_size[0] - 1) * self.dilation_rate[0] + 1
            pad = [[0, 0], [ke - 1, 0], [0, 0]] if self._cl() else [[0, 0], [0, 0], [ke - 1, 0]]
        return self._finish(conv_ops.conv1d(inputs, self.kernel, self.strides[0], pad, self._fmt(), self.dilation_rate[0]))


class Conv3D(Conv2D):
    """3-D convolution over [batch, depth, height, width, channels]: kernel [kd, kh, kw, in_channels,
    filters] (``tf.nn.conv3d``); 'valid' or 'same', strides or dilation_rate per axis."""
    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, **kwargs):
        if groups != 1:
            raise NotImplementedError("Conv3D: groups > 1 is not supported (Conv2D takes groups)")
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer, **kwargs)

    def call(self, inputs):
        return self._finish(conv3d_ops.conv3d(inputs, self.kernel, self.strides, self.padding.upper(), self._fmt(),
                                              self.dilation_rate))


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution (upsampling by ``strides``): kernel [kh, kw, filters, in_channels].

    Output size per axis (Keras 3): 'valid' ``(n - 1) * s + max(k, s)``, 'same' ``n * s``; with
    ``output_padding`` p (int or pair, None by default): 'valid' ``(n - 1) * s + k + p``,
    'same' ``(n - 1) * s + k % 2 + p`` (k dilated).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer, **kwargs)
        self.output_padding = None if output_padding is None else \
            normalize_tuple(output_padding, self.rank, "output_padding", minimum=0)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, c), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self._add_bias(self.filters)

    def _spatial_out(self, hw):
        pad = self.padding.upper()
        ops = self.output_padding or (None,) * self.rank
        out = tuple(transpose_output_size(n, k, st, d, pad, p)
                    for n, k, st, d, p in zip(hw, self.kernel_size, self.strides, self.dilation_rate, ops))
        back = tuple(output_size(o, k, st, d, pad)
                     for o, k, st, d in zip(out, self.kernel_size, self.strides, self.dilation_rate))
        if any(n is not None and b != n for n, b in zip(hw, back)):
            raise ValueError(f"{type(self).__name__} '{self.name}': output_padding {self.output_padding} does not fit "
                             f"strides {self.strides}, kernel_size {self.kernel_size} and padding '{self.padding}': "
                             f"the {tuple(hw)} input would give a {out} output, whose forward conv is {back}")
        return out

    def call(self, inputs):
        s = inputs.shape
        out = self.compute_output_shape(s)
        return self._finish(conv_ops.conv2d_transpose(inputs, self.kernel, list(out), self.strides, self.padding.upper(),
                                               self._fmt(), self.dilation_rate))

    def get_config(self):
        config = {**super().get_config(), "output_padding": self.output_padding}
        config.pop("groups")  # Keras's transposed convolutions have no groups
        return config


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution: kernel [kd, kh, kw, filters, in_channels] (``tf.nn.conv3d_transpose``);
    output sizes as ``Conv2DTranspose``'s, per axis."""
    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, **kwargs)

    def call(self, inputs):
        out = self.compute_output_shape(inputs.shape)
        return self._finish(conv3d_ops.conv3d_transpose(inputs, self.kernel, list(out), self.strides,
                                                        self.padding.upper(), self._fmt(), self.dilation_rate))


class DepthwiseConv2D(_Conv):
    """Each input channel convolved with its own ``depth_multiplier`` filters.

    Weights: kernel [kh, kw, in_channels, depth_multiplier] (``depthwise_initializer``), bias
    [in_channels * depth_multiplier]; output channel ``c * depth_multiplier + m``.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None, **kwargs):
        self.depth_multiplier = _positive_int(type(self).__name__, depth_multiplier, "depth_multiplier")
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.depthwise_initializer = I.get(depthwise_initializer)
        self.depthwise_regularizer = R.get(depthwise_regularizer)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (c, self.depth_multiplier),
                                      self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self._add_bias(c * self.depth_multiplier)

    def _out_channels(self, input_shape):
        c = input_shape[-1 if self._cl() else 1]
        return None if c is None else c * self.depth_multiplier

    def call(self, inputs):
        return self._finish(conv_ops.depthwise_conv2d(inputs, self.kernel, self.strides, self.padding.upper(),
                                               self._fmt(), self.dilation_rate))

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": I.serialize(self.depthwise_initializer),
                "depthwise_regularizer": R.serialize(self.depthwise_regularizer)}


class SeparableConv2D(_Conv):
    """Depthwise convolution then a 1x1 convolution to ``filters`` channels, then the bias.

    Weights: depthwise_kernel [kh, kw, in, depth_multiplier], pointwise_kernel
    [1, 1, in * depth_multiplier, filters], bias [filters].
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, **kwargs):
        name = type(self).__name__
        self.filters = _positive_int(name, filters, "filters")
        self.depth_multiplier = _positive_int(name, depth_multiplier, "depth_multiplier")
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.depthwise_initializer = I.get(depthwise_initializer)
        self.pointwise_initializer = I.get(pointwise_initializer)
        self.depthwise_regularizer = R.get(depthwise_regularizer)
        self.pointwise_regularizer = R.get(pointwise_regularizer)

    def build(self, input_shape):
        c = self._channels(input_shape)
        m = self.depth_multiplier
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self.kernel_size + (c, m),
                                                self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight("pointwise_kernel", (1, 1, c * m, self.filters),
                                                self.pointwise_initializer, regularizer=self.pointwise_regularizer)
        self._add_bias(self.filters)

    def call(self, inputs):
        return self._finish(conv_ops.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides,
                                               self.padding.upper(), self._fmt(), self.dilation_rate))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": I.serialize(self.depthwise_initializer),
                "pointwise_initializer": I.serialize(self.pointwise_initializer),
                "depthwise_regularizer": R.serialize(self.depthwise_regularizer),
                "pointwise_regularizer": R.serialize(self.pointwise_regularizer)}


Convolution2D, Convolution1D, Convolution2DTranspose = Conv2D, Conv1D, Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
Convolution3D, Convolution3DTranspose = Conv3D, Conv3DTranspose
