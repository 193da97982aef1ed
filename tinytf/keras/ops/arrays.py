"""``keras.ops``' NumPy-like array ops: creation, shape, joining, indexing and sorting, over tinytf
ops (so they have tinytf's gradients), with Keras 3's names, defaults and dtypes."""
import numpy as np

from ...backend import floatx
from ...dtypes import np_dtype
from ...ops import array_ops as A, sort_ops as S
from ...tensor import Tensor, to_array
from .core import convert_to_tensor, operands, result_type


def _dt(dtype, default=None):
    return np_dtype(dtype) if dtype is not None else np.dtype(default or floatx())


# ---- creation --------------------------------------------------------------------------------

def shape_tuple(shape):
    """Keras's ``shape`` argument (an int or a sequence of non-negative ints) as a tuple."""
    try:
        dims = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        dims = None
    if dims is None or any(d < 0 for d in dims):
        raise ValueError(f"`shape` must be a tuple of non-negative ints (or an int). Received: shape={shape!r}")
    return dims


def zeros(shape, dtype=None):
    return Tensor(np.zeros(shape_tuple(shape), _dt(dtype)))


def ones(shape, dtype=None):
    return Tensor(np.ones(shape_tuple(shape), _dt(dtype)))


def zeros_like(x, dtype=None):
    x = convert_to_tensor(x)
    return Tensor(np.zeros(np.asarray(x).shape, _dt(dtype, np.asarray(x).dtype)))


def ones_like(x, dtype=None):
    x = convert_to_tensor(x)
    return Tensor(np.ones(np.asarray(x).shape, _dt(dtype, np.asarray(x).dtype)))


def full(shape, fill_value, dtype=None):
    return A.broadcast_to(convert_to_tensor(fill_value, _dt(dtype)), shape_tuple(shape))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    return A.broadcast_to(convert_to_tensor(fill_value, _dt(dtype, np.asarray(x).dtype)), np.asarray(x).shape)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    return Tensor(np.eye(int(N), None if M is None else int(M), int(k), dtype=_dt(dtype)))


identity = eye


def arange(start, stop=None, step=None, dtype=None):
    """Keras's dtype rule: the ``result_type`` of the given arguments (ints -> int32, floats -> float32)."""
    given = [v for v in (start, stop, step) if v is not None]
    dt = _dt(dtype) if dtype is not None else result_type(*given)
    vals = [np.asarray(to_array(v)).item() if v is not None else None for v in (start, stop, step)]
    if vals[1] is None:
        vals[0], vals[1] = 0, vals[0]
    step = 1 if vals[2] is None else vals[2]
    if step == 0:
        raise ValueError("arange: step must not be 0")
    n = max(0, int(np.ceil((vals[1] - vals[0]) / step)))
    return Tensor((np.arange(n, dtype=np.float64 if dt.kind == "f" else np.int64) * step + vals[0]).astype(dt))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """TensorFlow's ``linspace``: ``start + i * delta`` in the output dtype, the last entry ``stop``."""
    if num < 0:
        raise ValueError(f"`num` must be a non-negative integer. Received: num={num}")
    dt = _dt(dtype) if dtype is not None else result_type(start, stop, 1.0)
    ct = dt if dt.kind == "f" else np.dtype(floatx())
    a, b = (np.asarray(to_array(v)).astype(ct) for v in (start, stop))
    div = num - 1 if endpoint else num
    step = (b - a) / ct.type(div) if div > 0 else np.asarray(np.nan, ct)
    if not endpoint and num > 1:
        b = b - step
    i = np.arange(num, dtype=ct).reshape((num,) + (1,) * np.ndim(a))
    out = a + i * ((b - a) / ct.type(num - 1)) if num > 1 else np.broadcast_to(a, (num,) + np.shape(a)).copy()
    if num > 1:
        out[-1] = b
    out = np.moveaxis(out, 0, axis).astype(dt)
    return (Tensor(out), Tensor(np.asarray(step))) if retstep else Tensor(out)


def array(x, dtype=None):
    return convert_to_tensor(x, dtype)


def copy(x):
    return A.identity(convert_to_tensor(x))


