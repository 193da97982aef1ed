"""Convolution ops beyond ``conv2d`` (``tf.nn``): transposed, depthwise, separable, 1-D, and
``convolution`` (rank 3 or 4). ``conv2d`` itself lives in ``nn_ops``.

Layouts as TensorFlow: NHWC (NCHW by transposing), filters HWIO; ``conv2d_transpose`` filters
are [kh, kw, out_channels, in_channels] (the HWIO filter of the conv it transposes);
``depthwise_conv2d`` filters are [kh, kw, in_channels, multiplier]; 1-D ops are NWC (NCW).
"""
import numpy as np

from ..errors import InvalidArgumentError
from ..kernels import table as K
from ..kernels.padding import normalize_nn_arg, normalize_padding
from ..tape import record
from . import array_ops as A
from .core import as_tensor, check_format, check_rank, nhwc_padding, pair, require_float, window_geometry
from .nn_ops import conv2d


def _args(op, x, w, w_layout, strides, padding, data_format, dilations):
    """Shared checks: float rank-4 input and filters, normalised strides, dilations, padding."""
    check_format(data_format)
    x0, w0 = x, w
    x, w = as_tensor(x), as_tensor(w)
    check_rank(x, 4, op, "input")
    if w._v.ndim != 4:
        raise ValueError(f"{op}: filters must be a rank-4 tensor {w_layout}, got shape {w.shape}")
    require_float(x, op, "input")
    require_float(w, op, "filters")
    x, w = pair(x0, w0, op)  # a non-tensor argument takes the other's dtype, as in TF
    if w._v.size == 0:
        raise InvalidArgumentError(f"{op}: filters must not have zero elements, got shape {w.shape}")
    s = normalize_nn_arg(strides, "strides", data_format)
    d = normalize_nn_arg(dilations, "dilations", data_format)
    if max(d) > 1 and max(s) > 1:
        raise InvalidArgumentError(f"{op}: dilations {list(d)} > 1 require strides of 1, got strides {list(s)}")
    return x, w, s, d, normalize_padding(padding, data_format)


def _to_nchw(y):
    return A.transpose(y, (0, 3, 1, 2))


def _to_nhwc(x):
    return A.transpose(x, (0, 2, 3, 1))


# ---- conv2d_transpose -----------------------------------------------------------------------

def _output_shape_arg(output_shape, data_format):
    v = output_shape._v if hasattr(output_shape, "_v") else output_shape
    try:
        dims = [int(d) for d in np.asarray(v).reshape(-1)]
    except (TypeError, ValueError):
        raise TypeError(f"conv2d_transpose: output_shape must be a list of 4 ints, got {output_shape!r}") from None
    if len(dims) != 4 or min(dims) <= 0:
        raise InvalidArgumentError(f"conv2d_transpose: output_shape must be 4 positive ints "
                                   f"[batch, height, width, channels] ({data_format}), got {output_shape!r}")
    return tuple(dims) if data_format == "NHWC" else (dims[0], dims[2], dims[3], dims[1])


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",  # noqa: A002
                     dilations=None, name=None):
    """The transpose (adjoint) of ``conv2d``: conv2d's input gradient, as ``tf.nn.conv2d_transpose``.

    Args:
        input: [batch, height, width, in_channels] (NHWC) or NCHW.
        filters: [kh, kw, out_channels, in_channels].
        output_shape: 4 ints, in ``data_format``; ``conv2d`` of that shape with these strides and
            padding must give ``input``'s height and width (as TensorFlow checks).
        strides, dilations: an int or 1, 2 or 4 ints. padding: 'SAME', 'VALID' or explicit.

    Returns:
        [batch, *output_shape[1:3], out_channels] (NHWC).
    """
    x, w, s, d, p = _args("conv2d_transpose", input, filters, "[kh, kw, out_channels, in_channels]",
                          strides, padding, data_format, dilations)
    out_shape = _output_shape_arg(output_shape, data_format)
    if data_format == "NCHW":
        return _to_nchw(conv2d_transpose(_to_nhwc(x), w, list(out_shape), s,
                                         nhwc_padding(p), "NHWC", d))
    n, h, wd, c = x._v.shape
    kh, kw, oc, ic = w._v.shape
    if c != ic:
        raise InvalidArgumentError(f"conv2d_transpose: input has {c} channels but filters expect {ic} "
                                   f"(filters shape {w.shape} is [kh, kw, out_channels, in_channels])")
    if out_shape[0] != n or out_shape[3] != oc:
        raise InvalidArgumentError(f"conv2d_transpose: output_shape {list(out_shape)} must have the input's batch "
                                   f"{n} and the filters' {oc} out_channels")
    geo = window_geometry("conv2d_transpose", out_shape[1:3], (kh, kw), s, d, p)
    if (geo.oh, geo.ow) != (h, wd):
        raise InvalidArgumentError(
            f"conv2d_transpose: output_shape {list(out_shape)} does not fit the input: conv2d of it with "
            f"strides {list(s)} and padding {padding!r} has size {[geo.oh, geo.ow]}, the input has {[h, wd]}")
    y = K.conv2d_backward_input(x._v, w._v, out_shape, geo)
    w_shape = w._v.shape

    def backward(g, v, o, wanted):
        return (K.conv2d_forward(g, v[1], geo)[0] if wanted[0] else None,
                K.conv2d_backward_filter(v[0], None, w_shape, g, geo) if wanted[1] else None)
    return record("Conv2DBackpropInput", y, (x, w), backward)


