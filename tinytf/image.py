"""``tf.image``: resizing, cropping, padding, flips, rotations, dtype conversion and colour
adjustments, with TensorFlow 2's arguments and numbers.

Images are NHWC: ``[batch, height, width, channels]`` or one ``[height, width, channels]``
image (the result then has rank 3 too). Resizing is a linear map ``out = Mh @ img @ Mw^T``
(weights in ``kernels/resize.py``), differentiable w.r.t. the image for every method; the other
functions are built from differentiable tinytf ops.
"""
import numpy as np

from .backend import rng
from .kernels import affine as _affine, patches as _patches, resize as _resize
from .kernels.padding import conv_plan, normalize_padding
from .ops import array_ops as A, math_ops as M
from .ops.core import as_tensor
from . import image_color as _color
from .image_color import (  # noqa: F401
    adjust_hue, adjust_saturation, hsv_to_rgb, random_hue, random_saturation, rgb_to_hsv)
from .image_nms import (  # noqa: F401
    combined_non_max_suppression, non_max_suppression, non_max_suppression_padded, non_max_suppression_with_scores)
from .ops import stateless_ops as _stateless
from .ops.image_ops import convert_image_dtype  # noqa: F401 (tf.image.convert_image_dtype)
from .tape import record
from .tensor import Tensor
from .io import (  # noqa: F401 (tf.image's names for tf.io's codecs)
    decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png, encode_jpeg, encode_png, is_jpeg)

F32 = np.float32


