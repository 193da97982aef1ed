"""Layers over [batch, time, ...] sequences: ``Masking``, ``TimeDistributed``, 1-D global pooling.

A mask travels as Keras's does, on the output tensor's ``_keras_mask`` ([batch, time] bool): set by
``Masking`` and ``Embedding(mask_zero=True)``, kept by ``TimeDistributed``, read by the recurrent
layers and ``GlobalAveragePooling1D``."""
import numbers

import numpy as np

from ...ops import array_ops as A, math_ops as M
from ...ops.core import as_tensor
from ...tensor import Tensor, TensorShape
from .base import Layer, check_rank
from .conv_utils import normalize_data_format


def with_mask(out, mask):
    """``out`` carrying ``mask`` (a bool array or Tensor, or None) as its ``_keras_mask``."""
    if mask is not None:
        out._keras_mask = Tensor(np.asarray(as_tensor(mask)._v, bool))
    return out


class Masking(Layer):
    """Marks the time steps whose features all equal ``mask_value`` as masked (zeroes them), for
    the layers downstream that read masks. Example: ``layers.Masking(0.0)`` before an ``LSTM``."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError(f"Masking: mask_value must be a number, got {mask_value!r}")
        self.mask_value = mask_value

    def call(self, inputs):
        keep = M.reduce_any(M.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        out = inputs * M.cast(keep, inputs.dtype)
        out._keras_mask = A.squeeze(keep, -1)
        return out

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step: [batch, time, ...] folded to [batch * time, ...],
    one call, unfolded. Example: ``layers.TimeDistributed(layers.Dense(8))``."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        self.layer = layer

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {tuple(input_shape)}")
        self.layer._maybe_build((None,) + tuple(input_shape)[2:])

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape)[2:])
        return TensorShape(tuple(input_shape)[:2] + tuple(inner)[1:])

    def call(self, inputs, training=False):
        s = tuple(inputs.shape)
        flat = A.reshape(inputs, (s[0] * s[1],) + s[2:])
        out = self.layer(flat, training=training) if self.layer._call_has_training else self.layer(flat)
        out = A.reshape(out, s[:2] + tuple(out.shape)[1:])
        return with_mask(out, getattr(inputs, "_keras_mask", None))

    def get_config(self):
        from ..saving.serialization import serialize_keras_object  # (saving imports the layers)
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving.serialization import deserialize_layer
        config = dict(config)
        inner = config.pop("layer")
        return cls(inner if isinstance(inner, Layer) else deserialize_layer(inner, custom_objects), **config)


class _GlobalPooling1D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_rank(self, input_shape, 3, "[batch, steps, features]" if self.data_format == "channels_last"
                   else "[batch, features, steps]")

    def _axis(self):
        return 1 if self.data_format == "channels_last" else 2

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        if self.keepdims:
            s[self._axis()] = 1
            return TensorShape(s)
        return TensorShape(s[:self._axis()] + s[self._axis() + 1:])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Mean over the steps axis; with a mask (argument or the input's), over the unmasked steps."""

    def call(self, inputs, mask=None):
        if mask is None:
            mask = getattr(inputs, "_keras_mask", None)
        if mask is None:
            return M.reduce_mean(inputs, self._axis(), keepdims=self.keepdims)
        m = A.expand_dims(M.cast(as_tensor(mask), inputs.dtype), 2 if self.data_format == "channels_last" else 1)
        return (M.reduce_sum(inputs * m, self._axis(), keepdims=self.keepdims)
                / M.reduce_sum(m, self._axis(), keepdims=self.keepdims))


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Max over the steps axis."""

    def call(self, inputs):
        return M.reduce_max(inputs, self._axis(), keepdims=self.keepdims)


GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