# ---- depthwise / separable ------------------------------------------------------------------

def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):  # noqa: A002
    """Each input channel convolved with its own ``multiplier`` filters (``tf.nn.depthwise_conv2d``).

    Args:
        input: [batch, height, width, in_channels] (NHWC) or NCHW.
        filter: [kh, kw, in_channels, multiplier].
        strides: 4 ints [1, sh, sw, 1] (an int or 2 ints are accepted too).
        padding: 'SAME', 'VALID' or explicit. dilations: 2 ints (rate), > 1 needs strides of 1.

    Returns:
        [batch, out_height, out_width, in_channels * multiplier]; channel ``c * multiplier + m``
        is channel ``c`` convolved with ``filter[:, :, c, m]``.
    """
    fmt = data_format or "NHWC"
    x, w, s, d, p = _args("depthwise_conv2d", input, filter, "[kh, kw, in_channels, multiplier]",
                          strides, padding, fmt, dilations)
    if fmt == "NCHW":
        return _to_nchw(depthwise_conv2d(_to_nhwc(x), w, s, nhwc_padding(p), "NHWC", d))
    c = x._v.shape[3]
    if c != w._v.shape[2]:
        raise InvalidArgumentError(f"depthwise_conv2d: input has {c} channels but filter expects {w._v.shape[2]} "
                                   f"(filter shape {w.shape} is [kh, kw, in_channels, multiplier])")
    geo = window_geometry("depthwise_conv2d", x._v.shape[1:3], w._v.shape[:2], s, d, p)
    y = K.depthwise_forward(x._v, w._v, geo)
    x_shape, w_shape = x._v.shape, w._v.shape

    def backward(g, v, o, wanted):
        return (K.depthwise_backward_input(g, v[1], x_shape, geo) if wanted[0] else None,
                K.depthwise_backward_filter(g, v[0], w_shape, geo) if wanted[1] else None)
    return record("DepthwiseConv2dNative", y, (x, w), backward)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """``depthwise_conv2d`` then a 1x1 ``conv2d`` (``tf.nn.separable_conv2d``).

    Args:
        depthwise_filter: [kh, kw, in_channels, multiplier].
        pointwise_filter: [1, 1, in_channels * multiplier, out_channels].
        strides, padding, dilations: the depthwise step's (as ``depthwise_conv2d``).
    """
    pw = as_tensor(pointwise_filter)
    dw = as_tensor(depthwise_filter)
    if pw._v.ndim != 4 or pw._v.shape[:2] != (1, 1):
        raise ValueError(f"separable_conv2d: pointwise_filter must be [1, 1, in_channels * multiplier, "
                         f"out_channels], got shape {pw.shape}")
    if dw._v.ndim == 4 and pw._v.shape[2] != dw._v.shape[2] * dw._v.shape[3]:
        raise InvalidArgumentError(
            f"separable_conv2d: pointwise_filter expects {pw._v.shape[2]} channels but the depthwise step "
            f"gives in_channels * multiplier = {dw._v.shape[2] * dw._v.shape[3]} (depthwise_filter {dw.shape})")
    fmt = data_format or "NHWC"
    y = depthwise_conv2d(input, dw, strides, padding, fmt, dilations)
    return conv2d(y, pw, 1, "VALID", fmt)