class ResizeMethod:
    """``tf.image.ResizeMethod``: the names ``resize`` accepts as ``method``."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area") + _resize.SCALE_AND_TRANSLATE


# ---- argument checks ------------------------------------------------------------------------

def _image(image, fn, arg="image"):
    """The image as a Tensor of rank 3 or 4 (``ValueError`` naming ``fn`` otherwise)."""
    x = as_tensor(image)
    if x._v.ndim not in (3, 4):
        raise ValueError(f"{fn}: '{arg}' must have either 3 or 4 dimensions "
                         f"([height, width, channels] or [batch, height, width, channels]), "
                         f"got shape {tuple(x._v.shape)}")
    return x


def _hw(x):
    return x._v.shape[-3], x._v.shape[-2]


def _int(value, fn, arg, low=None):
    v = value.numpy() if isinstance(value, Tensor) else value
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) and not (
            isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu"):
        raise TypeError(f"{fn}: {arg} must be an int, got {value!r}")
    v = int(v)
    if low is not None and v < low:
        raise ValueError(f"{fn}: {arg} must be >= {low}, got {v}")
    return v


def spatial_slice(x, rows, cols):
    """``x[..., rows, cols, :]`` for a rank-3 or rank-4 image (differentiable)."""
    key = (slice(None),) * (x._v.ndim - 3) + (rows, cols, slice(None))
    return A.getitem(x, key)


# ---- resizing -------------------------------------------------------------------------------

def _linear_hw(x, mh, mw):
    """``Mh @ x @ Mw^T`` over the height and width axes of a rank-3/4 float tensor, recorded;
    its gradient is the same map with the transposed matrices (so it has every order)."""
    shape = x._v.shape
    out = _resize.apply(x._v.reshape((-1,) + shape[-3:]), mh, mw)
    out = out.reshape(shape[:-3] + out.shape[1:])
    return record("ResizeLinear", out, (x,), lambda g, v, o, w: (_transpose_apply(g, mh, mw, shape),),
                  lambda g, v, o, w: (_linear_hw(g, mh.T, mw.T),))


def _transpose_apply(g, mh, mw, shape):
    return _resize.apply_transpose(g.reshape((-1,) + g.shape[-3:]), mh, mw).reshape(shape)


def _size_arg(size, fn):
    s = size.numpy() if isinstance(size, Tensor) else size
    try:
        s = np.asarray(s)
    except (TypeError, ValueError):
        s = None
    if s is None or s.shape != (2,) or s.dtype.kind not in "iu":
        raise ValueError(f"{fn}: 'size' must be a 1-D int32 Tensor of 2 elements: new_height, "
                         f"new_width; got {size!r}")
    if (s <= 0).any():
        raise ValueError(f"{fn}: 'size' must be positive, got {s.tolist()}")
    return int(s[0]), int(s[1])


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False, antialias=False,
           name=None):
    """Resize ``images`` [batch, h, w, c] or [h, w, c] to ``size`` = (new_height, new_width).

    ``method``: 'bilinear', 'nearest', 'bicubic', 'area' (TF 2: half-pixel centres), or TF's
    scale-and-translate kernels 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'.
    ``antialias``: when shrinking with any method but 'nearest' and 'area', widen the kernel so every
    input pixel counts. ``preserve_aspect_ratio``: scale both sides by one
    factor so the result fits inside ``size``. Result float32, except 'nearest' keeps the dtype.
    """
    x = _image(images, "resize", "images")
    method = getattr(method, "value", method)
    if method not in RESIZE_METHODS:
        raise ValueError(f"resize: method must be one of {list(RESIZE_METHODS)}, got {method!r}")
    nh, nw = _size_arg(size, "resize")
    h, w = _hw(x)
    if preserve_aspect_ratio:
        f = min(F32(nh) / F32(h), F32(nw) / F32(w))
        nh, nw = int(np.rint(f * F32(h))), int(np.rint(f * F32(w)))
    if method == "nearest":
        iy, ix = _resize.nearest_indices(h, nh), _resize.nearest_indices(w, nw)
        return A.gather(A.gather(x, iy, axis=x._v.ndim - 3), ix, axis=x._v.ndim - 2)
    mh, mw = _resize.matrix(method, h, nh, antialias), _resize.matrix(method, w, nw, antialias)
    if x._v.dtype == np.float64:
        return M.cast(_linear_hw(x, mh, mw), F32)
    return _linear_hw(M.cast(x, F32), mh, mw)


def _window_arg(value, fn, arg):
    v = list(value.numpy() if isinstance(value, Tensor) else value) if not isinstance(value, int) else None
    if v is None or len(v) != 4 or not all(isinstance(e, (int, np.integer)) for e in v) or v[0] != 1 or v[3] != 1 \
            or min(v) < 1:
        raise ValueError(f"{fn}: {arg} must be a list of 4 positive ints [1, rows, cols, 1], got {value!r}")
    return int(v[1]), int(v[2])


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """Every ``sizes`` window of ``images`` [batch, h, w, depth], as the channels of
    [batch, out_rows, out_cols, size_rows * size_cols * depth] in (row, column, depth) order.
    ``strides``: how far apart windows start; ``rates``: how far apart a window's taps are;
    ``padding``: 'VALID' or 'SAME' (zeros, split as a dilated convolution's). Differentiable."""
    x = as_tensor(images)
    if x._v.ndim != 4:
        raise ValueError(f"extract_patches: images must be 4-D [batch, rows, cols, depth], got shape {x.shape}")
    k = _window_arg(sizes, "extract_patches", "sizes")
    s = _window_arg(strides, "extract_patches", "strides")
    r = _window_arg(rates, "extract_patches", "rates")
    pad = normalize_padding(padding, allow_explicit=False)
    plan = conv_plan(_hw(x), k, s, r, pad)
    shape = x._v.shape
    out = _patches.extract_patches(x._v, k, s, r, plan)
    return record("ExtractImagePatches", out, (x,),
                  lambda g, v, o, w: (_patches.extract_patches_backward(g, shape, k, s, r, plan),))


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR, antialias=False):
    """Resize keeping the aspect ratio so the image fits, then pad with zeros to the target."""
    x = _image(image, "resize_with_pad")
    th = _int(target_height, "resize_with_pad", "target_height", 1)
    tw = _int(target_width, "resize_with_pad", "target_width", 1)
    h, w = (F32(v) for v in _hw(x))
    ratio = max(w / F32(tw), h / F32(th))
    rh, rw = h / ratio, w / ratio
    ph = max(0, int(np.floor((F32(th) - rh) / F32(2))))
    pw = max(0, int(np.floor((F32(tw) - rw) / F32(2))))
    resized = resize(x, [int(np.floor(rh)), int(np.floor(rw))], method, antialias=antialias)
    return pad_to_bounding_box(resized, ph, pw, th, tw)


# ---- crops and pads -------------------------------------------------------------------------

