"""The summary functions: each turns its data into the tensor TF 2 writes for it (TensorBoard's
``summary_v2`` layout) and writes it with its plugin's metadata, so every TensorBoard dashboard
(scalars, histograms, images, text, audio, graphs) shows it.

* ``scalar``: a float32 scalar. ``histogram``: a float64 ``[buckets, 3]`` tensor of (left edge,
  right edge, count) rows, ``buckets`` (default 30) equal-width buckets over [min, max] of the
  data in float64, as TF 2's ``histogram_summary_v2`` computes them. ``image``: a string vector
  ``[width, height, png, ...]`` of at most ``max_outputs`` PNGs (floats become uint8 as
  ``tf.image.convert_image_dtype(saturate=True)`` does). ``text``: a string tensor of the data's
  shape. ``audio``: ``[k, 2]`` strings, a 16-bit WAV and an empty label per clip.
"""
import struct
import zlib

import numpy as np

from . import writer as W

DEFAULT_BUCKET_COUNT = 30


def write(tag, tensor, step=None, metadata=None, name=None):
    """``tf.summary.write``: write ``tensor`` under ``tag`` to the default writer. Returns whether it
    was written (``False`` with no default writer or under a false ``record_if``)."""
    writer, step = _target(step)
    if writer is None:
        return step is not None
    _, summary_pb2, _, _ = W.tb()
    if metadata is None:
        metadata = summary_pb2.SummaryMetadata()
    elif isinstance(metadata, bytes):
        metadata = summary_pb2.SummaryMetadata.FromString(metadata)
    return _write(writer, tag, tensor, step, metadata)


def _target(step):
    """``(file writer, step)`` to write to; ``(None, step)`` under a noop writer; ``(None, None)``
    when nothing is recorded. The step is checked only where a summary would be written, as in TF;
    ``record_if``'s condition is asked once per summary."""
    if not W.should_record_summaries():
        return None, None
    step = W.resolve_step(step)
    writer = W.current_writer()
    if not isinstance(writer, W.FileWriter):
        return None, step
    return writer, step


def _write(writer, tag, tensor, step, metadata):
    _, _, _, tensor_util = W.tb()
    value = np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor)
    if value.dtype.kind in "USO":
        value = np.array([s.encode() if isinstance(s, str) else bytes(s) for s in value.reshape(-1)],
                         dtype=object).reshape(value.shape)
    writer.write_summary(_tag(tag), tensor_util.make_tensor_proto(value), step, metadata)
    return True


def _tag(name):
    if not isinstance(name, str) or not name:
        raise ValueError(f"tf.summary: name must be a non-empty string, got {name!r}")
    return name


def _scoped(name):
    """The tag of a summary named ``name``: under the current ``tf.name_scope`` (``write`` takes its
    tag as given, as in TF)."""
    return W.scoped(_tag(name))


def _array(data, what):
    try:
        return np.asarray(data.numpy() if hasattr(data, "numpy") else data)
    except Exception as e:  # ragged lists and the like
        raise TypeError(f"tf.summary.{what}: data must be a tensor or array, got {type(data).__name__} ({e})") \
            from None


def _metadata(plugin, description, **kwargs):
    """Plugin metadata from the plugin's own ``metadata`` module (the ``tensorboard`` package)."""
    import importlib
    mod = importlib.import_module(f"tensorboard.plugins.{plugin}.metadata")
    return mod.create_summary_metadata(display_name=None, description=description, **kwargs)


def scalar(name, data, step=None, description=None):
    """A scalar (Python number, 0-d array or tensor) as float32 on the scalars dashboard."""
    value = _array(data, "scalar")
    if value.shape != () or value.dtype.kind not in "biuf":
        raise ValueError(f"tf.summary.scalar: data must be a real scalar, got shape {value.shape} "
                         f"dtype {value.dtype} for {name!r}")
    writer, step = _target(step)
    if writer is None:
        return step is not None
    return _write(writer, _scoped(name), value.astype(np.float32), step, _metadata("scalar", description))


