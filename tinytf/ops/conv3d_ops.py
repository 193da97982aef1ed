"""3-D convolution and pooling (``tf.nn.conv3d``, ``max_pool3d``, ``avg_pool3d``), NDHWC
(NCDHW by transposing), filters [kd, kh, kw, in_channels, out_channels].

Built from the 2-D ops (so the gradients are theirs): the input is padded in depth, and for
each kernel depth offset ``i`` the depth slices it meets (``i * dilation``, stepping by the
stride) are folded into the batch and convolved (average-pooled) in 2-D; the kd results are summed.
Max pooling is one op over the kd*kh*kw strided slices, its gradient TensorFlow's (every cell equal
to its window's max gets the gradient).
Average pooling divides by the product of per-axis counts of real cells, which is TensorFlow's
count of real cells in a 3-D window, so it is the 2-D average (which handles height and width)
summed over depth and divided by the depth count.
"""
import numpy as np

from ..errors import InvalidArgumentError
from ..kernels.padding import axis_plan
from ..tape import record
from . import array_ops as A, math_ops as M
from .core import as_tensor, require_float
from .conv_ops import conv2d_transpose
from .nn_ops import avg_pool2d, conv2d

FORMATS = ("NDHWC", "NCDHW")


def _triple(value, name, data_format, op):
    """An int, 3 ints, or 5 ints with 1 for batch and channels -> (d, h, w)."""
    vals = [value] if np.ndim(value) == 0 else [int(v) for v in np.asarray(value).reshape(-1)]
    if len(vals) == 5:
        c = 4 if data_format == "NDHWC" else 1
        if vals[0] != 1 or vals[c] != 1:
            raise InvalidArgumentError(f"{op}: {name}={list(vals)}: the batch and channel entries must be 1 "
                                       f"for {data_format}")
        vals = vals[1:4] if data_format == "NDHWC" else vals[2:5]
    if len(vals) == 1:
        vals = vals * 3
    if len(vals) != 3 or min(int(v) for v in vals) < 1:
        raise InvalidArgumentError(f"{op}: {name} must be a positive int or a list of 3 or 5 positive ints, "
                                   f"got {value!r}")
    return tuple(int(v) for v in vals)


def _input(op, x, data_format, padding):
    if data_format not in FORMATS:
        raise ValueError(f"{op}: data_format must be 'NDHWC' or 'NCDHW', got {data_format!r}")
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"{op}: padding must be 'SAME' or 'VALID', got {padding!r}")
    x = as_tensor(x)
    if x._v.ndim != 5:
        raise ValueError(f"{op}: input must be a rank-5 tensor [batch, depth, height, width, channels] "
                         f"({data_format}), got shape {x.shape}")
    require_float(x, op, "input")
    if data_format == "NCDHW":
        x = A.transpose(x, (0, 2, 3, 4, 1))
    return x, padding.upper()


def _depth_slices(op, x, k, s, d, padding, fill):
    """(depth-padded x, out depth, [start of each kernel offset's slice]) for the window k (3 ints)."""
    plans = [axis_plan(n, *a, padding) for n, a in zip(x._v.shape[1:4], zip(k, s, d))]
    if min(p[0] for p in plans) <= 0:
        raise InvalidArgumentError(f"{op}: the window {tuple(k)} (dilations {tuple(d)}) does not fit the input "
                                   f"{tuple(x._v.shape[1:4])} (depth, height, width) with padding {padding!r}")
    od, front, back = plans[0]
    if front or back:
        x = A.pad(x, [[0, 0], [front, back], [0, 0], [0, 0], [0, 0]], constant_values=fill)
    return x, od, [i * d[0] for i in range(k[0])]


def _fold(x, start, s, od):
    """x[:, start::s][:, :od] as a batch of 2-D images [N*od, H, W, C]."""
    n, _, h, w, c = x._v.shape
    return A.reshape(A.getitem(x, (slice(None), slice(start, start + s * (od - 1) + 1, s))), (n * od, h, w, c))


def _unfold(y, n, od):
    return A.reshape(y, (n, od) + tuple(y._v.shape[1:]))