def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The ``target_height x target_width`` window whose top-left corner is at the offsets."""
    fn = "crop_to_bounding_box"
    x = _image(image, fn)
    oh, ow = _int(offset_height, fn, "offset_height", 0), _int(offset_width, fn, "offset_width", 0)
    th, tw = _int(target_height, fn, "target_height", 1), _int(target_width, fn, "target_width", 1)
    h, w = _hw(x)
    if w < tw + ow:
        raise ValueError(f"{fn}: width must be >= target + offset: width {w} < {tw} + {ow}")
    if h < th + oh:
        raise ValueError(f"{fn}: height must be >= target + offset: height {h} < {th} + {oh}")
    return spatial_slice(x, slice(oh, oh + th), slice(ow, ow + tw))


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Zero-pad to ``target_height x target_width``, the image's top-left corner at the offsets."""
    fn = "pad_to_bounding_box"
    x = _image(image, fn)
    oh, ow = _int(offset_height, fn, "offset_height", 0), _int(offset_width, fn, "offset_width", 0)
    th, tw = _int(target_height, fn, "target_height"), _int(target_width, fn, "target_width")
    h, w = _hw(x)
    after_h, after_w = th - oh - h, tw - ow - w
    if after_h < 0:
        raise ValueError(f"{fn}: height must be <= target - offset: height {h} > {th} - {oh}")
    if after_w < 0:
        raise ValueError(f"{fn}: width must be <= target - offset: width {w} > {tw} - {ow}")
    pads = [[0, 0]] * (x._v.ndim - 3) + [[oh, after_h], [ow, after_w], [0, 0]]
    return A.pad(x, pads)