def meshgrid(*x, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for `indexing` are 'xy' and 'ij'. Received: indexing={indexing}")
    ts = [A.reshape(convert_to_tensor(t), [-1]) for t in x]
    n = [np.asarray(t).shape[0] for t in ts]
    shape = list(n)
    if indexing == "xy" and len(ts) > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(ts):
        axis = 1 - i if indexing == "xy" and i < 2 and len(ts) > 1 else i
        view = [1] * len(ts)
        view[axis] = n[i]
        out.append(A.broadcast_to(A.reshape(t, view), shape))
    return out


# ---- shape -----------------------------------------------------------------------------------

def reshape(x, newshape):
    return A.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    return A.transpose(convert_to_tensor(x), axes)


def swapaxes(x, axis1, axis2):
    x = convert_to_tensor(x)
    perm = list(range(x.ndim))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return A.transpose(x, perm)


def moveaxis(x, source, destination):
    x = convert_to_tensor(x)
    nd = x.ndim
    src = [int(a) % nd for a in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [int(a) % nd for a in (destination if isinstance(destination, (tuple, list)) else [destination])]
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source and destination must have the same number of axes, got {source} "
                         f"and {destination}")
    perm = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return A.transpose(x, perm)


def expand_dims(x, axis):
    """``axis``: an int or a tuple of ints (positions in the output)."""
    x = convert_to_tensor(x)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    try:
        shape = np.expand_dims(np.empty(np.asarray(x).shape, np.bool_), tuple(int(a) for a in axes)).shape
    except (np.exceptions.AxisError, ValueError) as e:
        raise ValueError(f"expand_dims: invalid axis={axis} for an input of rank {x.ndim}: {e}") from None
    return A.reshape(x, shape)


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    if axis is not None:
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        for a in axes:
            if np.asarray(x).shape[a] != 1:
                raise ValueError(f"Cannot squeeze axis {a}, because the dimension is not 1. "
                                 f"Received: x.shape={x.shape}")
    return A.squeeze(x, list(axis) if isinstance(axis, tuple) else axis)


def ndim(x):
    return np.asarray(convert_to_tensor(x)).ndim


def size(x):
    return np.asarray(convert_to_tensor(x)).size


def ravel(x):
    return A.reshape(convert_to_tensor(x), [-1])


def broadcast_to(x, shape):
    return A.broadcast_to(convert_to_tensor(x), shape_tuple(shape))


def tile(x, repeats):
    """NumPy's tile: ``repeats`` shorter than the rank repeats the last axes; longer adds axes."""
    x = convert_to_tensor(x)
    reps = list(shape_tuple(repeats))
    if len(reps) > x.ndim:
        x = A.reshape(x, [1] * (len(reps) - x.ndim) + list(np.asarray(x).shape))
    reps = [1] * (x.ndim - len(reps)) + reps
    return A.tile(x, reps)


def repeat(x, repeats, axis=None):
    """Each entry ``repeats`` times (an int or one count per entry) along ``axis`` (None: flattened)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    ax = int(axis) % max(x.ndim, 1)
    reps = np.asarray(to_array(repeats)).astype(np.int64)
    idx = np.repeat(np.arange(np.asarray(x).shape[ax]), reps)
    return A.gather(x, idx, axis=ax)


def concatenate(xs, axis=0):
    ts = operands(*xs)
    if axis is None:
        return A.concat([A.reshape(t, [-1]) for t in ts], 0)
    return A.concat(ts, axis)


def stack(x, axis=0):
    return A.stack(operands(*x), axis)


def split(x, indices_or_sections, axis=0):
    """NumPy's split: an int (equal parts; must divide the axis) or the indices where parts start."""
    x = convert_to_tensor(x)
    n = np.asarray(x).shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError(f"split: the size {n} of axis {axis} is not divisible by {indices_or_sections}")
        return A.split(x, int(indices_or_sections), axis)
    bounds = [0] + [int(i) if i >= 0 else int(i) + n for i in indices_or_sections] + [n]
    bounds = [max(0, b if b < n else n) for b in bounds]
    sizes = [max(0, bounds[i + 1] - bounds[i]) for i in range(len(bounds) - 1)]
    return A.split(x, sizes, axis)


def append(x1, x2, axis=None):
    """``x2`` after ``x1`` along ``axis`` (None: both flattened)."""
    return concatenate([x1, x2], axis)


def hstack(xs):
    ts = [convert_to_tensor(x) for x in xs]
    return concatenate(ts, 0 if np.asarray(ts[0]).ndim == 1 else 1)


def vstack(xs):
    """Joined along axis 0 (1-D inputs too, as Keras 3's TensorFlow backend; NumPy would stack them)."""
    return concatenate(xs, 0)


def flip(x, axis=None):
    x = convert_to_tensor(x)
    return A.reverse(x, list(range(x.ndim)) if axis is None else axis)


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (NumPy's direction)."""
    x = convert_to_tensor(array)
    a, b = (int(i) % x.ndim for i in axes)
    if a == b:
        raise ValueError(f"rot90: axes must be different, got {axes}")
    k = int(k) % 4
    for _ in range(k):
        x = swapaxes(A.reverse(x, [b]), a, b)
    return x


def pad(x, pad_width, mode="constant", constant_values=None):
    x = convert_to_tensor(x)
    if constant_values is not None and mode != "constant":
        raise ValueError("Argument `constant_values` can only be provided when `mode == 'constant'`. "
                         f"Received: mode={mode}")
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'symmetric' (tinytf), got {mode!r}")
    widths = np.broadcast_to(np.asarray(to_array(pad_width)).astype(np.int64).reshape(-1, 2)
                             if np.size(to_array(pad_width)) > 1 else np.asarray(to_array(pad_width)),
                             (x.ndim, 2))
    return A.pad(x, widths, mode.upper(), 0 if constant_values is None else constant_values)


# ---- indexing and sorting ----------------------------------------------------------------------

def take(x, indices, axis=None):
    """Entries along ``axis`` (None: of the flattened ``x``); negative indices count from the end."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    n = np.asarray(x).shape[axis]
    idx = np.asarray(np.asarray(convert_to_tensor(indices)))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"take: indices must be integers, got {idx.dtype.name}")
    return A.gather(x, np.where(idx < 0, idx + n, idx), axis=axis)


def take_along_axis(x, indices, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
        indices = np.asarray(np.asarray(convert_to_tensor(indices))).reshape(-1)
    return S.take_along_axis(x, indices, axis)


def sort(x, axis=-1):
    x = convert_to_tensor(x)
    return S.sort(x, axis) if x.ndim else x


def argsort(x, axis=-1):
    x = convert_to_tensor(x)
    if x.ndim == 0:
        return Tensor(np.zeros([1], np.int32))
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    return S.argsort(x, axis)


def top_k(x, k, sorted=True):  # noqa: A002 - Keras's name
    return S.top_k(convert_to_tensor(x), k, sorted)



def nonzero(x):
    """The indices of the non-zero entries, one int32 tensor per axis."""
    return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(np.asarray(convert_to_tensor(x))))


def _triangle(x, k, keep):
    x = convert_to_tensor(x)
    return A.where(keep(np.ones(np.asarray(x).shape[-2:], bool), k), x, Tensor(np.zeros((), np.asarray(x).dtype)))


def tril(x, k=0):
    return _triangle(x, k, np.tril)


def triu(x, k=0):
    return _triangle(x, k, np.triu)


def get_item(x, key):
    return A.getitem(convert_to_tensor(x), key)


def roll(x, shift, axis=None):
    """Entries shifted by ``shift`` along ``axis`` (None: the flattened ``x``), wrapping around."""
    x = convert_to_tensor(x)
    if axis is None:
        return A.reshape(roll(A.reshape(x, [-1]), shift, 0), np.asarray(x).shape)
    axes = axis if isinstance(axis, (tuple, list)) else [axis]
    shifts = shift if isinstance(shift, (tuple, list)) else [shift] * len(axes)
    for s_, a in zip(shifts, axes):
        n = np.asarray(x).shape[a]
        x = A.gather(x, (np.arange(n) - int(s_)) % max(n, 1), axis=int(a) % x.ndim)
    return x


def select(condlist, choicelist, default=0):
    """The first ``choicelist`` entry whose condition holds, else ``default`` (NumPy's select)."""
    choices = operands(*choicelist, default)
    out = choices[-1]
    for cond, choice in zip(reversed(list(condlist)), reversed(choices[:-1])):
        out = A.where(convert_to_tensor(cond), choice, out)
    return out
