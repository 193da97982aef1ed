"""``keras.ops.image``: ``resize`` (with Keras's crop/pad to the target aspect ratio) over
``tf.image.resize``, and ``extract_patches`` over ``tf.image.extract_patches``."""
import numpy as np

from ... import image as _image
from ...ops import array_ops as A, math_ops as M
from .core import convert_to_tensor, symbolic
from .nn import _data_format, _padding, _tuple

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


def _aspect_box(size, target, grow):
    """Keras's float32 arithmetic for the crop (``grow=False``) or pad box: (start, extent) per axis."""
    (h, w), (th, tw) = size, target
    f32 = np.float32
    eh = int(f32(w * th) / f32(tw))
    ew = int(f32(h * tw) / f32(th))
    if grow:
        eh, ew = max(h, eh), max(w, ew)
        return (int(f32(eh - h) / f32(2)), eh), (int(f32(ew - w) / f32(2)), ew)
    eh, ew = max(min(h, eh), 1), max(min(w, ew), 1)
    return (int(f32(h - eh) / f32(2)), eh), (int(f32(w - ew) / f32(2)), ew)


@symbolic
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    fmt = _data_format(data_format)
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one {RESIZE_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is supported. "
                         f"Received: fill_mode={fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). Received: size={size}")
    x = convert_to_tensor(images)
    nd = x.ndim
    if nd not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={x.shape}")
    if fmt == "channels_first":
        x = A.transpose(x, (0, 2, 3, 1) if nd == 4 else (1, 2, 0))
    size = tuple(int(s) for s in size)
    hw = np.asarray(x).shape[-3:-1]
    lead = (slice(None),) * (nd - 3)
    if crop_to_aspect_ratio:
        (top, ch), (left, cw) = _aspect_box(hw, size, grow=False)
        x = A.getitem(x, lead + (slice(top, top + ch), slice(left, left + cw)))
    elif pad_to_aspect_ratio:
        (top, _), (left, _) = _aspect_box(hw, size, grow=True)
        pads = [[0, 0]] * (nd - 3) + [[top, top], [left, left], [0, 0]]
        x = A.pad(x, pads, constant_values=fill_value)
    out = _image.resize(x, size, method=interpolation, antialias=antialias)
    if fmt == "channels_first":
        out = A.transpose(out, (0, 3, 1, 2) if nd == 4 else (2, 0, 1))
    return out


@symbolic
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """2-D patches (``size`` an int or (rows, cols); 3-D volumes are not in tinytf) as channels in
    (row, column, channel) order; ``strides`` defaults to ``size`` (non-overlapping patches)."""
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"Invalid `size` argument. Expected an int or a tuple. Received: size={size} "
                            f"of type {type(size).__name__}")
        if len(size) != 2:
            raise ValueError(f"Invalid `size` argument. Expected a tuple of length 2 (tinytf has no 3-D "
                             f"patches). Received: size={size} with length {len(size)}")
    k = _tuple(size, 2, "size")
    s = k if not strides else _tuple(strides, 2, "strides")
    r = _tuple(dilation_rate, 2, "dilation_rate")
    fmt = _data_format(data_format)
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"extract_patches: images must be 3-D or 4-D, got shape {x.shape}")
    unbatched = x.ndim == 3
    if unbatched:
        x = A.expand_dims(x, 0)
    if fmt == "channels_first":
        x = A.transpose(x, (0, 2, 3, 1))
    out = _image.extract_patches(x, [1, *k, 1], [1, *s, 1], [1, *r, 1], _padding(padding))
    if fmt == "channels_first":
        out = A.transpose(out, (0, 3, 1, 2))
    return A.squeeze(out, 0) if unbatched else out


@symbolic
def rgb_to_grayscale(images, data_format=None):
    """``0.2989 R + 0.5870 G + 0.1140 B`` (a single channel, kept in the input's dtype)."""
    fmt = _data_format(data_format)
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={x.shape}")
    axis = -1 if fmt == "channels_last" else -3
    if np.asarray(x).shape[axis] not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). "
                         f"Received input with shape: images.shape={x.shape}")
    if np.asarray(x).shape[axis] == 1:
        return A.identity(x)
    original = np.asarray(x).dtype
    xf = x if original.kind == "f" else M.cast(x, np.float32)
    weights = np.array([0.2989, 0.5870, 0.1140], np.asarray(xf).dtype)
    gray = A.expand_dims(M.tensordot(xf, weights, [[xf.ndim + axis], [0]]), axis)
    if original.kind == "f":
        return gray
    return M.cast(gray, original)
