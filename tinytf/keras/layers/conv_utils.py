"""Keras-argument helpers shared by the conv and pooling layers (as Keras's ``conv_utils``):
``kernel_size`` / ``strides`` / ``pool_size`` tuples, ``padding`` and ``data_format`` strings,
and the check that a window fits its input. The window arithmetic itself is
:mod:`tinytf.kernels.padding`'s."""
from ...kernels.padding import normalize_tuple, output_size  # noqa: F401 - layers take them from here

__all__ = ["check_window_fits", "normalize_data_format", "normalize_padding", "normalize_tuple",
           "output_size"]


def normalize_padding(padding):
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same' (any case), got {padding!r}")
    return padding.lower()


def normalize_data_format(data_format):
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return data_format


def check_window_fits(layer, in_hw, out_hw, window):
    """Keras refuses a window larger than its (padded) input: an empty output is a ValueError."""
    if any(o is not None and o <= 0 for o in out_hw):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': the {tuple(window)} window does not fit the "
                         f"{tuple(in_hw)} input with padding '{layer.padding}' (the output would be {tuple(out_hw)})")
