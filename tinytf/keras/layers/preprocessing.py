"""Keras 3's image preprocessing layers on ``tf.image`` (NHWC, batched or one image).

Deterministic: ``Rescaling``, ``Resizing``, ``CenterCrop``. Random (augmentation): active only
with ``training=True``, identity otherwise (``RandomCrop`` centre-crops and resizes instead, as
Keras). Their draws come from ``backend.rng(seed)``: the same rules as ``tf.random`` ops, so a
program repeats after ``tf.random.set_seed``; the streams are NumPy's, not TensorFlow's.
The rotation / zoom / translation layers build Keras's affine matrix per image and sample with
``tf.image.projective_transform`` (``ImageProjectiveTransformV3`` semantics).
"""
import numpy as np

from ... import image
from ...backend import rng
from ...kernels import affine
from ...ops import array_ops as A, math_ops as M
from ...tensor import TensorShape
from .base import Layer

F32 = np.float32


def _positive_int(layer, value, arg):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: {arg} must be a positive int, got {value!r}")
    return int(value)


def _choice(layer, value, arg, allowed):
    if value not in allowed:
        raise ValueError(f"{layer}: {arg} must be one of {list(allowed)}, got {value!r}")
    return value


def _factor(layer, factor, arg, low, high, low_open=False):
    """Keras's factor argument: a number f -> (-|f|, |f|) clipped at ``low``; a pair -> sorted."""
    def bad(v):
        return v > high or (v <= low if low_open else v < low)
    if isinstance(factor, (tuple, list)) and len(factor) == 2 and all(isinstance(f, (int, float)) for f in factor):
        lo, hi = sorted(float(f) for f in factor)
        if bad(lo) or bad(hi):
            raise ValueError(f"{layer}: {arg} must be in {'(' if low_open else '['}{low}, {high}], got {factor!r}")
        return lo, hi
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if bad(factor):
            raise ValueError(f"{layer}: {arg} must be in {'(' if low_open else '['}{low}, {high}], got {factor!r}")
        f = abs(float(factor))
        return max(-f, low) if not low_open else -f, f
    raise ValueError(f"{layer}: {arg} must be a number or a pair of numbers, got {factor!r}")


def _hw(shape):
    return shape[-3], shape[-2]


def _with_hw(shape, h, w):
    s = list(shape)
    s[-3], s[-2] = h, w
    return TensorShape(s)


def _crop_box_to_aspect(h, w, th, tw):
    """Keras's largest centred window of the target aspect ratio: (top, left, height, width)."""
    ch = max(min(h, int(float(w * th) / tw)), 1)
    cw = max(min(w, int(float(h * tw) / th)), 1)
    return int(float(h - ch) / 2), int(float(w - cw) / 2), ch, cw


def _crop_resize(x, th, tw, interpolation="bilinear"):
    """Centre-crop to the target aspect ratio, then resize (Keras's ``smart_resize``)."""
    top, left, ch, cw = _crop_box_to_aspect(*_hw(x.shape), th, tw)
    return image.resize(image.spatial_slice(x, slice(top, top + ch), slice(left, left + cw)), [th, tw], interpolation)


class _DataLayer(Layer):
    """Keras's data layers cast their input with the backend, which stacks a Python list of images
    into one batch: ``CenterCrop(h, w)([img1, img2])`` is a (2, h, w, c) tensor."""

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            inputs = A.stack([super(_DataLayer, self)._convert_inputs(i) for i in inputs])
        return super()._convert_inputs(inputs)