def _output(y, data_format):
    return A.transpose(y, (0, 4, 1, 2, 3)) if data_format == "NCDHW" else y


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):  # noqa: A002
    """3-D convolution (cross-correlation), as ``tf.nn.conv3d``.

    Args:
        input: [batch, depth, height, width, in_channels] (NDHWC) or NCDHW.
        filters: [kd, kh, kw, in_channels, out_channels].
        strides, dilations: an int, 3 ints or 5 ints ([1, sd, sh, sw, 1]); dilations > 1 need strides of 1.
        padding: 'SAME' or 'VALID'.
    """
    x, pad = _input("conv3d", input, data_format, padding)
    w = as_tensor(filters)
    require_float(w, "conv3d", "filters")
    if w._v.ndim != 5:
        raise ValueError(f"conv3d: filters must be a rank-5 tensor [kd, kh, kw, in_channels, out_channels], "
                         f"got shape {w.shape}")
    if w._v.dtype != x._v.dtype:
        raise InvalidArgumentError(f"conv3d: input and filters must have the same dtype, got "
                                   f"{x._v.dtype.name} and {w._v.dtype.name}")
    if x._v.shape[4] != w._v.shape[3]:
        raise InvalidArgumentError(f"conv3d: input has {x._v.shape[4]} channels but filters expect "
                                   f"{w._v.shape[3]} (filters shape {w.shape})")
    s = _triple(strides, "strides", data_format, "conv3d")
    d = _triple(1 if dilations is None else dilations, "dilations", data_format, "conv3d")
    if max(d) > 1 and max(s) > 1:
        raise InvalidArgumentError(f"conv3d: dilations {list(d)} > 1 require strides of 1, got strides {list(s)}")
    n = x._v.shape[0]
    x, od, starts = _depth_slices("conv3d", x, w._v.shape[:3], s, d, pad, 0)
    parts = [conv2d(_fold(x, st, s[0], od), A.getitem(w, i), s[1:], pad, "NHWC", d[1:])
             for i, st in enumerate(starts)]
    return _output(_unfold(M.add_n(parts) if len(parts) > 1 else parts[0], n, od), data_format)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NDHWC",  # noqa: A002
                     dilations=None, name=None):
    """The transpose (adjoint) of ``conv3d`` (its input gradient), as ``tf.nn.conv3d_transpose``.

    Args:
        input: [batch, depth, height, width, in_channels] (NDHWC) or NCDHW.
        filters: [kd, kh, kw, out_channels, in_channels].
        output_shape: 5 ints in ``data_format``; conv3d of that shape must give ``input``'s size.
        strides, dilations: an int, 3 or 5 ints. padding: 'SAME' or 'VALID'.
    """
    x, pad = _input("conv3d_transpose", input, data_format, padding)
    w = as_tensor(filters)
    require_float(w, "conv3d_transpose", "filters")
    if w._v.ndim != 5:
        raise ValueError(f"conv3d_transpose: filters must be a rank-5 tensor [kd, kh, kw, out_channels, "
                         f"in_channels], got shape {w.shape}")
    dims = [int(d) for d in np.asarray(getattr(output_shape, "_v", output_shape)).reshape(-1)]
    if len(dims) != 5:
        raise InvalidArgumentError(f"conv3d_transpose: output_shape must be 5 ints, got {output_shape!r}")
    if data_format == "NCDHW":
        dims = [dims[0]] + dims[2:] + [dims[1]]
    n, c = x._v.shape[0], x._v.shape[4]
    kd, _, _, oc, ic = w._v.shape
    if c != ic or dims[0] != n or dims[4] != oc:
        raise InvalidArgumentError(f"conv3d_transpose: input {list(x._v.shape)} (NDHWC), filters {w.shape} "
                                   f"[kd, kh, kw, out_channels, in_channels] and output_shape {dims} (NDHWC) do "
                                   f"not agree on batch and channels")
    s = _triple(strides, "strides", data_format, "conv3d_transpose")
    d = _triple(1 if dilations is None else dilations, "dilations", data_format, "conv3d_transpose")
    plans = [axis_plan(m, *a, pad) for m, a in zip(dims[1:4], zip(w._v.shape[:3], s, d))]
    if [p[0] for p in plans] != list(x._v.shape[1:4]):
        raise InvalidArgumentError(f"conv3d_transpose: output_shape {dims} does not fit the input: conv3d of it "
                                   f"gives {[p[0] for p in plans]}, the input has {list(x._v.shape[1:4])}")
    depth, (idepth, front, back) = dims[1], plans[0]
    padded = depth + front + back
    folded = A.reshape(x, (n * idepth,) + tuple(x._v.shape[2:]))
    parts = []
    for i in range(kd):
        t = conv2d_transpose(folded, A.getitem(w, i), [n * idepth] + dims[2:], s[1:], pad, "NHWC", d[1:])
        t = A.reshape(t, [n, idepth] + dims[2:])
        if s[0] > 1:  # the depth slices go to every s-th position: interleave zeros
            t = A.reshape(A.pad(A.expand_dims(t, 2), [[0, 0], [0, 0], [0, s[0] - 1]] + [[0, 0]] * 3),
                          [n, idepth * s[0]] + dims[2:])
            t = A.getitem(t, (slice(None), slice(0, (idepth - 1) * s[0] + 1)))
        start = i * d[0]
        parts.append(A.pad(t, [[0, 0], [start, padded - start - t._v.shape[1]]] + [[0, 0]] * 3))
    y = M.add_n(parts) if len(parts) > 1 else parts[0]
    return _output(A.getitem(y, (slice(None), slice(front, front + depth))), data_format)


