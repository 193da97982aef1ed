"""Image resizing as two matrix products: ``out[n] = Mh @ img[n] @ Mw^T`` per channel.

Each ``*_matrix(in_size, out_size)`` returns the float32 ``[out_size, in_size]`` weights
TensorFlow's kernel uses along one axis (TF 2 ``tf.image.resize``: half-pixel centres), computed
with TF's float32 arithmetic so that sample positions and weights round as TF's do. ``apply``
runs the two products on NHWC arrays; ``apply_transpose`` is its adjoint (the image gradient).
"""
import numpy as np

F32 = np.float32
_TABLE_SIZE = 1024  # TF's bicubic coefficient table: weights quantised to 1/1024 of a pixel


def _scale(in_size, out_size):
    return F32(in_size) / F32(out_size)


def _from_taps(out_size, in_size, index, weight):
    """Dense matrix from per-output taps ``index`` / ``weight`` ([out, taps]); repeated indices add."""
    m = np.zeros((out_size, in_size), F32)
    rows = np.broadcast_to(np.arange(out_size)[:, None], index.shape)
    np.add.at(m, (rows, index), weight.astype(F32))
    return m


def nearest_indices(in_size, out_size):
    """Source index of each output sample: ``floor((i + 0.5) * in/out)``, clamped (TF's NN, half-pixel)."""
    x = (np.arange(out_size, dtype=F32) + F32(0.5)) * _scale(in_size, out_size)
    return np.clip(np.floor(x).astype(np.int64), 0, in_size - 1)


def nearest_matrix(in_size, out_size):
    idx = nearest_indices(in_size, out_size)
    return _from_taps(out_size, in_size, idx[:, None], np.ones((out_size, 1), F32))


def bilinear_matrix(in_size, out_size):
    """Two taps at floor / ceil of ``(i + 0.5) * in/out - 0.5``, clamped to the image."""
    x = (np.arange(out_size, dtype=F32) + F32(0.5)) * _scale(in_size, out_size) - F32(0.5)
    f = np.floor(x)
    lo = np.maximum(f.astype(np.int64), 0)
    hi = np.minimum(np.ceil(x).astype(np.int64), in_size - 1)
    lerp = x - f
    return _from_taps(out_size, in_size, np.stack([lo, hi], 1), np.stack([F32(1) - lerp, lerp], 1))


def _cubic_table(a=-0.5):
    x = np.arange(_TABLE_SIZE + 1, dtype=np.float64) / _TABLE_SIZE
    x = x.astype(F32)
    a = F32(a)
    near = ((a + F32(2)) * x - (a + F32(3))) * x * x + F32(1)
    x = x + F32(1)
    far = ((a * x - F32(5) * a) * x + F32(8) * a) * x - F32(4) * a
    return near, far


def bicubic_matrix(in_size, out_size):
    """Keys cubic (a = -0.5) on taps floor(x)-1 .. floor(x)+2 from TF's 1024-entry table; taps
    outside the image get weight 0 and the rest are renormalised to sum 1 (as TF)."""
    x = (np.arange(out_size, dtype=F32) + F32(0.5)) * _scale(in_size, out_size) - F32(0.5)
    base = np.floor(x)
    off = np.rint((x - base) * F32(_TABLE_SIZE)).astype(np.int64)
    near, far = _cubic_table()
    w = np.stack([far[off], near[off], near[_TABLE_SIZE - off], far[_TABLE_SIZE - off]], 1)
    idx = base.astype(np.int64)[:, None] + np.arange(-1, 3)
    inside = (idx >= 0) & (idx < in_size)
    w = np.where(inside, w, F32(0))
    total = w.sum(1, dtype=F32, keepdims=True)
    w = w * np.where(np.abs(total) >= 1000 * np.finfo(F32).tiny, F32(1) / total, F32(1))
    return _from_taps(out_size, in_size, np.clip(idx, 0, in_size - 1), w)


def area_matrix(in_size, out_size):
    """Box average: output cell i covers input [i*s, (i+1)*s), s = in/out, each input pixel
    weighted by its overlap; divided by s (TF's ResizeArea, no half-pixel offset)."""
    s = _scale(in_size, out_size)
    i = np.arange(out_size, dtype=F32)
    lo, hi = i * s, (i + F32(1)) * s
    start = np.floor(lo).astype(np.int64)
    taps = int(np.ceil(s)) + 1
    src = start[:, None] + np.arange(taps)
    srcf = src.astype(F32)
    w = np.minimum(srcf + F32(1), hi[:, None]) - np.maximum(srcf, lo[:, None])
    w = np.where(src < np.ceil(hi).astype(np.int64)[:, None], np.maximum(w, F32(0)), F32(0))
    return _from_taps(out_size, in_size, np.minimum(src, in_size - 1), w * (F32(1) / s))


def _triangle(x):
    return np.maximum(F32(1) - x, F32(0))