class Rescaling(_DataLayer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1/255)`` maps [0, 255] to [0, 1])."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, v in (("scale", scale), ("offset", offset)):
            a = np.asarray(v)
            if a.dtype.kind not in "iuf" or a.ndim > 1:
                raise ValueError(f"Rescaling: {arg} must be a number or a 1-D list of numbers, got {v!r}")
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        dt = np.dtype(self.dtype)
        return M.add(M.multiply(inputs, np.asarray(self.scale, dt)), np.asarray(self.offset, dt))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Resizing(_DataLayer):
    """Resize images to ``(height, width)`` with ``tf.image.resize``; ``crop_to_aspect_ratio``
    first centre-crops the largest window of the target aspect ratio, ``pad_to_aspect_ratio``
    pads with ``fill_value`` to it (no distortion either way)."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False, **kwargs):
        super().__init__(**kwargs)
        self.height = _positive_int("Resizing", height, "height")
        self.width = _positive_int("Resizing", width, "width")
        self.interpolation = _choice("Resizing", interpolation, "interpolation", image.RESIZE_METHODS)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = bool(crop_to_aspect_ratio), bool(pad_to_aspect_ratio)
        self.fill_mode = _choice("Resizing", fill_mode, "fill_mode", ("constant",))
        self.fill_value, self.antialias = float(fill_value), bool(antialias)

    def call(self, inputs):
        x = inputs
        h, w = _hw(x.shape)
        if self.crop_to_aspect_ratio:
            top, left, ch, cw = _crop_box_to_aspect(h, w, self.height, self.width)
            x = image.spatial_slice(x, slice(top, top + ch), slice(left, left + cw))
        elif self.pad_to_aspect_ratio:  # Keras pads the same number of rows (columns) on both sides
            ph = int(float(max(h, int(float(w * self.height) / self.width)) - h) / 2)
            pw = int(float(max(w, int(float(h * self.width) / self.height)) - w) / 2)
            pads = [[0, 0]] * (x.ndim - 3) + [[ph, ph], [pw, pw], [0, 0]]
            x = A.pad(x, pads, constant_values=self.fill_value)
        return image.resize(x, [self.height, self.width], self.interpolation, antialias=self.antialias)

    def compute_output_shape(self, input_shape):
        return _with_hw(input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_DataLayer):
    """The central ``height x width`` window; an image smaller than that is centre-cropped to the
    target aspect ratio and resized up (bilinear), as Keras."""

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = _positive_int("CenterCrop", height, "height")
        self.width = _positive_int("CenterCrop", width, "width")

    def call(self, inputs):
        h, w = _hw(inputs.shape)
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            return image.spatial_slice(inputs, slice(top, top + self.height), slice(left, left + self.width))
        return _crop_resize(inputs, self.height, self.width)

    def compute_output_shape(self, input_shape):
        return _with_hw(input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class _RandomLayer(_DataLayer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"{type(self).__name__}: seed must be an int or None, got {seed!r}")
        self.seed = seed

    def _draw(self, low, high, n):
        return rng(self.seed).uniform(low, high, n).astype(F32)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return self._augment(inputs)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def _batch(x):
    return x.shape[0] if x.ndim == 4 else 1


class RandomFlip(_RandomLayer):
    """Flip each image with probability 1/2: ``mode`` 'horizontal', 'vertical' or
    'horizontal_and_vertical' (one draw per image flips both axes, as Keras 3)."""
    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.mode = _choice("RandomFlip", mode, "mode", self._MODES)

    def _augment(self, x):
        flips = self._draw(0.0, 1.0, _batch(x)) <= 0.5
        mask = flips.reshape((-1,) + (1,) * 3) if x.ndim == 4 else flips[0]
        out = x
        if self.mode != "vertical":
            out = A.where(mask, A.reverse(out, [x.ndim - 2]), out)
        if self.mode != "horizontal":
            out = A.where(mask, A.reverse(out, [x.ndim - 3]), out)
        return out

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomLayer):
    def __init__(self, fill_mode, interpolation, seed, fill_value, **kwargs):
        super().__init__(seed, **kwargs)
        name = type(self).__name__
        self.fill_mode = _choice(name, fill_mode, "fill_mode", affine.FILL_MODES)
        self.interpolation = _choice(name, interpolation, "interpolation", affine.INTERPOLATIONS)
        self.fill_value = float(fill_value)

    def _augment(self, x):
        h, w = _hw(x.shape)
        t = self._transforms(_batch(x), h, w)
        return image.projective_transform(x, t if x.ndim == 4 else t[0], self.interpolation, self.fill_mode,
                                        self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


def rotation_transforms(angles_deg, height, width):
    """Keras's ``[N, 8]`` transforms rotating about the image centre by ``angles_deg`` (float32)."""
    a = np.asarray(angles_deg, F32) * F32(np.pi / 180.0)
    cx, cy = F32(0.5) * (F32(width) - F32(1)), F32(0.5) * (F32(height) - F32(1))
    c, s = np.cos(a), np.sin(a)
    a0, a1, b0, b1 = c, -s, s, c
    z = np.zeros_like(a)
    return np.stack([a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1, z, z], 1)


