"""Neural-network ops (``tf.nn``): convolution, pooling, batch norm, activations, losses.

Arguments are checked here, at the public boundary, so kernels never see bad shapes.
"""
import numpy as np

from ..backend import rng
from ..errors import InvalidArgumentError
from ..kernels import table as K
from ..kernels.padding import normalize_nn_arg, normalize_padding
from ..tape import is_recording, record
from ..tensor import Tensor
from . import array_ops as A, math_ops as M
from .core import (as_tensor, check_format, check_rank, is_t, norm_axes, nhwc_padding, pair, require_float,
                   window_geometry)


def _nchw(fn, x, *args):
    """Run an NHWC op on NCHW data by transposing in and out."""
    y = fn(A.transpose(x, (0, 2, 3, 1)), *args)
    return A.transpose(y, (0, 3, 1, 2))


# ---- convolution (the other conv ops and tf.nn.convolution: ops/conv_ops.py) -----------------

def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution (cross-correlation, as in TensorFlow).

    Args:
        input: [batch, height, width, in_channels] (NHWC) or [batch, in_channels, height, width] (NCHW).
        filters: [kh, kw, in_channels, out_channels].
        strides, dilations: an int or a list of 1, 2 or 4 ints.
        padding: 'SAME', 'VALID' or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].

    Returns:
        [batch, out_height, out_width, out_channels]; SAME gives ceil(in / stride).

    Example::

        tf.nn.conv2d(tf.random.normal([2, 5, 5, 3]), tf.random.normal([3, 3, 3, 4]), 1, 'SAME')  # [2,5,5,4]
    """
    check_format(data_format)
    x, w = as_tensor(input), as_tensor(filters)
    check_rank(x, 4, "conv2d", "input")
    if w._v.ndim != 4:
        raise ValueError(f"conv2d: filters must be a rank-4 tensor [kh, kw, in_channels, out_channels], "
                         f"got shape {w.shape}")
    require_float(x, "conv2d", "input")
    require_float(w, "conv2d", "filters")
    x, w = pair(input, filters, "conv2d")  # a non-tensor argument takes the other's dtype, as in TF
    s = normalize_nn_arg(strides, "strides", data_format)
    d = normalize_nn_arg(dilations, "dilations", data_format)
    if max(d) > 1 and max(s) > 1:
        raise InvalidArgumentError(f"conv2d: dilations {list(d)} > 1 require strides of 1, got strides {list(s)}")
    p = normalize_padding(padding, data_format)
    if data_format == "NCHW":
        return _nchw(lambda xx: conv2d(xx, w, s, nhwc_padding(p), "NHWC", d), x)
    if w._v.size == 0:
        raise InvalidArgumentError(f"conv2d: filters must not have zero elements, got shape {w.shape}")
    c = x._v.shape[3]
    if c != w._v.shape[2]:
        raise InvalidArgumentError(f"conv2d: input has {c} channels but filters expect {w._v.shape[2]} "
                                   f"(filters shape {w.shape} is [kh, kw, in_channels, out_channels])")
    geo = window_geometry("conv2d", x._v.shape[1:3], w._v.shape[:2], s, d, p)
    y, cols = K.conv2d_forward(x._v, w._v, geo, keep=is_recording())  # inference keeps no window matrix
    x_shape, w_shape = x._v.shape, w._v.shape

    def backward(g, v, o, wanted):
        return (K.conv2d_backward_input(g, v[1], x_shape, geo) if wanted[0] else None,
                K.conv2d_backward_filter(g, cols, w_shape, v[0], geo) if wanted[1] else None)
    return record("Conv2D", y, (x, w), backward)


def bias_add(value, bias, data_format=None, name=None):
    x, b = pair(value, bias, "bias_add")
    if b._v.ndim != 1:
        raise ValueError(f"bias_add: bias must be rank 1, got shape {b.shape}")
    axis = 1 if data_format in ("NCHW", "NCW", "NCDHW") else -1
    if x._v.shape[axis] != b._v.shape[0]:
        raise InvalidArgumentError(f"bias_add: bias of size {b._v.shape[0]} does not match the "
                                   f"{x._v.shape[axis]} channels of value {x.shape}")
    if axis == -1:
        return record("BiasAdd", K.channel_add(x._v, b._v), (x, b), _grad_bias_add, _grad_bias_add)
    return M.add(x, A.reshape(b, (-1,) + (1,) * (x._v.ndim - 2)))


def _grad_bias_add(g, v, o, w):
    return g, g  # the tape sums the bias's gradient over the leading axes


# ---- pooling --------------------------------------------------------------------------------

def _depth_window(ksize, strides, data_format):
    """k for TF's max pooling over channels (``ksize = strides = [1, 1, 1, k]``, NHWC), else None."""
    if data_format != "NHWC" or not isinstance(ksize, (list, tuple)) or len(ksize) != 4 or ksize[3] == 1:
        return None
    k = int(ksize[3])
    if list(ksize[:3]) != [1, 1, 1] or not isinstance(strides, (list, tuple)) or list(strides) != [1, 1, 1, k]:
        raise InvalidArgumentError(f"max_pool: pooling over channels needs ksize = strides = [1, 1, 1, k] "
                                   f"(no spatial window), got ksize={ksize!r}, strides={strides!r}")
    return k


