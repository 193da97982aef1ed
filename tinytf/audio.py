"""``tf.audio``: 16-bit PCM WAV files to float32 samples and back (TensorFlow's ``DecodeWav`` /
``EncodeWav``, ``core/lib/wav/wav_io.cc``).

Samples are ``int16 / 32768`` (so in [-1, 1)); encoding rounds ``x * 32768`` half away from zero and
clips to the int16 range, as TensorFlow does.
"""
import struct

import numpy as np

from .errors import InvalidArgumentError
from .ops.core import as_tensor
from .tensor import Tensor


def _contents(value, fn):
    v = np.array(value, dtype=object) if isinstance(value, (bytes, str)) else as_tensor(value)._v
    if v.shape != () or not isinstance(v.item(), (bytes, str)):
        raise InvalidArgumentError(f"{fn}: contents must be a scalar string (the file's bytes), got shape "
                                   f"{v.shape}")
    data = v.item()
    return data.encode("latin-1") if isinstance(data, str) else data


def _chunks(data):
    """{chunk id: payload} of a RIFF/WAVE file (the first of each id)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise InvalidArgumentError("decode_wav: contents is not a RIFF/WAVE file (header 'RIFF....WAVE' missing)")
    out, pos = {}, 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        out.setdefault(cid, data[pos + 8:pos + 8 + size])
        pos += 8 + size + (size & 1)
    return out


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """``(audio, sample_rate)``: float32 ``[samples, channels]`` in [-1, 1) and the int32 rate.

    ``desired_channels`` keeps the first channels (or repeats the last one) and ``desired_samples``
    truncates or zero-pads, as TensorFlow; -1 keeps the file's.
    """
    for arg, val in (("desired_channels", desired_channels), ("desired_samples", desired_samples)):
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool) or val < -1 or val == 0 and \
                arg == "desired_channels":
            raise InvalidArgumentError(f"decode_wav: {arg} must be -1 or a positive int, got {arg}={val!r}")
    chunks = _chunks(_contents(contents, "decode_wav"))
    if b"fmt " not in chunks or b"data" not in chunks:
        raise InvalidArgumentError("decode_wav: the WAV file has no 'fmt ' or no 'data' chunk")
    fmt = chunks[b"fmt "]
    audio_format, channels, rate = struct.unpack("<HHI", fmt[:8])
    bits = struct.unpack("<H", fmt[14:16])[0]
    if audio_format not in (1, 0xFFFE) or bits != 16:
        raise InvalidArgumentError(f"decode_wav: only 16-bit PCM WAV files are supported, got format "
                                   f"{audio_format} with {bits} bits per sample")
    if channels < 1:
        raise InvalidArgumentError("decode_wav: the WAV file has 0 channels")
    raw = chunks[b"data"]
    samples = np.frombuffer(raw[:len(raw) // (2 * channels) * 2 * channels], "<i2").reshape(-1, channels)
    audio = samples.astype(np.float32) * np.float32(1.0 / 32768)
    out_c = channels if desired_channels == -1 else int(desired_channels)
    out_n = len(audio) if desired_samples == -1 else int(desired_samples)
    audio = audio[:out_n, np.minimum(np.arange(out_c), channels - 1)]
    if len(audio) < out_n:
        audio = np.concatenate([audio, np.zeros((out_n - len(audio), out_c), np.float32)])
    return Tensor(np.ascontiguousarray(audio)), Tensor(np.array(rate, np.int32))


def encode_wav(audio, sample_rate, name=None):
    """The bytes of a 16-bit PCM WAV file (a scalar ``tf.string``) holding float ``audio``
    ``[samples, channels]`` at ``sample_rate``."""
    a = as_tensor(audio)._v
    if a.ndim != 2 or a.dtype != np.float32:
        raise InvalidArgumentError(f"encode_wav: audio must be a float32 [samples, channels] tensor, got "
                                   f"{a.dtype} of shape {a.shape}")
    rate = as_tensor(sample_rate)._v
    if rate.shape != () or rate.dtype.kind not in "iu" or not 0 < int(rate) < 2**31:
        raise InvalidArgumentError(f"encode_wav: sample_rate must be a positive int32 scalar, got {rate!r}")
    x = a * np.float32(32768)
    pcm = np.clip(np.sign(x) * np.floor(np.abs(x) + np.float32(0.5)), -32768, 32767).astype("<i2")
    channels, size = a.shape[1], pcm.size * 2
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + size, b"WAVE", b"fmt ", 16, 1, channels, int(rate),
                         int(rate) * channels * 2, channels * 2, 16, b"data", size)
    return Tensor(np.array(header + pcm.tobytes(), dtype=object))