def histogram_buckets(data, bucket_count=None):
    """TF 2's histogram buckets of ``data`` (flattened, in float64): ``[bucket_count, 3]`` rows of
    (left, right, count); empty data gives zeros, a single repeated value ``count`` in the last."""
    k = DEFAULT_BUCKET_COUNT if bucket_count is None else bucket_count
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"tf.summary.histogram: buckets must be a non-negative integer, got {bucket_count!r}")
    x = data.reshape(-1).astype(np.float64)
    if k == 0:
        return np.zeros((0, 3))
    if x.size == 0:
        return np.zeros((k, 3))
    lo, hi = x.min(), x.max()
    if lo == hi:
        counts = np.zeros(k)
        counts[-1] = x.size
        return np.stack([np.full(k, hi), np.full(k, hi), counts], axis=1)
    width = (hi - lo) / k
    index = np.minimum(np.floor((x - lo) / width).astype(np.int64), k - 1)
    counts = np.bincount(index, minlength=k).astype(np.float64)
    edges = np.linspace(lo, hi, k + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram(name, data, step=None, buckets=None, description=None):
    """The distribution of ``data``'s values, on the histograms and distributions dashboards."""
    value = _array(data, "histogram")
    if value.dtype.kind not in "biuf":
        raise ValueError(f"tf.summary.histogram: data must be numeric, got dtype {value.dtype} for {name!r}")
    writer, step = _target(step)
    if writer is None:
        return step is not None
    table = histogram_buckets(value, buckets)
    return _write(writer, _scoped(name), table, step, _metadata("histogram", description))



def convert_to_uint8(images):
    """``tf.image.convert_image_dtype(images, tf.uint8, saturate=True)``."""
    kind = images.dtype.kind
    if images.dtype == np.uint8:
        return images
    if kind == "f":
        scaled = images * images.dtype.type(255.5)
        return np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)
    if kind in "iu":
        shift = images.dtype.itemsize * 8 - (1 if kind == "i" else 0) - 8
        return np.clip(images.astype(np.int64) >> shift, 0, 255).astype(np.uint8)
    if kind == "b":
        return images.astype(np.uint8)
    raise ValueError(f"tf.summary.image: images must be numeric, got dtype {images.dtype}")


def encode_png(image):
    """An ``[h, w, c]`` uint8 array (c = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as PNG bytes."""
    h, w, c = image.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = np.concatenate([np.zeros((h, 1), np.uint8), image.reshape(h, w * c)], axis=1)

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    header = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def image(name, data, step=None, max_outputs=3, description=None):
    """``[k, h, w, c]`` images (c = 1, 2, 3 or 4; uint8, or floats in [0, 1]); the first
    ``max_outputs`` are written as PNGs for the images dashboard."""
    images = _array(data, "image")
    if images.ndim != 4 or not 1 <= images.shape[-1] <= 4:
        raise ValueError(f"tf.summary.image: data must be [k, h, w, c] with c in 1..4, got shape "
                         f"{images.shape} for {name!r}")
    if isinstance(max_outputs, bool) or not isinstance(max_outputs, (int, np.integer)) or max_outputs < 0:
        raise ValueError(f"tf.summary.image: max_outputs must be a non-negative integer, got {max_outputs!r}")
    writer, step = _target(step)
    if writer is None:
        return step is not None
    pixels = convert_to_uint8(images)
    blobs = [str(images.shape[2]).encode(), str(images.shape[1]).encode()]
    blobs += [encode_png(img) for img in pixels[:max_outputs]]
    return _write(writer, _scoped(name), np.array(blobs, dtype=object), step, _metadata("image", description))


def text(name, data, step=None, description=None):
    """A string (or an array of strings, shown as a table) on the text dashboard (Markdown)."""
    value = _array(data, "text")
    if value.dtype.kind not in "USO":
        raise ValueError(f"tf.summary.text: data must be strings, got dtype {value.dtype} for {name!r}")
    writer, step = _target(step)
    if writer is None:
        return step is not None
    return _write(writer, _scoped(name), value, step, _metadata("text", description))


def encode_wav(samples, sample_rate):
    """``[n, channels]`` float samples in [-1, 1] as 16-bit PCM WAV bytes (``tf.audio.encode_wav``:
    ``round(x * 32768)`` clamped to int16)."""
    n, ch = samples.shape
    scaled = samples.astype(np.float32) * np.float32(32768)
    pcm = np.clip(np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5)), -32768, 32767).astype("<i2")
    data = pcm.tobytes()
    fmt = struct.pack("<HHIIHH", 1, ch, sample_rate, sample_rate * ch * 2, ch * 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", len(data)) + data)


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """``[k, t, channels]`` float clips in [-1, 1] as WAV for the audio dashboard."""
    clips = _array(data, "audio")
    if clips.ndim != 3 or clips.dtype.kind != "f":
        raise ValueError(f"tf.summary.audio: data must be float [k, t, channels], got shape {clips.shape} "
                         f"dtype {clips.dtype} for {name!r}")
    if encoding not in (None, "wav"):
        raise ValueError(f"tf.summary.audio: encoding must be 'wav' (or None), got {encoding!r}")
    rate = int(np.asarray(sample_rate))
    if rate <= 0:
        raise ValueError(f"tf.summary.audio: sample_rate must be a positive integer, got {sample_rate!r}")
    writer, step = _target(step)
    if writer is None:
        return step is not None
    from tensorboard.plugins.audio import metadata as audio_meta
    wavs = [[encode_wav(c, rate), b""] for c in clips[:max_outputs]]
    table = np.array(wavs, dtype=object).reshape(-1, 2)
    return _write(writer, _scoped(name), table, step, _metadata("audio", description,
                                              encoding=audio_meta.Encoding.Value("WAV")))
