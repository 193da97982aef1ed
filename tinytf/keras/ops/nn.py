"""``keras.ops``' neural-network ops: activations, convolution, pooling, one-hot, cross entropies
and moments, over ``tf.nn`` (1-D and 2-D spatial inputs; tinytf has no 3-D convolution)."""
import warnings

import numpy as np

from ...backend import floatx
from ...dtypes import np_dtype
from ...kernels.padding import transpose_output_size
from ...ops import array_ops as A, conv_ops as C, math_ops as M, nn_ops as N
from ...tensor import Tensor
from .. import activations as _act
from .. import losses as _losses
from .core import convert_to_tensor, float_operand, operands

# ---- activations -----------------------------------------------------------------------------


def relu(x):
    return N.relu(convert_to_tensor(x))


def relu6(x):
    return N.relu6(convert_to_tensor(x))


def sigmoid(x):
    return _act.sigmoid(float_operand(x))


def tanh(x):
    return M.tanh(float_operand(x))


def softplus(x):
    return M.softplus(float_operand(x))


def softsign(x):
    return N.softsign(float_operand(x))


def silu(x):
    return N.silu(float_operand(x))


swish = silu


def log_sigmoid(x):
    """``-softplus(-x)`` (``tf.math.log_sigmoid``)."""
    return M.negative(M.softplus(M.negative(float_operand(x))))


def leaky_relu(x, negative_slope=0.2):
    return N.leaky_relu(float_operand(x), negative_slope)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``, as Keras 3's TensorFlow backend."""
    x = float_operand(x)
    dt = np.asarray(x).dtype.type
    return M.divide(N.relu6(M.add(x, dt(3.0))), dt(6.0))


def hard_silu(x):
    x = float_operand(x)
    return M.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def elu(x, alpha=1.0):
    x = float_operand(x)
    out = N.elu(x)
    return out if alpha == 1 else A.where(M.greater(x, 0), out, M.multiply(np.asarray(x).dtype.type(alpha), out))


def selu(x):
    return N.selu(float_operand(x))


def gelu(x, approximate=True):
    """Keras 3's ``ops.gelu`` defaults to the tanh approximation (``activations.gelu`` does not)."""
    return N.gelu(float_operand(x), approximate=approximate)


def celu(x, alpha=1.0):
    """``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    x = float_operand(x)
    dt = np.asarray(x).dtype.type
    neg = M.expm1(M.divide(M.minimum(x, dt(0)), dt(alpha)))
    return M.add(M.maximum(x, dt(0)), M.multiply(dt(alpha), neg))


def glu(x, axis=-1):
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``axis``."""
    x = float_operand(x)
    if np.asarray(x).shape[axis] % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={x.shape} with axis={axis}")
    a, b = A.split(x, 2, axis)
    return M.multiply(a, M.sigmoid(b))


def hard_tanh(x):
    return M.clip_by_value(float_operand(x), -1.0, 1.0)