def _pool3d(op, x, ksize, strides, padding, data_format):
    x, pad = _input(op, x, data_format, padding)
    k = _triple(ksize, "ksize", data_format, op)
    s = _triple(strides, "strides", data_format, op)
    if op == "max_pool3d":
        return _output(_max_pool3d(x, k, s, pad), data_format)
    n, depth = x._v.shape[:2]
    x, od, starts = _depth_slices(op, x, k, s, (1, 1, 1), pad, 0)
    parts = [avg_pool2d(_fold(x, st, s[0], od), k[1:], s[1:], pad) for st in starts]
    y = _unfold(M.add_n(parts) if len(parts) > 1 else parts[0], n, od)
    _, front, _ = axis_plan(depth, k[0], s[0], 1, pad)
    starts = np.arange(od) * s[0] - front
    counts = np.minimum(starts + k[0], depth) - np.maximum(starts, 0)
    return _output(M.divide(y, counts.astype(y._v.dtype).reshape(1, od, 1, 1, 1)), data_format)


def _max_pool3d(x, k, s, pad):
    """The max over the k windows (padded cells -inf) as one op whose gradient goes, as
    TensorFlow's MaxPool3DGrad, to every cell of a window equal to its max (ties each get it)."""
    plans = [axis_plan(n, kk, ss, 1, pad) for n, kk, ss in zip(x._v.shape[1:4], k, s)]
    if min(p[0] for p in plans) <= 0:
        raise InvalidArgumentError(f"max_pool3d: the window {tuple(k)} does not fit the input "
                                   f"{tuple(x._v.shape[1:4])} (depth, height, width) with padding {pad!r}")
    xv = x._v
    xp = np.pad(xv, [(0, 0)] + [(p[1], p[2]) for p in plans] + [(0, 0)], constant_values=-np.inf)
    cells = [(slice(None),) + tuple(slice(o, o + st * (p[0] - 1) + 1, st) for o, st, p in zip(off, s, plans))
             for off in np.ndindex(*k)]
    out = xp[cells[0]].copy()
    for c in cells[1:]:
        np.maximum(out, xp[c], out=out)

    def backward(g, v, o, wanted):
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        for c in cells:
            dxp[c] += np.where(xp[c] == out, g, 0)
        return (dxp[(slice(None),) + tuple(slice(p[1], p[1] + n) for p, n in zip(plans, xv.shape[1:4]))],)
    return record("MaxPool3D", out, (x,), backward)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Max over each [kd, kh, kw] window (``tf.nn.max_pool3d``); padded cells never win."""
    return _pool3d("max_pool3d", input, ksize, strides, padding, data_format)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Mean over each [kd, kh, kw] window (``tf.nn.avg_pool3d``); SAME divides by the real cells."""
    return _pool3d("avg_pool3d", input, ksize, strides, padding, data_format)
