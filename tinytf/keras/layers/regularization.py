"""``SpatialDropout2D`` / ``SpatialDropout3D``: dropout of whole feature maps."""
import numbers

import numpy as np

from ...ops import nn_ops as N
from .base import Layer, check_rank
from .conv_utils import normalize_data_format


class SpatialDropout2D(Layer):
    """In training, zero whole channels of each sample with probability ``rate`` and scale the
    others by 1 / (1 - rate); the identity otherwise (``training=False`` or ``None``).

    Args:
        rate: float in [0, 1). data_format: 'channels_last' (default) or 'channels_first'.
        seed: int or None; with a seed, repeated calls draw a repeatable sequence of masks.

    Shapes: [batch, h, w, c] (or [batch, c, h, w]) -> the same.
    """
    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"{type(self).__name__}: rate must be a number in [0, 1), got {rate!r}")
        if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
            raise TypeError(f"{type(self).__name__}: seed must be an int or None, got {seed!r}")
        self.rate, self.seed = float(rate), seed
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        axes = "depth, height, width" if self.rank == 3 else "height, width"
        check_rank(self, input_shape, self.rank + 2, f"[batch, {axes}, channels]"
                   if self.data_format == "channels_last" else f"[batch, channels, {axes}]")

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        s = tuple(inputs.shape)
        ones = (1,) * self.rank
        noise = (s[0],) + ones + (s[-1],) if self.data_format == "channels_last" else (s[0], s[1]) + ones
        return N.dropout(inputs, self.rate, noise, self.seed)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "data_format": self.data_format, "seed": self.seed}


class SpatialDropout3D(SpatialDropout2D):
    """``SpatialDropout2D`` over [batch, depth, height, width, channels] (or channels first)."""
    rank = 3