def hard_shrink(x, threshold=0.5):
    x = float_operand(x)
    return A.where(M.greater(M.abs(x), np.asarray(x).dtype.type(threshold)), x, A.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    x = float_operand(x)
    t = np.asarray(x).dtype.type(threshold)
    return A.where(M.greater(x, t), M.subtract(x, t), A.where(M.less(x, -t), M.add(x, t), A.zeros_like(x)))


def tanh_shrink(x):
    x = float_operand(x)
    return M.subtract(x, M.tanh(x))


def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``."""
    x = float_operand(x)
    dt = np.asarray(x).dtype.type
    return M.divide(M.add(x, M.sqrt(M.add(M.square(x), dt(b)))), dt(2))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = float_operand(x)
    return A.where(M.greater(x, np.asarray(x).dtype.type(threshold)), x, np.asarray(x).dtype.type(default_value))


def sparse_plus(x):
    """0 below -1, ``(x + 1)^2 / 4`` on [-1, 1), ``x`` above."""
    x = float_operand(x)
    dt = np.asarray(x).dtype.type
    mid = M.multiply(dt(0.25), M.pow(M.add(x, dt(1)), dt(2)))
    return A.where(M.less_equal(x, dt(-1)), A.zeros_like(x), A.where(M.less(x, dt(1)), mid, x))


def sparse_sigmoid(x):
    """0 below -1, ``(x + 1) / 2`` on (-1, 1), 1 above."""
    x = float_operand(x)
    dt = np.asarray(x).dtype.type
    return A.where(M.less_equal(x, dt(-1)), dt(0), A.where(M.greater_equal(x, dt(1)), dt(1),
                                                             M.multiply(dt(0.5), M.add(x, dt(1)))))


def _flat_axis(f, x, axis):
    x = float_operand(x)
    if axis is None:
        return A.reshape(f(A.reshape(x, [-1]), -1), np.asarray(x).shape)
    if isinstance(axis, (tuple, list)):  # move the axes last, flatten them, then back
        nd = x.ndim
        axes = sorted(a % nd for a in axis)
        rest = [i for i in range(nd) if i not in axes]
        moved = A.transpose(x, rest + axes)
        shape = np.asarray(moved).shape
        out = A.reshape(f(A.reshape(moved, [int(np.prod(shape[:len(rest)]))] + [-1]) if rest
                          else A.reshape(moved, [-1]), -1), shape)
        return A.transpose(out, np.argsort(rest + axes).tolist())
    return f(x, axis)


def softmax(x, axis=-1):
    out = _flat_axis(N.softmax, x, axis)
    out._keras_logits = x if isinstance(x, Tensor) else convert_to_tensor(x)
    return out


def log_softmax(x, axis=-1):
    return _flat_axis(N.log_softmax, x, axis)


# ---- convolution and pooling -------------------------------------------------------------------

def _data_format(data_format):
    from ..backend import image_data_format
    fmt = image_data_format() if data_format is None else str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', 'channels_last'}}. "
                         f"Received: data_format={data_format}")
    return fmt


def _padding(padding):
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: padding={padding}")
    return p.upper()


def _spatial(inputs, op, data_format):
    x = convert_to_tensor(inputs)
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: inputs must be 3-D or 4-D (1-D or 2-D spatial; tinytf has no 3-D "
                         f"{op}), got shape {x.shape}")
    fmt = _data_format(data_format)
    if fmt == "channels_first":  # tinytf's ops compute channels-last
        x = A.transpose(x, [0] + list(range(2, x.ndim)) + [1])
    return x, fmt


def _back(y, fmt):
    if fmt == "channels_first":
        return A.transpose(y, [0, y.ndim - 1] + list(range(1, y.ndim - 1)))
    return y


def _tuple(value, n, name):
    v = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(v) != n or any(int(i) < 1 for i in v):
        raise ValueError(f"`{name}` must be a positive int or a tuple of {n} positive ints. Received: {name}={value}")
    return tuple(int(i) for i in v)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """``kernel``: spatial dims + (in_channels, out_channels), as Keras's Conv layers hold it."""
    x, fmt = _spatial(inputs, "conv", data_format)
    x, w = operands(x, kernel)
    n = x.ndim - 2
    if w.ndim != n + 2:
        raise ValueError(f"conv: kernel must have rank {n + 2} for rank-{n + 2} inputs, got shape {w.shape}")
    if np.asarray(w).shape[-2] != np.asarray(x).shape[-1]:
        raise ValueError(f"The number of input channels ({np.asarray(x).shape[-1]}) does not match the kernel's "
                         f"input channels ({np.asarray(w).shape[-2]}); grouped convolution is not in tinytf")
    s, d = _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate")
    if n == 2:
        y = N.conv2d(x, w, s, _padding(padding), dilations=d)
    else:
        y = C.conv1d(x, w, s[0], _padding(padding), dilations=d[0])
    return _back(y, fmt)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """The gradient of ``conv`` with respect to its input (2-D spatial; ``kernel``: spatial dims +
    (out_channels, in_channels)); the output size is Keras's (``kernels/padding.py:
    transpose_output_size``)."""
    x, fmt = _spatial(inputs, "conv_transpose", data_format)
    if x.ndim != 4:
        raise ValueError(f"conv_transpose: tinytf has 2-D transposed convolution only (rank-4 inputs), got "
                         f"shape {x.shape}")
    x, w = operands(x, kernel)
    if w.ndim != 4 or np.asarray(w).shape[-1] != np.asarray(x).shape[-1]:
        raise ValueError(f"conv_transpose: kernel must be (kh, kw, out_channels, "
                         f"in_channels={np.asarray(x).shape[-1]}), got shape {w.shape}")
    s, d = _tuple(strides, 2, "strides"), _tuple(dilation_rate, 2, "dilation_rate")
    pad = _padding(padding)
    op = (None, None) if output_padding is None else _tuple_or_zero(output_padding)
    hw = [transpose_output_size(n, k, st, dr, pad, p)
          for n, k, st, dr, p in zip(np.asarray(x).shape[1:3], np.asarray(w).shape[:2], s, d, op)]
    y = C.conv2d_transpose(x, w, [np.asarray(x).shape[0], *hw, np.asarray(w).shape[2]], s, pad, dilations=d)
    return _back(y, fmt)


def _tuple_or_zero(value):
    v = (value,) * 2 if isinstance(value, (int, np.integer)) else tuple(value)
    if len(v) != 2 or any(int(i) < 0 for i in v):
        raise ValueError(f"`output_padding` must be a non-negative int or a tuple of 2. Received: {value}")
    return tuple(int(i) for i in v)


def _as_2d(x, w=None):
    """A 1-D spatial input (and kernel) with a height-1 axis added, for the 2-D ops."""
    return A.expand_dims(x, 1), (None if w is None else A.expand_dims(w, 0))


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """``kernel``: spatial dims + (in_channels, channel_multiplier)."""
    x, fmt = _spatial(inputs, "depthwise_conv", data_format)
    x, w = operands(x, kernel)
    n = x.ndim - 2
    s, d = _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate")
    if n == 1:
        x, w = _as_2d(x, w)
        s, d = (1,) + s, (1,) + d
    y = C.depthwise_conv2d(x, w, [1, *s, 1], _padding(padding), dilations=d)
    return _back(A.squeeze(y, 1) if n == 1 else y, fmt)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format)


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    x, fmt = _spatial(inputs, f"{kind}_pool", data_format)
    n = x.ndim - 2
    k = _tuple(pool_size, n, "pool_size")
    s = k if strides is None else _tuple(strides, n, "strides")
    if n == 1:
        x, _ = _as_2d(x)
        k, s = (1,) + k, (1,) + s
    f = N.max_pool2d if kind == "max" else N.avg_pool2d
    y = f(float_operand(x), [1, *k, 1], [1, *s, 1], _padding(padding))
    return _back(A.squeeze(y, 1) if n == 1 else y, fmt)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("max", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("avg", inputs, pool_size, strides, padding, data_format)


def depth_to_space(x, block_size, data_format="channels_last"):
    """Each pixel's channels spread over a ``block_size`` x ``block_size`` block (``tf.nn.depth_to_space``:
    output[h * b + i, w * b + j, c] = input[h, w, (i * b + j) * C / b^2 + c])."""
    x, fmt = _spatial4(x, "depth_to_space", data_format)
    n, h, w, c = np.asarray(x).shape
    b = int(block_size)
    if b < 2 or c % (b * b):
        raise ValueError(f"depth_to_space: block_size must be >= 2 and divide the channels ({c}) by "
                         f"block_size**2, got block_size={block_size}")
    y = A.reshape(A.transpose(A.reshape(x, (n, h, w, b, b, c // (b * b))), (0, 1, 3, 2, 4, 5)),
                  (n, h * b, w * b, c // (b * b)))
    return _back(y, fmt)


def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of ``depth_to_space``: each ``block_size`` x ``block_size`` block becomes channels."""
    x, fmt = _spatial4(x, "space_to_depth", data_format)
    n, h, w, c = np.asarray(x).shape
    b = int(block_size)
    if b < 2 or h % b or w % b:
        raise ValueError(f"space_to_depth: block_size must be >= 2 and divide the height ({h}) and width "
                         f"({w}), got block_size={block_size}")
    y = A.reshape(A.transpose(A.reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5)),
                  (n, h // b, w // b, b * b * c))
    return _back(y, fmt)


def _spatial4(x, op, data_format):
    x = convert_to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{op}: x must be 4-D, got shape {x.shape}")
    return _spatial(x, op, data_format)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)^2))`` over all entries."""
    a, b = convert_to_tensor(x1), convert_to_tensor(x2)
    if np.asarray(a).shape != np.asarray(b).shape:
        raise ValueError(f"Input shapes {a.shape} and {b.shape} must match for PSNR calculation. ")
    from .numpy import log10
    mse = M.reduce_mean(M.square(M.subtract(a, b)))
    dt = np.asarray(mse).dtype.type
    return M.subtract(M.multiply(dt(20), log10(convert_to_tensor(max_val, np.asarray(mse).dtype))),
                      M.multiply(dt(10), log10(mse)))


# ---- one-hot, losses, statistics -----------------------------------------------------------------

def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError("one_hot: tinytf has no sparse tensors (sparse=True)")
    x = convert_to_tensor(x)
    if np.asarray(x).dtype.kind not in "iu":
        x = Tensor(np.asarray(x).astype(np.int64))
    return A.one_hot(x, num_classes, axis=axis, dtype=np_dtype(dtype) if dtype else np.dtype(floatx()))


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = kwargs.pop("num_tokens", num_classes)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    x = convert_to_tensor(inputs)
    squeeze = x.ndim == 1
    oh = one_hot(A.expand_dims(x, 0) if squeeze else x, num_classes, axis, dtype, sparse)
    out = M.reduce_max(oh, axis=-2 if axis == -1 else 1)
    return A.squeeze(out, 0) if squeeze else out


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` largest predictions of its row (ties count in
    the target's favour, as TensorFlow's ``in_top_k``)."""
    t = np.asarray(np.asarray(convert_to_tensor(targets))).astype(np.int64)
    p = np.asarray(np.asarray(convert_to_tensor(predictions)))
    if p.ndim != 2 or t.shape != p.shape[:1]:
        raise ValueError(f"in_top_k: predictions must be [batch, classes] and targets [batch], got "
                         f"{p.shape} and {t.shape}")
    target_score = p[np.arange(len(t)), t]
    return Tensor((p > target_score[:, None]).sum(1) < k)


def _same_shape(op, target, output):
    t, o = convert_to_tensor(target), convert_to_tensor(output)
    if t.ndim != o.ndim:
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). Received: "
                         f"target.shape={t.shape}, output.shape={o.shape}")
    if np.asarray(t).shape != np.asarray(o).shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={t.shape}, output.shape={o.shape}")
    return t, o


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise (no mean over the last axis, unlike ``keras.losses.binary_crossentropy``)."""
    t, o = _same_shape("binary_crossentropy", target, output)
    o = float_operand(o)
    t = operands(t, dtype=np.asarray(o).dtype)[0]
    logits = getattr(output, "_keras_logits", None)
    if logits is not None:
        o, from_logits = convert_to_tensor(logits, np.asarray(o).dtype), True
    if from_logits:
        return _losses._sigmoid_ce_with_logits(t, o)
    dt = np.asarray(o).dtype.type
    p = M.clip_by_value(o, dt(_losses.EPSILON), dt(1.0 - _losses.EPSILON))
    bce = M.add(M.multiply(t, M.log(p)), M.multiply(M.subtract(dt(1), t), M.log(M.subtract(dt(1), p))))
    return M.negative(bce)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    _same_shape("categorical_crossentropy", target, output)
    return _losses.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _losses.sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    """``tf.nn.moments`` (float16 reduced in float32, as Keras does)."""
    if synchronized:
        warnings.warn("moments: synchronized=True has no effect in one tinytf process", stacklevel=2)
    x = float_operand(x)
    dt = np.asarray(x).dtype
    if dt == np.float16:
        mean, var = N.moments(M.cast(x, np.float32), axes, keepdims=keepdims)
        return M.cast(mean, dt), M.cast(var, dt)
    return N.moments(x, axes, keepdims=keepdims)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = float_operand(x)
    shape = [1] * x.ndim
    shape[axis] = np.asarray(x).shape[axis]

    def r(v):
        return None if v is None else A.reshape(convert_to_tensor(v, np.asarray(x).dtype), shape)
    return N.batch_normalization(x, r(mean), r(variance), r(offset), r(scale), epsilon)


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``, Keras's 1e-7)."""
    from .numpy import norm
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = float_operand(x)
    if x.ndim == 0:
        x = A.expand_dims(x, 0)
    eps = _losses.EPSILON if epsilon is None else epsilon
    if order == 2:
        inv = M.rsqrt(M.reduce_sum(M.square(x), axis, keepdims=True))
        return M.multiply(x, M.minimum(inv, np.asarray(x).dtype.type(1.0 / eps)))
    return M.divide(x, M.maximum(norm(x, order, axis, keepdims=True), np.asarray(x).dtype.type(eps)))