# ---- 1-D ------------------------------------------------------------------------------------

def _nn_arg_1d(value, name, data_format):
    """stride / dilations of a 1-D op: an int or 1 or 3 ints ([1, s, 1] for NWC)."""
    if value is None:
        return 1
    vals = [value] if not isinstance(value, (list, tuple, np.ndarray)) else list(value)
    if len(vals) == 3:
        c = 2 if data_format == "NWC" else 1
        if vals[0] != 1 or vals[c] != 1:
            raise InvalidArgumentError(f"{name}={value!r}: the batch and channel entries must be 1 for {data_format}")
        vals = [vals[1] if data_format == "NWC" else vals[2]]
    if len(vals) != 1:
        raise InvalidArgumentError(f"{name} must be an int or a list of 1 or 3 ints, got {value!r}")
    return normalize_nn_arg(vals[0], name)[1]


def _padding_1d(padding, data_format):
    if isinstance(padding, str):
        return padding
    pairs = [list(p) for p in padding]
    if len(pairs) == 3:
        c = 2 if data_format == "NWC" else 1
        if pairs[0] != [0, 0] or pairs[c] != [0, 0]:
            raise InvalidArgumentError(
                f"conv1d: explicit padding {padding!r}: the batch and channel pairs must be [0, 0]")
        pairs = [pairs[1] if data_format == "NWC" else pairs[2]]
    if len(pairs) != 1:
        raise InvalidArgumentError(f"conv1d: explicit padding must be [[0,0],[left,right],[0,0]], got {padding!r}")
    return [[0, 0], [0, 0], pairs[0], [0, 0]]


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):  # noqa: A002
    """1-D convolution, as ``conv2d`` over a height-1 axis (``tf.nn.conv1d``).

    Args:
        input: [batch, width, in_channels] (NWC) or [batch, in_channels, width] (NCW).
        filters: [k, in_channels, out_channels].
        stride, dilations: an int or 1 or 3 ints. padding: 'SAME', 'VALID' or [[0,0],[l,r],[0,0]].

    Returns:
        [batch, out_width, out_channels] (NWC).
    """
    if data_format not in ("NWC", "NCW"):
        raise ValueError(f"conv1d: data_format must be 'NWC' or 'NCW', got {data_format!r}")
    x, w = pair(input, filters, "conv1d")
    if x._v.ndim != 3:
        raise ValueError(f"conv1d: input must be a rank-3 tensor [batch, width, channels], got shape {x.shape}")
    if w._v.ndim != 3:
        raise ValueError(f"conv1d: filters must be a rank-3 tensor [k, in_channels, out_channels], got shape {w.shape}")
    s, d = _nn_arg_1d(stride, "stride", data_format), _nn_arg_1d(dilations, "dilations", data_format)
    p = _padding_1d(padding, data_format)
    if data_format == "NCW":
        x = A.transpose(x, (0, 2, 1))
    y = conv2d(A.expand_dims(x, 1), A.expand_dims(w, 0), (1, s), p, "NHWC", (1, d))
    y = A.squeeze(y, [1])
    return A.transpose(y, (0, 2, 1)) if data_format == "NCW" else y


def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None, name=None):  # noqa: A002
    """``conv1d`` for rank-3 input, ``conv2d`` for rank 4 (``tf.nn.convolution``)."""
    rank = np.ndim(as_tensor(input)._v)
    if rank == 3:
        return conv1d(input, filters, 1 if strides is None else strides, padding, data_format or "NWC", dilations)
    if rank == 4:
        return conv2d(input, filters, 1 if strides is None else strides, padding, data_format or "NHWC", dilations)
    raise ValueError(f"convolution: tinytf supports rank-3 (1-D) and rank-4 (2-D) input, got rank {rank}")
