"""``tf.image.convert_image_dtype``, an op below the namespace so that ``tf.image`` and ``tf.io``
(whose decoders take a ``dtype``) both use it."""
import numpy as np

from ..dtypes import np_dtype
from ..tensor import Tensor
from . import array_ops as A, math_ops as M
from .core import as_tensor


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Convert between dtypes, rescaling: floats are in [0, 1], integers in [0, MAX].

    ``saturate``: clip before a cast that could overflow (float -> int, signed -> unsigned).
    """
    x = as_tensor(image)
    src, dst = x._v.dtype, np_dtype(dtype)
    for d, what in ((dst, "dtype"), (src, "image dtype")):
        if d.kind not in "fiu":
            raise AttributeError(f"convert_image_dtype: {what} must be either floating point or integer, "
                                 f"got {d.name}")
    if src == dst:
        return A.identity(x)
    if src.kind == "f" and dst.kind == "f":
        return M.cast(x, dst)
    if src.kind == "f":
        scaled = x._v * src.type(np.iinfo(dst).max + 0.5)
        return Tensor(_int_cast(scaled, dst, saturate))
    if dst.kind == "f":
        return M.cast(x, dst) * dst.type(1.0 / np.iinfo(src).max)
    mi, mo = np.iinfo(src).max, np.iinfo(dst).max
    if mi > mo:
        return Tensor(_int_cast(x._v // ((mi + 1) // (mo + 1)), dst, saturate))
    return Tensor(_int_cast(x._v, dst, saturate) * dst.type((mo + 1) // (mi + 1)))


def _int_cast(v, dst, saturate):
    info = np.iinfo(dst)
    if saturate:
        lo, hi = info.min, info.max
        if v.dtype.kind == "f":  # the bounds as floats of v's type that do not round past them
            lo, hi = (b if int(b) == i else np.nextafter(b, v.dtype.type(0))
                      for b, i in ((v.dtype.type(lo), lo), (v.dtype.type(hi), hi)))
        v = np.clip(v, lo, hi)
    if v.dtype.kind == "f":
        v = np.trunc(v).astype(np.int64)
    return v.astype(dst)
