"""``tf.signal``: framing, windows and the short-time Fourier transform (TensorFlow's
``ops/signal/``). The spectra are complex64 tensors (NumPy's FFT in float64, rounded to complex64);
they carry no gradient."""
import numpy as np

from .dtypes import np_dtype
from .errors import InvalidArgumentError
from .ops.core import as_tensor
from .tensor import Tensor


def _length(value, fn, arg):
    v = as_tensor(value)._v if isinstance(value, Tensor) else np.asarray(value)
    if v.shape != () or v.dtype.kind not in "iu" or int(v) < 1:
        raise InvalidArgumentError(f"{fn}: {arg} must be a positive int, got {arg}={value!r}")
    return int(v)


def _raised_cosine(window_length, periodic, dtype, a, b, fn):
    n = as_tensor(window_length)._v if isinstance(window_length, Tensor) else np.asarray(window_length)
    if n.shape != () or n.dtype.kind not in "iu" or int(n) < 0:
        raise InvalidArgumentError(f"{fn}: window_length must be a non-negative int, got {window_length!r}")
    dt = np_dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"{fn}: dtype must be a floating point type, got {dtype!r}")
    n = int(n)
    if n <= 1:
        return Tensor(np.ones(n, dt))
    even = 1 - n % 2
    denom = dt.type(n + bool(periodic) * even - 1)
    arg = dt.type(2 * np.pi) * np.arange(n, dtype=dt) / denom
    return Tensor((dt.type(a) - dt.type(b) * np.cos(arg)).astype(dt))


def hann_window(window_length, periodic=True, dtype="float32", name=None):
    """``0.5 - 0.5 cos(2 pi n / N)``, ``N`` the length (periodic, even lengths) or the length - 1."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5, "hann_window")


def hamming_window(window_length, periodic=True, dtype="float32", name=None):
    """``0.54 - 0.46 cos(2 pi n / N)``, ``N`` as in ``hann_window``."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46, "hamming_window")


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of ``frame_length`` every ``frame_step`` along ``axis`` (the last, as TF
    by default): that axis becomes ``[frames, frame_length]``; ``pad_end`` pads with ``pad_value`` to
    ``ceil(n / frame_step)`` frames."""
    x = as_tensor(signal)._v
    length, step = _length(frame_length, "frame", "frame_length"), _length(frame_step, "frame", "frame_step")
    if x.ndim == 0:
        raise InvalidArgumentError("frame: signal must have rank at least 1")
    x = np.moveaxis(x, axis, -1)
    n = x.shape[-1]
    if pad_end:
        count = -(-n // step)
        pad = max(0, (count - 1) * step + length - n)
        x = np.concatenate([x, np.full(x.shape[:-1] + (pad,), pad_value, x.dtype)], axis=-1)
    else:
        count = max(0, 1 + (n - length) // step)
    idx = np.arange(count)[:, None] * step + np.arange(length)[None, :]
    out = x[..., idx] if count else np.zeros(x.shape[:-1] + (0, length), x.dtype)
    ax = axis % x.ndim
    return Tensor(np.ascontiguousarray(np.moveaxis(out, (-2, -1), (ax, ax + 1))))


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False, name=None):
    """complex64 ``[..., frames, fft_length // 2 + 1]``: the real FFT of each windowed frame of the last
    axis; ``fft_length`` defaults to the smallest power of 2 >= ``frame_length``."""
    x = as_tensor(signals)._v
    if x.dtype.kind != "f":
        raise InvalidArgumentError(f"stft: signals must be float, got {x.dtype}")
    length = _length(frame_length, "stft", "frame_length")
    fft_length = 1 << (length - 1).bit_length() if fft_length is None else _length(fft_length, "stft", "fft_length")
    frames = frame(x, length, frame_step, pad_end=pad_end)._v
    if window_fn is not None:
        frames = frames * as_tensor(window_fn(length, dtype=x.dtype.name))._v
    out_dtype = np.complex64 if x.dtype != np.float64 else np.complex128
    return Tensor(np.fft.rfft(frames.astype(np.float64), n=fft_length, axis=-1).astype(out_dtype))