def _depth_max_pool(x, k, padding):
    """Max over groups of k consecutive channels: [n, h, w, c] -> [n, h, w, c // k]; ties share the
    gradient (TensorFlow gives it to one of them)."""
    n, h, w, c = x._v.shape
    if normalize_padding(padding, allow_explicit=False) != "VALID" or c % k:
        raise InvalidArgumentError(f"max_pool over channels: padding must be 'VALID' and the {c} channels a "
                                   f"multiple of the window {k}, got padding={padding!r}")
    return M.reduce_max(A.reshape(x, (n, h, w, c // k, k)), axis=4)


def _pool(kind, input, ksize, strides, padding, data_format):  # noqa: A002
    op = f"{kind}_pool2d"
    check_format(data_format)
    x = as_tensor(input)
    check_rank(x, 4, op, "input")
    require_float(x, op, "input")
    depth = _depth_window(ksize, strides, data_format) if kind == "max" else None
    if depth:
        return _depth_max_pool(x, depth, padding)
    k = normalize_nn_arg(ksize, "ksize", data_format)
    s = normalize_nn_arg(strides, "strides", data_format)
    p = normalize_padding(padding, data_format, allow_explicit=False)
    if data_format == "NCHW":
        return _nchw(lambda xx: _pool(kind, xx, k, s, p, "NHWC"), x)
    geo = window_geometry(op, x._v.shape[1:3], k, s, (1, 1), p)
    if kind == "max":
        if not is_recording():  # inference: no gradient, so no argmax
            return Tensor(K.max_pool_forward(x._v, geo))
        # The forward keeps where each max came from (op-time data); the backward scatters to it.
        out, arg = K.max_pool_forward_argmax(x._v, geo)
        shape = x._v.shape
        return record("MaxPool", out, (x,), lambda g, v, o, w: (K.max_pool_backward_argmax(g, arg, shape, geo),))
    out = K.avg_pool_forward(x._v, geo)
    shape = x._v.shape
    return record("AvgPool", out, (x,), lambda g, v, o, w: (K.avg_pool_backward(g, shape, geo),))


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max over each ksize window; padded cells (SAME) never win."""
    return _pool("max", input, ksize, strides, padding, data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Mean over each ksize window; SAME divides by the number of real (unpadded) cells."""
    return _pool("avg", input, ksize, strides, padding, data_format)


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    x = as_tensor(input)
    if x._v.ndim != 4:
        raise ValueError(f"max_pool: tinytf supports 4-D (2-D spatial) input only, got shape {x.shape}")
    return max_pool2d(x, ksize, strides, padding, data_format or "NHWC")


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    x = as_tensor(input)
    if x._v.ndim != 4:
        raise ValueError(f"avg_pool: tinytf supports 4-D (2-D spatial) input only, got shape {x.shape}")
    return avg_pool2d(x, ksize, strides, padding, data_format or "NHWC")


# ---- batch normalisation --------------------------------------------------------------------

def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over ``axes``; variance is E[(x - mean)^2] (biased), as ``tf.nn.moments``."""
    x = as_tensor(x)
    require_float(x, "moments", "x")
    axes = norm_axes(axes, x._v.ndim, "axes")
    mean = M.reduce_mean(x, axes, keepdims=True)
    var = M.reduce_mean(M.squared_difference(x, A.stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        mean, var = A.squeeze(mean, axes), A.squeeze(var, axes)
    return mean, var


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + eps) + offset, computed as TensorFlow does:
    ``x * inv + (offset - mean * inv)`` with ``inv = scale * rsqrt(variance + eps)``."""
    x = as_tensor(x)
    dt = x._v.dtype
    mean, variance = _as(mean, dt), _as(variance, dt)
    for arg, v in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
        if v is not None:
            try:
                np.broadcast_shapes(np.shape(v._v if is_t(v) else v), x._v.shape)
            except ValueError:
                raise InvalidArgumentError(f"batch_normalization: {arg} of shape {list(np.shape(v._v if is_t(v) else v))} does not "
                                           f"broadcast to x of shape {x.shape}") from None
    inv = M.rsqrt(M.add(variance, variance_epsilon))
    if scale is not None:
        inv = M.multiply(inv, _as(scale, dt))
    shift = M.negative(M.multiply(mean, inv)) if offset is None else \
        M.subtract(_as(offset, dt), M.multiply(mean, inv))
    return M.add(M.multiply(x, inv), shift)


def _as(v, dt):
    """A tensor operand; Python numbers and arrays take ``x``'s dtype, as TensorFlow converts them."""
    return v if is_t(v) else as_tensor(np.asarray(v, dtype=dt))


def fused_batch_norm(x, gamma, beta, epsilon, training, mean=None, variance=None):
    """Batch norm over the last axis in one op (what ``BatchNormalization`` layers use).

    ``training=True`` normalises with the batch statistics and returns ``(y, batch_mean,
    batch_variance)`` (the statistics as arrays, biased variance); otherwise uses the given
    ``mean``/``variance``. ``gamma``/``beta`` may be None (scale/center off).
    """
    x = as_tensor(x)
    c = x._v.shape[-1]
    x2 = x._v.reshape(-1, c)
    params = [p for p in (gamma, beta) if p is not None]
    gv = gamma._v if gamma is not None else None
    bv = beta._v if beta is not None else None
    eps = x._v.dtype.type(epsilon)
    if training:
        mean, var = K.channel_moments(x2)
    else:
        mean, var = as_tensor(mean)._v, as_tensor(variance)._v
    y = K.normalize(x._v, mean, var, gv, bv, eps)

    def backward(g, v, o, wanted):  # fresh on every call: a persistent tape may call it again
        g2 = g.reshape(-1, c)
        if training:
            dx, dgamma, dbeta = K.batch_norm_train_backward(g2, x2, mean, var, gv, eps)
        else:
            rstd = 1 / np.sqrt(var + eps)
            dx = g2 * (rstd if gv is None else gv * rstd) if wanted[0] else None
            dgamma = K.channel_sum(g2 * ((x2 - mean) * rstd)) if gamma is not None else None
            dbeta = K.channel_sum(g2)
        grads = [None if dx is None else dx.reshape(o.shape)]
        grads += [dgamma] if gamma is not None else []
        grads += [dbeta] if beta is not None else []
        return tuple(grads)
    out = record("FusedBatchNorm", y, (x, *params), backward)
    return out, mean, var


# ---- activations ----------------------------------------------------------------------------

def _scaled(name, out, x, slope):
    """Record an activation whose gradient is ``g * slope`` (an array of the output's shape).
    Second order treats ``slope`` as a constant, which is exact for the piecewise-linear ones."""
    return record(name, out, (x,), lambda g, v, o, w: (g * slope,), lambda g, v, o, w: (g * Tensor(slope),))


def relu(features, name=None):
    x = as_tensor(features)
    out = K.relu(x._v)
    return record("Relu", out, (x,), lambda g, v, o, w: (K.relu_backward(g, o),),
                  lambda g, v, o, w: (g * Tensor((o._v > 0).astype(g._v.dtype)),))


def bias_add_relu(value, bias):
    """``relu(value + bias)`` for a bias over the last axis, as one op: one pass forward and one
    backward instead of two each (Keras layers with a bias and ``activation='relu'`` use it; the
    numbers are those of the two ops)."""
    x, b = pair(value, bias, "bias_add_relu")
    if b._v.ndim != 1 or x._v.ndim < 1 or x._v.shape[-1] != b._v.shape[0]:
        return relu(M.add(x, b))
    return record("BiasAddRelu", K.bias_relu(x._v, b._v), (x, b), _grad_bias_relu,
                  lambda g, v, o, w: (g * Tensor((o._v > 0).astype(g._v.dtype)),) * 2)


def _grad_bias_relu(g, v, o, wanted):
    dx = K.relu_backward(g, o)
    return dx, dx  # the tape sums the bias's gradient over the leading axes


def relu6(features, name=None):
    x = as_tensor(features)
    out = np.clip(x._v, 0, 6).astype(x._v.dtype)
    return _scaled("Relu6", out, x, ((x._v > 0) & (x._v < 6)).astype(x._v.dtype))


def leaky_relu(features, alpha=0.2, name=None):
    x = as_tensor(features)
    a = x._v.dtype.type(alpha)
    return _scaled("LeakyRelu", np.where(x._v > 0, x._v, x._v * a), x,
                   np.where(x._v > 0, 1, a).astype(x._v.dtype))


def elu(features, name=None):
    x = as_tensor(features)
    out = np.where(x._v > 0, x._v, np.expm1(np.minimum(x._v, 0))).astype(x._v.dtype)
    return _scaled("Elu", out, x, np.where(x._v > 0, 1, out + 1).astype(out.dtype))


def selu(features, name=None):
    a, s = 1.6732632423543772, 1.0507009873554805
    return M.multiply(s, A.where(M.greater(features, 0), features, M.multiply(a, elu(features))))


def silu(features, beta=1.0, name=None):
    x = as_tensor(features)
    return M.multiply(x, M.sigmoid(M.multiply(x, beta)))


swish = silu


def softsign(features, name=None):
    x = as_tensor(features)
    return M.divide(x, M.add(M.abs(x), 1))


def gelu(features, approximate=False, name=None):
    """TensorFlow's formulas, op for op: ``0.5 * x * erfc(-x * 0.7071067811865476)``, or with
    ``approximate`` ``0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x**3)))``."""
    x = as_tensor(features)
    if x._v.dtype.kind != "f":
        raise ValueError("`features.dtype` must be a floating point tensor. "
                         f"Received: features.dtype={x._v.dtype.name}")
    dt = x._v.dtype.type
    half = M.multiply(dt(0.5), x)
    if approximate:
        inner = M.add(x, M.multiply(dt(0.044715), M.pow(x, dt(3))))
        return M.multiply(half, M.add(dt(1.0), M.tanh(M.multiply(dt(0.7978845608028654), inner))))
    return M.multiply(half, M.erfc(M.multiply(M.negative(x), dt(0.7071067811865476))))


def _axis(axis, x, op):
    nd = max(x._v.ndim, 1)
    if not isinstance(axis, (int, np.integer)) or not -nd <= axis < nd:
        raise InvalidArgumentError(f"{op}: axis {axis!r} is out of range for a rank-{x._v.ndim} tensor")
    return int(axis)


def softmax(logits, axis=None, name=None):
    x = as_tensor(logits)
    require_float(x, "softmax", "logits")
    ax = _axis(-1 if axis is None else axis, x, "softmax")
    e = np.exp(x._v - x._v.max(axis=ax, keepdims=True))
    out = e / e.sum(axis=ax, keepdims=True)

    return record("Softmax", out, (x,), lambda g, v, o, w: (o * (g - (g * o).sum(axis=ax, keepdims=True)),),
                  lambda g, v, o, w: (o * (g - M.reduce_sum(g * o, ax, keepdims=True)),))


def log_softmax(logits, axis=None, name=None):
    x = as_tensor(logits)
    require_float(x, "log_softmax", "logits")
    ax = _axis(-1 if axis is None else axis, x, "log_softmax")
    z = x._v - x._v.max(axis=ax, keepdims=True)
    out = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))

    return record("LogSoftmax", out, (x,), lambda g, v, o, w: (g - np.exp(o) * g.sum(axis=ax, keepdims=True),),
                  lambda g, v, o, w: (g - M.exp(o) * M.reduce_sum(g, ax, keepdims=True),))


# ---- losses ---------------------------------------------------------------------------------

def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Per-example -sum(labels * log_softmax(logits)); gradients to both."""
    z, y = pair(as_tensor(logits), labels, "softmax_cross_entropy_with_logits")
    require_float(z, "softmax_cross_entropy_with_logits", "logits")
    if y._v.shape != z._v.shape:
        raise InvalidArgumentError(f"softmax_cross_entropy_with_logits: labels shape {y.shape} must equal "
                                   f"logits shape {z.shape}")
    _axis(axis, z, "softmax_cross_entropy_with_logits")
    ls = log_softmax(z, axis)
    return M.negative(M.reduce_sum(M.multiply(y, ls), axis))


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Per-example -log_softmax(logits)[label] for integer labels in [0, classes)."""
    z = as_tensor(logits)
    require_float(z, "sparse_softmax_cross_entropy_with_logits", "logits")
    y = np.asarray(as_tensor(labels)._v)
    if y.dtype.kind not in "iu":
        raise TypeError(f"sparse_softmax_cross_entropy_with_logits: labels must be integers, got {y.dtype.name}")
    if y.shape != z._v.shape[:-1]:
        raise InvalidArgumentError(f"sparse_softmax_cross_entropy_with_logits: labels shape {y.shape} must be "
                                   f"logits shape {z.shape} without the last axis")
    n = z._v.shape[-1]
    if y.size and (y.min() < 0 or y.max() >= n):
        bad = y[(y < 0) | (y >= n)].flat[0]
        raise InvalidArgumentError(f"Received a label value of {bad} which is outside the valid range of [0, {n}).")
    zz = z._v - z._v.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(zz).sum(axis=-1, keepdims=True))
    logp = zz - lse
    loss = -np.take_along_axis(logp, y[..., None], -1)[..., 0]

    def backward(g, v, o, w):  # softmax(z) - one_hot(y)
        p = np.exp(logp)
        np.put_along_axis(p, y[..., None], np.take_along_axis(p, y[..., None], -1) - 1, -1)
        return (g[..., None] * p,)
    return record("SparseSoftmaxCrossEntropyWithLogits", loss, (z,), backward)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(z, 0) - z * y + log(1 + exp(-|z|)), elementwise; d/dz = sigmoid(z) - y, d/dy = -z."""
    z, y = pair(as_tensor(logits), labels, "sigmoid_cross_entropy_with_logits")
    require_float(z, "sigmoid_cross_entropy_with_logits", "logits")
    if y._v.shape != z._v.shape:
        raise InvalidArgumentError(f"sigmoid_cross_entropy_with_logits: labels shape {y.shape} must equal "
                                   f"logits shape {z.shape}")
    zv, yv = z._v, y._v
    out = np.maximum(zv, 0) - zv * yv + np.log1p(np.exp(-np.abs(zv)))
    return record("SigmoidCrossEntropyWithLogits", out.astype(zv.dtype), (z, y),
                  lambda g, v, o, w: (g * (K.sigmoid(v[0]) - v[1]) if w[0] else None, -g * v[0] if w[1] else None))


def l2_loss(t, name=None):
    return M.multiply(M.reduce_sum(M.square(t)), 0.5)


# ---- dropout --------------------------------------------------------------------------------

def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zero each element with probability ``rate`` and scale the rest by 1 / (1 - rate)."""
    x = as_tensor(x)
    require_float(x, "dropout", "x")
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    if rate == 0:
        return x
    shape = x._v.shape if noise_shape is None else tuple(noise_shape)
    try:
        np.broadcast_shapes(shape, x._v.shape)
    except ValueError:
        raise InvalidArgumentError(f"dropout: noise_shape {list(shape)} is not broadcastable to x {x.shape}") from None
    keep = rng(seed).random(shape, dtype=np.float32) >= rate
    scale = x._v.dtype.type(1 / (1 - rate))
    mask = (np.broadcast_to(keep, x._v.shape) * scale).astype(x._v.dtype)
    return _scaled("Dropout", x._v * mask, x, mask)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    l = as_tensor(per_example_loss)
    n = global_batch_size or l._v.shape[0]
    if sample_weight is not None:
        l = M.multiply(l, sample_weight)
    return M.divide(M.reduce_sum(l), l._v.dtype.type(n))


def scale_regularization_loss(regularization_loss):
    """The summed regularization loss (a tensor or a list of them), as ``tf.nn`` gives it to a
    replica. TF divides it by the number of replicas, whose gradients it then sums; tinytf's
    replicas weight their gradients by their share of the batch (``tinytf.distribute``), so one
    replica's term is the whole sum either way."""
    if isinstance(regularization_loss, (list, tuple)):
        regularization_loss = A.stack([as_tensor(t) for t in regularization_loss]) if regularization_loss \
            else as_tensor(np.float32(0))
    return M.reduce_sum(regularization_loss)


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "np", "rng", "record", "Tensor", "as_tensor", "A", "M", "K", "is_t", "pair", "require_float", "norm_axes",
    "normalize_nn_arg", "normalize_padding", "InvalidArgumentError", "check_format", "check_rank",
    "nhwc_padding", "window_geometry")]