def resize_with_crop_or_pad(image, target_height, target_width):
    """Centre-crop and/or zero-pad (evenly, odd cell after... as TF: crop offset floor(diff/2))."""
    fn = "resize_with_crop_or_pad"
    x = _image(image, fn)
    th, tw = _int(target_height, fn, "target_height", 1), _int(target_width, fn, "target_width", 1)
    h, w = _hw(x)
    cropped = crop_to_bounding_box(x, max((h - th) // 2, 0), max((w - tw) // 2, 0), min(th, h), min(tw, w))
    return pad_to_bounding_box(cropped, max((th - h) // 2, 0), max((tw - w) // 2, 0), th, tw)


def central_crop(image, central_fraction):
    """The central ``central_fraction`` (in (0, 1]) of the height and width."""
    x = _image(image, "central_crop")
    f = float(central_fraction.numpy() if isinstance(central_fraction, Tensor) else central_fraction)
    if not 0.0 < f <= 1.0:
        raise ValueError(f"central_crop: central_fraction must be within (0, 1], got {central_fraction!r}")
    if f == 1.0:
        return x
    h, w = _hw(x)
    sh, sw = int((h - h * f) / 2), int((w - w * f) / 2)
    return spatial_slice(x, slice(sh, h - sh), slice(sw, w - sw))


def random_crop(value, size, seed=None, name=None):
    """A random ``size`` slice of ``value`` (any rank; ``size`` has one entry per axis)."""
    return _crop(value, size, rng(seed), "random_crop")


def _crop(value, size, g, fn):
    x = as_tensor(value)
    s = np.asarray(size.numpy() if isinstance(size, Tensor) else size)
    shape = np.asarray(x._v.shape)
    if s.shape != shape.shape or s.dtype.kind not in "iu":
        raise ValueError(f"{fn}: size must be {len(shape)} ints (one per axis of value, "
                         f"shape {tuple(shape)}), got {np.asarray(size).tolist()}")
    if (s > shape).any() or (s < 0).any():
        raise ValueError(f"{fn}: need 0 <= size <= value's shape {tuple(shape)}, got {s.tolist()}")
    off = g.integers(0, np.iinfo(np.int32).max, len(shape)) % (shape - s + 1)
    return A.getitem(x, tuple(slice(int(o), int(o + n)) for o, n in zip(off, s)))


# ---- flips and rotations --------------------------------------------------------------------

def flip_left_right(image):
    """Mirror the width axis."""
    x = _image(image, "flip_left_right")
    return A.reverse(x, [x._v.ndim - 2])


def flip_up_down(image):
    """Mirror the height axis."""
    x = _image(image, "flip_up_down")
    return A.reverse(x, [x._v.ndim - 3])


def _random_flip(image, axis, g, fn):
    """Flip each image along ``axis`` (0: height, 1: width) when a uniform draw from ``g`` says so."""
    x = _image(image, fn)
    ax = x._v.ndim - 3 + axis
    if x._v.ndim == 3:
        return A.reverse(x, [ax]) if g.random() < 0.5 else x
    flip = np.rint(g.random(x._v.shape[0])) == 1  # TF: round(u), so u == 0.5 keeps
    return A.where(flip[:, None, None, None], A.reverse(x, [ax]), x)


def random_flip_left_right(image, seed=None):
    """Mirror the width axis with probability 1/2 (each image of a batch independently)."""
    return _random_flip(image, 1, rng(seed), "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """Mirror the height axis with probability 1/2 (each image of a batch independently)."""
    return _random_flip(image, 0, rng(seed), "random_flip_up_down")


def rot90(image, k=1, name=None):
    """Rotate by ``k`` quarter turns counter-clockwise."""
    x = _image(image, "rot90")
    k = _int(k, "rot90", "k") % 4
    h = x._v.ndim - 3
    perm = list(range(h)) + [h + 1, h, h + 2]
    if k == 1:
        return A.transpose(A.reverse(x, [h + 1]), perm)
    if k == 2:
        return A.reverse(x, [h, h + 1])
    if k == 3:
        return A.reverse(A.transpose(x, perm), [h + 1])
    return x


def transpose(image, name=None):
    """Swap the height and width axes."""
    x = _image(image, "transpose")
    h = x._v.ndim - 3
    return A.transpose(x, list(range(h)) + [h + 1, h, h + 2])


# ---- dtype and colour -----------------------------------------------------------------------

def rgb_to_grayscale(images, name=None):
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B`` over the last axis (kept, size 1), computed in float32
    (integer images on the [0, 1] scale and converted back, as TensorFlow)."""
    x = as_tensor(images)
    if x._v.ndim < 1 or x._v.shape[-1] != 3:
        raise ValueError(f"rgb_to_grayscale: images must have 3 channels on the last axis, got shape "
                         f"{tuple(x._v.shape)}")
    f = convert_image_dtype(x, F32)
    gray = M.tensordot(f, np.array([0.2989, 0.5870, 0.1140], F32), [[-1 + f._v.ndim], [0]])
    return convert_image_dtype(A.expand_dims(gray, -1), x._v.dtype)


def grayscale_to_rgb(images, name=None):
    """The one channel repeated three times."""
    x = as_tensor(images)
    if x._v.ndim < 2 or x._v.shape[-1] != 1:
        raise ValueError(f"grayscale_to_rgb: images must have 1 channel on the last axis, got shape "
                         f"{tuple(x._v.shape)}")
    return A.concat([x, x, x], -1)


def per_image_standardization(image):
    """``(x - mean) / max(stddev, 1/sqrt(N))`` per image, N = height*width*channels; float32."""
    x = M.cast(_image(image, "per_image_standardization"), F32)
    axes = [-1, -2, -3]
    mean = M.reduce_mean(x, axes, keepdims=True)
    centred = M.subtract(x, mean)
    std = M.sqrt(M.reduce_mean(M.square(M.abs(centred)), axes, keepdims=True))
    n = int(np.prod(x._v.shape[-3:]))
    return M.divide(centred, M.maximum(std, F32(1) / np.sqrt(F32(n))))


def _as_float(x):
    """TF's colour ops work in float32 (float16 kept): integer images are scaled to [0, 1]."""
    return x if x._v.dtype in (np.float16, np.float32) else convert_image_dtype(x, F32)


def _value(v, dtype):
    return M.cast(v, dtype) if isinstance(v, Tensor) else dtype.type(v)


def adjust_brightness(image, delta):
    """``image + delta`` (integer images: on the [0, 1] scale, converted back with saturation)."""
    x = as_tensor(image)
    f = _as_float(x)
    return convert_image_dtype(M.add(f, _value(delta, f._v.dtype)), x._v.dtype, saturate=True)


def adjust_contrast(images, contrast_factor):
    """``(x - mean) * contrast_factor + mean``, the mean per image and channel over height and width."""
    x = as_tensor(images)
    if x._v.ndim < 3:
        raise ValueError(f"adjust_contrast: images must be at least 3-D [..., height, width, channels], "
                         f"got shape {tuple(x._v.shape)}")
    f = _as_float(x)
    mean = M.reduce_mean(f, [-3, -2], keepdims=True)
    out = M.add(M.multiply(M.subtract(f, mean), _value(contrast_factor, f._v.dtype)), mean)
    return convert_image_dtype(out, x._v.dtype, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """``adjust_brightness`` by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError(f"random_brightness: max_delta must be non-negative, got {max_delta!r}")
    delta = F32(rng(seed).uniform(-max_delta, max_delta))
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None):
    """``adjust_contrast`` by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError(f"random_contrast: upper must be > lower, got lower={lower!r}, upper={upper!r}")
    if lower < 0:
        raise ValueError(f"random_contrast: lower must be non-negative, got {lower!r}")
    return adjust_contrast(image, F32(rng(seed).uniform(lower, upper)))


# ---- projective transforms (used by the Keras random layers) --------------------------------

def projective_transform(images, transforms, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """``tf.raw_ops.ImageProjectiveTransformV3`` (as ``keras.ops.image.affine_transform``):
    each output pixel (x, y) samples the input at the point ``transforms`` [8] or [batch, 8]
    maps it to (see ``kernels/affine.py``). Differentiable w.r.t. the images."""
    x = _image(images, "projective_transform", "images")
    if interpolation not in _affine.INTERPOLATIONS:
        raise ValueError(f"projective_transform: interpolation must be one of {list(_affine.INTERPOLATIONS)}, "
                         f"got {interpolation!r}")
    if fill_mode not in _affine.FILL_MODES:
        raise ValueError(f"projective_transform: fill_mode must be one of {list(_affine.FILL_MODES)}, "
                         f"got {fill_mode!r}")
    t = np.asarray(transforms.numpy() if isinstance(transforms, Tensor) else transforms, F32)
    n = x._v.shape[0] if x._v.ndim == 4 else 1
    if t.shape[-1:] != (8,) or t.ndim > 2 or (t.ndim == 2 and t.shape[0] not in (1, n)):
        raise ValueError(f"projective_transform: transforms must have shape [8] or [batch, 8] "
                         f"(batch {n}), got {t.shape}")
    shape = x._v.shape
    x4 = x._v.reshape((-1,) + shape[-3:])
    out = _affine.transform(x4, t, interpolation, fill_mode, fill_value).reshape(shape)

    def backward(g, v, o, w):
        return (_affine.transform_backward(g.reshape(x4.shape), x4.shape, t, interpolation,
                                           fill_mode).reshape(shape),)
    return record("ImageProjectiveTransformV3", out, (x,), backward)


# ---- stateless random ops: a function of the seed pair (see ops/stateless_ops.py) --------------

def stateless_random_brightness(image, max_delta, seed):
    """``adjust_brightness`` by a delta uniform in [-max_delta, max_delta), a function of ``seed`` [2]."""
    if max_delta < 0:
        raise ValueError(f"stateless_random_brightness: max_delta must be non-negative, got {max_delta!r}")
    g = _stateless.generator(seed, "stateless_random_brightness")
    return adjust_brightness(image, F32(g.uniform(-max_delta, max_delta)))


def stateless_random_contrast(image, lower, upper, seed):
    _color.range_check(lower, upper, "stateless_random_contrast")
    return adjust_contrast(image, F32(_stateless.generator(seed, "stateless_random_contrast").uniform(lower, upper)))


def stateless_random_saturation(image, lower, upper, seed):
    _color.range_check(lower, upper, "stateless_random_saturation")
    g = _stateless.generator(seed, "stateless_random_saturation")
    return _color.adjust_saturation(image, F32(g.uniform(lower, upper)))


def stateless_random_hue(image, max_delta, seed):
    _color.hue_delta_check(max_delta, "stateless_random_hue")
    g = _stateless.generator(seed, "stateless_random_hue")
    return _color.adjust_hue(image, F32(g.uniform(-max_delta, max_delta)))


def stateless_random_crop(value, size, seed, name=None):
    """``random_crop`` with the offsets a function of ``seed`` [2]."""
    return _crop(value, size, _stateless.generator(seed, "stateless_random_crop"), "stateless_random_crop")


def stateless_random_flip_left_right(image, seed):
    """Mirror the width axis with probability 1/2 per image, a function of ``seed`` [2]."""
    fn = "stateless_random_flip_left_right"
    return _random_flip(image, 1, _stateless.generator(seed, fn), fn)


def stateless_random_flip_up_down(image, seed):
    """Mirror the height axis with probability 1/2 per image, a function of ``seed`` [2]."""
    fn = "stateless_random_flip_up_down"
    return _random_flip(image, 0, _stateless.generator(seed, fn), fn)
