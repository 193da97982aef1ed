"""``tf.image``'s HSV colour ops: ``rgb_to_hsv``, ``hsv_to_rgb``, ``adjust_hue``,
``adjust_saturation`` and their random variants, with the float32 arithmetic of TensorFlow's CPU
kernels (``colorspace_op.h``, ``adjust_hue_op.cc``, ``adjust_saturation_op.cc``). Not differentiable."""
import numpy as np

from .backend import rng
from .errors import InvalidArgumentError
from .ops.core import as_tensor
from .ops.image_ops import convert_image_dtype
from .tensor import Tensor

F32 = np.float32


def _rgb(images, fn):
    x = as_tensor(images)
    if x._v.ndim < 1 or x._v.shape[-1] != 3:
        raise InvalidArgumentError(f"{fn}: the last dimension of images must be 3 (R, G, B), "
                                   f"got shape {tuple(x._v.shape)}")
    return x


def _float(x):
    return x if x._v.dtype in (np.float16, np.float32) else convert_image_dtype(x, F32)


def rgb_to_hsv(images, name=None):
    """RGB in [0, 1] to HSV, each in [0, 1] (floats only, as TensorFlow)."""
    x = _rgb(images, "rgb_to_hsv")
    if x._v.dtype.kind != "f":
        raise TypeError(f"rgb_to_hsv: images must be float, got {x._v.dtype.name}")
    v = x._v
    r, g, b = v[..., 0], v[..., 1], v[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.maximum(np.maximum(r, g), b)
        rng_ = val - np.minimum(np.minimum(r, g), b)
        s = np.where(val > 0, rng_ / val, 0).astype(v.dtype)
        norm = 1 / (6 * rng_)
        h = np.where(r == val, norm * (g - b),
                     np.where(g == val, norm * (b - r) + v.dtype.type(2 / 6), norm * (r - g) + v.dtype.type(4 / 6)))
        h = np.where(rng_ > 0, h, 0).astype(v.dtype)
    h = np.where(h < 0, h + 1, h)
    return Tensor(np.stack([h, s, val], axis=-1).astype(v.dtype))


def hsv_to_rgb(images, name=None):
    """HSV in [0, 1] to RGB (floats only)."""
    x = _rgb(images, "hsv_to_rgb")
    if x._v.dtype.kind != "f":
        raise TypeError(f"hsv_to_rgb: images must be float, got {x._v.dtype.name}")
    v = x._v
    t = v.dtype.type
    h, s, val = v[..., 0], v[..., 1], v[..., 2]
    dh = h * t(6)
    dr = np.clip(np.abs(dh - t(3)) - t(1), 0, 1)
    dg = np.clip(-np.abs(dh - t(2)) + t(2), 0, 1)
    db = np.clip(-np.abs(dh - t(4)) + t(2), 0, 1)
    oms = t(1) - s
    return Tensor(np.stack([val * (oms + s * dr), val * (oms + s * dg), val * (oms + s * db)], -1).astype(v.dtype))


def _kernel_hsv(r, g, b):
    """``adjust_saturation_op.cc``'s rgb_to_hsv (its 2/6 and 4/6 offsets are added in double)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        vv = np.maximum(r, np.maximum(g, b))
        rg = vv - np.minimum(r, np.minimum(g, b))
        s = np.where(vv > 0, rg / vv, F32(0))
        norm = F32(1) / (F32(6) * rg)
        hh = np.where(r == vv, norm * (g - b), np.where(
            g == vv, ((norm * (b - r)).astype(np.float64) + 2.0 / 6.0).astype(F32),
            ((norm * (r - g)).astype(np.float64) + 4.0 / 6.0).astype(F32)))
    hh = np.where(rg <= 0, F32(0), hh)
    return np.where(hh < 0, hh + F32(1), hh), s, vv


def _kernel_rgb(h, s, v):
    """``adjust_saturation_op.cc``'s hsv_to_rgb: the sector ``int(6 h)`` picks the components."""
    c = s * v
    m = v - c
    dh = h * F32(6)
    cat = dh.astype(np.int32)
    x = c * (F32(1) - np.abs(np.fmod(dh, F32(2)) - F32(1)))
    z = np.zeros_like(c)
    cases = [(c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x)]
    out = [np.select([cat == k for k in range(6)], [cs[i] for cs in cases], z) for i in range(3)]
    return [o + m for o in out]


def _hv_range(r, g, b):
    """``adjust_hue_op.cc``'s rgb_to_hv_range: hue in [0, 6) from the sorted components."""
    lt = r < g
    cat = np.where(lt, np.where(b < r, 1, np.where(b > g, 3, 2)), np.where(b < g, 0, np.where(b > r, 4, 5)))
    vmax = np.choose(cat, [r, g, g, b, b, r])
    vmid = np.choose(cat, [g, r, b, g, r, b])
    vmin = np.choose(cat, [b, b, r, r, g, g])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (vmid - vmin) / (vmax - vmin)
    h = cat.astype(F32) + np.where(cat % 2 == 0, ratio, F32(1) - ratio)
    return np.where(vmax == vmin, F32(0), h), vmin, vmax


def _from_hv_range(h, vmin, vmax):
    cat = h.astype(np.int32)
    ratio = h - cat.astype(F32)
    ratio = np.where(cat % 2 == 0, ratio, F32(1) - ratio)
    vmid = vmin + ratio * (vmax - vmin)
    cases = [(vmax, vmid, vmin), (vmid, vmax, vmin), (vmin, vmax, vmid), (vmin, vmid, vmax), (vmid, vmin, vmax)]
    return [np.select([cat == k for k in range(5)], [cs[i] for cs in cases], (vmax, vmin, vmid)[i])
            for i in range(3)]


def _colour_op(image, fn, kernel):
    x = as_tensor(image)
    if x._v.ndim < 3:
        raise InvalidArgumentError(f"{fn}: image must be at least 3-D, got shape {tuple(x._v.shape)}")
    x = _rgb(x, fn)
    f = _float(x)
    v = f._v.astype(F32)
    out = np.stack(kernel(v[..., 0], v[..., 1], v[..., 2]), axis=-1).astype(f._v.dtype)
    return convert_image_dtype(Tensor(out), x._v.dtype)


def _scalar(value, fn, arg):
    v = value.numpy() if isinstance(value, Tensor) else value
    if np.ndim(v) or isinstance(v, (str, bytes)):
        raise TypeError(f"{fn}: {arg} must be a scalar number, got {value!r}")
    return F32(v)


def adjust_hue(image, delta, name=None):
    """Rotate the hue of RGB images by ``delta`` (a fraction of the colour circle)."""
    d6 = _scalar(delta, "adjust_hue", "delta") * F32(6)

    def kernel(r, g, b):
        h, vmin, vmax = _hv_range(r, g, b)
        h = np.fmod(h + d6, F32(6))
        return _from_hv_range(np.where(h < 0, h + F32(6), h), vmin, vmax)
    return _colour_op(image, "adjust_hue", kernel)


def adjust_saturation(image, saturation_factor, name=None):
    """Multiply the HSV saturation of RGB images by ``saturation_factor``, clipped to [0, 1]."""
    k = _scalar(saturation_factor, "adjust_saturation", "saturation_factor")

    def kernel(r, g, b):
        h, s, v = _kernel_hsv(r, g, b)
        return _kernel_rgb(h, np.minimum(F32(1), np.maximum(F32(0), s * k)), v)
    return _colour_op(image, "adjust_saturation", kernel)


def hue_delta_check(max_delta, fn):
    if max_delta > 0.5:
        raise ValueError(f"{fn}: max_delta must be <= 0.5, got {max_delta!r}")
    if max_delta < 0:
        raise ValueError(f"{fn}: max_delta must be non-negative, got {max_delta!r}")


def range_check(lower, upper, fn):
    if upper <= lower:
        raise ValueError(f"{fn}: upper must be > lower, got lower={lower!r}, upper={upper!r}")
    if lower < 0:
        raise ValueError(f"{fn}: lower must be non-negative, got {lower!r}")


def random_hue(image, max_delta, seed=None):
    """``adjust_hue`` by a delta drawn uniformly from [-max_delta, max_delta) (max_delta <= 0.5)."""
    hue_delta_check(max_delta, "random_hue")
    return adjust_hue(image, F32(rng(seed).uniform(-max_delta, max_delta)))


def random_saturation(image, lower, upper, seed=None):
    """``adjust_saturation`` by a factor drawn uniformly from [lower, upper)."""
    range_check(lower, upper, "random_saturation")
    return adjust_saturation(image, F32(rng(seed).uniform(lower, upper)))