def _keys_cubic(x):
    return np.where(x >= 2, F32(0), np.where(
        x >= 1, ((F32(-0.5) * x + F32(2.5)) * x - F32(4)) * x + F32(2),
        (F32(1.5) * x - F32(2.5)) * x * x + F32(1)))


def _mitchell_cubic(x):
    return np.where(x >= 2, F32(0), np.where(
        x >= 1, (((F32(-7) / F32(18)) * x + F32(2)) * x - F32(10) / F32(3)) * x + F32(16) / F32(9),
        (((F32(7) / F32(6)) * x - F32(2)) * x) * x + F32(8) / F32(9)))


_PI = F32(3.14159265359)


def _lanczos(radius):
    r = F32(radius)

    def kernel(x):  # r sin(pi x) sin(pi x / r) / (pi^2 x^2), 1 near 0, in TF's float order
        with np.errstate(divide="ignore", invalid="ignore"):
            w = r * np.sin(_PI * x) * np.sin(_PI * x / r) / (_PI * _PI * x * x)
        return np.where(x > r, F32(0), np.where(x.astype(np.float64) <= 1e-3, F32(1), w)).astype(F32)
    return kernel


def _gaussian(x):
    """exp(-x^2 / (2 sigma^2)), sigma = 0.5, radius 1.5 (the exponent in double, as TF's)."""
    w = np.exp((-x * x).astype(np.float64) / (2.0 * np.float64(F32(0.5)) ** 2)).astype(F32)
    return np.where(x >= F32(1.5), F32(0), w)


_KERNELS = {"triangle": (_triangle, 1.0), "keyscubic": (_keys_cubic, 2.0), "mitchellcubic": (_mitchell_cubic, 2.0),
            "lanczos3": (_lanczos(3.0), 3.0), "lanczos5": (_lanczos(5.0), 5.0), "gaussian": (_gaussian, 1.5)}


SCALE_AND_TRANSLATE = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")  # methods that are only that


def scale_translate_matrix(in_size, out_size, kernel="triangle", antialias=True):
    """TF's ScaleAndTranslate weights (``antialias=True`` resizes, and the lanczos3/5, gaussian and
    mitchellcubic methods): with ``antialias``, when shrinking, the kernel is stretched by in/out so
    every input pixel contributes; each row is renormalised to sum 1."""
    fn, radius = _KERNELS[kernel]
    scale = F32(out_size) / F32(in_size)
    inv = F32(1.0 / np.float64(scale))
    kscale = max(inv, F32(1)) if antialias else F32(1)
    sample = (np.arange(out_size, dtype=F32) + F32(0.5)) * inv
    reach = F32(radius) * kscale
    start = np.clip(np.ceil(sample - reach - F32(0.5)), 0, in_size - 1)
    end = np.clip(np.floor(sample + reach - F32(0.5)), 0, in_size - 1) + 1
    src = np.arange(in_size, dtype=F32)
    pos = (src[None, :] + F32(0.5) - sample[:, None]) * (F32(1) / kscale)
    w = np.where((src >= start[:, None]) & (src < end[:, None]), fn(np.abs(pos)), F32(0))
    total = w.sum(1, dtype=F32, keepdims=True)
    ok = np.abs(total) >= 1000 * np.finfo(F32).tiny
    return np.where(ok, w * (F32(1) / np.where(ok, total, F32(1))), F32(0)).astype(F32)


def matrix(method, in_size, out_size, antialias=False):
    """The ``[out, in]`` weights of one axis for ``tf.image.resize``'s ``method``."""
    if antialias and method in ("bilinear", "bicubic"):
        return scale_translate_matrix(in_size, out_size, "triangle" if method == "bilinear" else "keyscubic")
    if method in SCALE_AND_TRANSLATE:
        return scale_translate_matrix(in_size, out_size, method, antialias)
    return {"bilinear": bilinear_matrix, "nearest": nearest_matrix, "bicubic": bicubic_matrix,
            "area": area_matrix}[method](in_size, out_size)


def apply(x, mh, mw):
    """``[N, H, W, C]`` -> ``[N, oh, ow, C]``: rows mixed by ``mh`` [oh, H], columns by ``mw`` [ow, W]."""
    n, h, w, c = x.shape
    y = np.matmul(mh.astype(x.dtype, copy=False), x.reshape(n, h, w * c)).reshape(n, -1, w, c)
    return np.matmul(mw.astype(x.dtype, copy=False), y)


def apply_transpose(g, mh, mw):
    """The adjoint of ``apply``: ``[N, oh, ow, C]`` -> ``[N, H, W, C]``."""
    y = np.matmul(mw.T.astype(g.dtype, copy=False), g)
    n, oh, w, c = y.shape
    return np.matmul(mh.T.astype(g.dtype, copy=False), y.reshape(n, oh, w * c)).reshape(n, -1, w, c)