class RandomRotation(_AffineLayer):
    """Rotate each image by ``factor * 360`` degrees drawn from ``factor`` (a fraction of a turn,
    f -> [-f, f]; counter-clockwise for positive angles) about its centre."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = _factor("RandomRotation", factor, "factor", -1.0, 1.0)

    def _transforms(self, n, h, w):
        lo, hi = self.factor
        return rotation_transforms(self._draw(F32(lo * 360.0), F32(hi * 360.0), n), h, w)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineLayer):
    """Zoom each image about its centre: a height factor f in (-1, 1] scales the sampled extent by
    ``1 + f`` (f < 0 zooms in); ``width_factor=None`` keeps the aspect ratio."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = _factor("RandomZoom", height_factor, "height_factor", -1.0, 1.0, low_open=True)
        self.width_factor = None if width_factor is None else \
            _factor("RandomZoom", width_factor, "width_factor", -1.0, 1.0, low_open=True)

    def _transforms(self, n, h, w):
        hz = self._draw(1.0 + self.height_factor[0], 1.0 + self.height_factor[1], n)
        wz = hz if self.width_factor is None else self._draw(1.0 + self.width_factor[0], 1.0 + self.width_factor[1], n)
        z = np.zeros(n, F32)
        return np.stack([wz, z, (F32(w) - F32(1)) / F32(2) * (F32(1) - wz),
                         z, hz, (F32(h) - F32(1)) / F32(2) * (F32(1) - hz), z, z], 1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shift each image by a fraction of its height / width drawn from the factors (in [-1, 1])."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = _factor("RandomTranslation", height_factor, "height_factor", -1.0, 1.0)
        self.width_factor = _factor("RandomTranslation", width_factor, "width_factor", -1.0, 1.0)

    def _transforms(self, n, h, w):
        dy = self._draw(*self.height_factor, n) * F32(h)
        dx = self._draw(*self.width_factor, n) * F32(w)
        one, z = np.ones(n, F32), np.zeros(n, F32)
        return np.stack([one, z, -dx, z, one, -dy, z, z], 1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomCrop(_RandomLayer):
    """Training: one random ``height x width`` window for the whole batch (if the image is larger on
    both axes). Otherwise (and at inference): centre-crop to the aspect ratio and resize, as Keras."""

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.height = _positive_int("RandomCrop", height, "height")
        self.width = _positive_int("RandomCrop", width, "width")

    def call(self, inputs, training=None):
        h, w = _hw(inputs.shape)
        if training and h > self.height and w > self.width:
            top = int(self._draw(0.0, float(h - self.height + 1), 1)[0])
            left = int(self._draw(0.0, float(w - self.width + 1), 1)[0])
            return image.spatial_slice(inputs, slice(top, top + self.height), slice(left, left + self.width))
        return _crop_resize(inputs, self.height, self.width)

    def compute_output_shape(self, input_shape):
        return _with_hw(input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomContrast(_RandomLayer):
    """``(x - mean) * c + mean`` per image, mean over height and width, then clipped to
    ``value_range``. As Keras 3.15's code: ``c`` is drawn from ``[1 - lower, 1 + upper)`` where
    ``factor`` f in [0, 1] gives (lower, upper) = (0, f) and a pair gives itself."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.factor = _factor("RandomContrast", factor, "factor", 0.0, 1.0)
        if len(value_range) != 2 or value_range[0] >= value_range[1]:
            raise ValueError(f"RandomContrast: value_range must be (low, high) with low < high, got {value_range!r}")
        self.value_range = tuple(value_range)

    def _augment(self, x):
        c = self._draw(1.0 - self.factor[0], 1.0 + self.factor[1], _batch(x))
        c = c.reshape((-1, 1, 1, 1)) if x.ndim == 4 else c.reshape(1, 1, 1)
        mean = M.reduce_mean(x, [-3, -2], keepdims=True)
        out = M.add(M.multiply(M.subtract(x, mean), c.astype(x.dtype.as_numpy_dtype)), mean)
        return M.clip_by_value(out, *(np.asarray(v, x.dtype.as_numpy_dtype) for v in self.value_range))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}



class _RandomSize(_RandomLayer):
    """Resize the batch along one axis by a factor ``1 + f``, f drawn once per call from
    ``factor`` (a number f -> [-f, f], a pair -> [lower, upper]; values >= -1), as Keras's
    (tf.keras's) RandomHeight / RandomWidth: new size ``int(factor * size)``, ``tf.image.resize``."""
    _axis = -3

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        cls = type(self).__name__
        if isinstance(factor, (tuple, list)) and len(factor) == 2:
            lower, upper = factor
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            lower, upper = -factor, factor
        else:
            raise ValueError(f"{cls}: factor must be a number or a pair (lower, upper), got {factor!r}")
        if upper < lower:
            raise ValueError(f"`factor` argument cannot have an upper bound lesser than the lower bound. "
                             f"Received: factor={factor}")
        if lower < -1.0 or upper < -1.0:
            raise ValueError(f"`factor` argument must have values larger than -1. Received: factor={factor}")
        self.factor, self._bounds = factor, (float(lower), float(upper))
        self.interpolation = _choice(cls, interpolation, "interpolation", image.RESIZE_METHODS)

    def _augment(self, x):
        f = self._draw(1.0 + self._bounds[0], 1.0 + self._bounds[1], 1)[0]
        size = [int(d) for d in _hw(x.shape)]
        a = 0 if self._axis == -3 else 1
        size[a] = int(f * F32(size[a]))
        return M.cast(image.resize(x, size, self.interpolation), x.dtype)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        s[self._axis] = None
        return TensorShape(s)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "interpolation": self.interpolation}


class RandomHeight(_RandomSize):
    """Randomly vary the height of a batch of images (training only)."""
    _axis = -3


class RandomWidth(_RandomSize):
    """Randomly vary the width of a batch of images (training only)."""
    _axis = -2
