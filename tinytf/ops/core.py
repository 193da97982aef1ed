"""Argument conversion for ops: TensorFlow's dtype rules, axes, dtype, rank and data-format checks, and
the window geometry of the conv / pool ops."""
import sys

import numpy as np

from ..errors import InvalidArgumentError
from ..kernels import table as K
from ..tensor import Tensor, Variable, short_repr, to_array
from ..tensor import __file__ as _tensor_file


def as_tensor(x, dtype=None):
    """A Tensor from anything tensor-like (fast path for tensors)."""
    if type(x) is Tensor or type(x) is Variable:
        if dtype is not None and x._v.dtype != dtype:
            raise InvalidArgumentError(f"expected a {np.dtype(dtype).name} tensor, got {x._v.dtype.name}")
        return x
    if isinstance(x, Tensor):
        return x
    try:
        v = to_array(x, dtype)
    except TypeError:
        v = None
    if v is None or v.dtype.kind in "USO":
        raise TypeError(f"{_op_arg(x) or 'a tensor argument'} must be a number or a tensor, got {short_repr(x)}")
    return Tensor(v)


def _op_arg(value):
    """``"relu: features"``: the public op, and its parameter, that passed ``value`` to the
    conversion helpers (read from the call stack; only used to word an error)."""
    f = sys._getframe(1)
    while f is not None and (f.f_code.co_filename in (__file__, _tensor_file) or f.f_code.co_name.startswith("_")):
        f = f.f_back
    if f is None:
        return None
    code = f.f_code
    for name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
        if f.f_locals.get(name) is value:
            return f"{code.co_name}: {name}"
    return None


def pair(x, y, op):
    """Two operands of a binary op as Tensors of one dtype (a non-tensor takes the other's dtype)."""
    xt, yt = isinstance(x, Tensor), isinstance(y, Tensor)
    if xt and yt:
        if x._v.dtype != y._v.dtype:
            raise InvalidArgumentError(
                f"{op}: both operands must have the same dtype, got {x._v.dtype.name} and "
                f"{y._v.dtype.name}; use tf.cast")
        return x, y
    if xt:
        return x, _like(y, x._v.dtype, op)
    if yt:
        return _like(x, y._v.dtype, op), y
    x = as_tensor(x)
    return x, _like(y, x._v.dtype, op)


def _like(v, dtype, op):
    if isinstance(v, Tensor) and v._v.dtype == dtype:
        return v
    return Tensor(_convert_like(v, dtype, op))


def _convert_like(v, dtype, op):
    a = np.asarray(v._v if isinstance(v, Tensor) else v)
    if a.dtype == dtype:
        return a
    if a.dtype.kind == "f" and dtype.kind in "iub" and not np.all(np.mod(a, 1) == 0):
        raise TypeError(f"{op}: cannot convert {v!r} to a {dtype.name} tensor; cast one operand with tf.cast")
    if a.dtype.kind in "OUS":
        raise TypeError(f"{op}: cannot use {type(v).__name__} {v!r} as a tensor")
    return a.astype(dtype)


def is_t(x):
    return isinstance(x, Tensor)


def norm_axes(axis, ndim, name="axis"):
    """A sorted tuple of non-negative axes from None / int / list, checked against ``ndim``."""
    if axis is None:
        return tuple(range(ndim))
    if is_t(axis):
        axis = axis._v.tolist()
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{name} must be an int or a list of ints, got {axis!r}")
        if not -ndim <= a < max(ndim, 1):
            raise InvalidArgumentError(f"{name}={axis!r} is out of range for a rank-{ndim} tensor")
        out.append(int(a) % max(ndim, 1))
    return tuple(sorted(set(out)))


def require_float(x, op, arg="x"):
    if x._v.dtype.kind != "f":
        raise TypeError(f"{op}: {arg} must be a float tensor, got {x._v.dtype.name}")


def check_format(data_format):
    """The 4-D ``data_format`` of the conv and pool ops."""
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")


def check_rank(x, rank, op, arg):
    """``x`` (argument ``arg`` of ``op``) must have rank ``rank``."""
    if x._v.ndim != rank:
        raise ValueError(f"{op}: {arg} must be a rank-{rank} tensor "
                         f"{'[batch, height, width, channels]' if rank == 4 else ''}, got shape {x.shape}")


def window_geometry(op, x_hw, k_hw, strides, dilations, padding):
    """The kernel table's ``ConvGeometry``; an error naming ``op`` if the output would be empty."""
    geo = K.geometry(tuple(x_hw), tuple(k_hw), strides, dilations, padding)
    if geo.oh <= 0 or geo.ow <= 0:
        ke = tuple((k - 1) * d + 1 for k, d in zip(k_hw, dilations))
        raise InvalidArgumentError(
            f"{op}: the window {tuple(k_hw)} (dilated {ke}) is larger than the padded input "
            f"{geo.padded_hw} with padding {padding!r}: the output would be empty")
    return geo


def nhwc_padding(p):
    """A normalised padding (a name or ((top, bottom), (left, right))) as ``conv2d``'s NHWC argument."""
    return p if isinstance(p, str) else [[0, 0], list(p[0]), list(p[1]), [0, 0]]
