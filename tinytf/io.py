"""``tf.io``: TFRecord files and ``tf.train.Example`` parsing (``records.py``), ``gfile``
(``gfile.py``), files as ``tf.string`` tensors and the image codecs (``decode_png``, ``decode_jpeg``,
``decode_gif``, ``decode_bmp``, ``decode_image``, ``encode_png``, ``encode_jpeg``), plus
``decode_raw``. Decoding uses Pillow (the ``image`` extra, imported on first use).

Exactness against TensorFlow 2.21 (tests/fixtures/tf_io.npz): PNG, GIF and BMP decode to the same
pixels (PNG 16-bit grey too; 16-bit colour PNGs are refused: Pillow reads them as 8 bits),
except the alpha TF invents for a palette PNG without transparency read with 4 channels (tinytf: 255). JPEG
decoders differ: Pillow's libjpeg uses the accurate integer IDCT, so the pixels equal TF's
``dct_method='INTEGER_ACCURATE'`` and differ from TF's default (``INTEGER_FAST``) by a few levels
(at most 6 on the fixture images, mean about 1). Encoders give valid files that decode to the same
pixels (PNG) but not TF's bytes.
"""
import io as _io

import numpy as np

from . import dtypes as _dtypes
from .errors import InvalidArgumentError, NotFoundError
from .tensor import Tensor
from .ops.image_ops import convert_image_dtype
from . import gfile  # noqa: F401 (tf.io.gfile)
from .records import FixedLenFeature, TFRecordWriter, parse_single_example  # noqa: F401 (TFRecord files)


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("tf.io's image codecs need Pillow: pip install 'tinytf[image]'") from None
    return Image


def _bytes(value, fn, arg="contents"):
    """A Python ``bytes`` from a scalar string tensor, bytes or str."""
    if isinstance(value, Tensor):
        v = value.numpy()
        if not isinstance(v, bytes):
            raise InvalidArgumentError(f"{fn}: {arg} must be a scalar string tensor, got shape "
                                       f"{tuple(value.shape)} dtype {value.dtype.name}")
        return v
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise TypeError(f"{fn}: {arg} must be a string tensor, bytes or str, got {type(value).__name__}")


def read_file(filename, name=None):
    """The file's bytes as a scalar ``tf.string`` tensor."""
    path = _bytes(filename, "read_file", "filename").decode("utf-8")
    try:
        with open(path, "rb") as f:
            return Tensor(np.array(f.read(), dtype=object))
    except FileNotFoundError:
        raise NotFoundError(f"{path}; No such file or directory") from None


def write_file(filename, contents, name=None):
    """Write ``contents`` (a scalar string) to ``filename`` atomically, creating its folders (as TF)."""
    from .files import atomic_write
    path = _bytes(filename, "write_file", "filename").decode("utf-8")
    data = _bytes(contents, "write_file")
    with atomic_write(path) as f:
        f.write(data)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """The bytes reinterpreted as a vector of ``out_type`` (``tf.io.decode_raw``)."""
    data = _bytes(input_bytes, "decode_raw", "input_bytes")
    dt = _dtypes.np_dtype(out_type).newbyteorder("<" if little_endian else ">")
    if fixed_length is not None:
        data = data[:fixed_length].ljust(fixed_length, b"\0")
    if len(data) % dt.itemsize:
        raise InvalidArgumentError(f"decode_raw: input size {len(data)} is not a multiple of {dt.itemsize} "
                                   f"(the size of {np.dtype(dt).name})")
    return Tensor(np.frombuffer(data, dt).astype(dt.newbyteorder("=")))


# ---- decoding ------------------------------------------------------------------------------

def _check_channels(channels, fn, allowed=(0, 1, 3, 4)):
    channels = 0 if channels is None else channels
    if channels not in allowed:
        raise InvalidArgumentError(f"{fn}: `channels` must be {', '.join(map(str, allowed[:-1]))} or "
                                   f"{allowed[-1]} but got {channels}")
    return channels


def _open(data, fn):
    Image = _pil()
    try:
        im = Image.open(_io.BytesIO(data))
        im.load()
    except Exception as e:  # noqa: BLE001 - Pillow raises several types for a bad file
        raise InvalidArgumentError(f"{fn}: the contents are not a readable image ({e})") from None
    return im


def _fit_channels(a, channels, coeffs):
    """Pixels (H, W, C) with ``channels`` channels: grey to colour by copying, colour to grey by
    ``coeffs`` (rounded), alpha added opaque or dropped."""
    c = a.shape[-1]
    if channels in (0, c):
        return a
    top = np.iinfo(a.dtype).max
    colour, alpha = a[..., :1 if c <= 2 else 3], a[..., (1 if c == 2 else 3):] if c in (2, 4) else None
    if channels in (1, 2) and colour.shape[-1] == 3:
        colour = coeffs(colour)
    elif channels in (3, 4) and colour.shape[-1] == 1:
        colour = np.repeat(colour, 3, axis=-1)
    if channels in (2, 4):
        alpha = alpha if alpha is not None else np.full(a.shape[:-1] + (1,), top, a.dtype)
        return np.concatenate([colour, alpha], -1)
    return colour


def _png_grey(rgb):
    """libpng's ``png_set_rgb_to_gray`` with TF's weights 0.299, 0.587 (blue the rest), in its
    15-bit fixed point (truncated), as TF 2.21 decodes."""
    w = rgb.astype(np.uint32)
    out = (9797 * w[..., 0] + 19234 * w[..., 1] + 3737 * w[..., 2]) >> 15
    return out.astype(rgb.dtype)[..., None]


def _png_array(im):
    """A PNG's pixels as Pillow reads them: (H, W, C) uint8, or uint16 for 16-bit grey."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.asarray(im, dtype=np.uint16 if mode != "I" else np.int32).astype(np.uint16)[..., None], 16
    if mode in ("RGB", "RGBA") and im.info.get("bitdepth", 8) == 16:
        raise NotImplementedError("decode_png: 16-bit colour PNGs are not supported by tinytf (Pillow reads "
                                  "them as 8 bits); 16-bit grey is")
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "1":
        im = im.convert("L")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        im = im.convert("RGBA" if "A" in mode else "RGB")
    a = np.asarray(im)
    return (a[..., None] if a.ndim == 2 else a), 8


def decode_png(contents, channels=0, dtype=_dtypes.uint8, name=None):
    """A PNG's pixels, (H, W, C) of ``dtype`` (uint8 or uint16): ``channels`` 0 keeps the file's
    (a palette gives RGB, or RGBA with transparency), 1 grey, 3 RGB, 4 RGBA. 16-bit data read as
    uint8 keeps the high byte (libpng's strip_16), 8-bit read as uint16 is multiplied by 257."""
    channels = _check_channels(channels, "decode_png")
    dt = np.dtype(_dtypes.np_dtype(dtype))
    if dt not in (np.uint8, np.uint16):
        raise InvalidArgumentError(f"decode_png: dtype must be uint8 or uint16, got {dt.name}")
    im = _open(_bytes(contents, "decode_png"), "decode_png")
    return Tensor(_png_pixels(im, channels, dt))


def _png_pixels(im, channels, dt):
    a, depth = _png_array(im)
    if depth == 16 and dt == np.uint8:
        a = (a >> 8).astype(np.uint8)  # libpng's png_set_strip_16
    elif depth == 8 and dt == np.uint16:
        a = a.astype(np.uint16) * np.uint16(257)
    return _fit_channels(a, channels, _png_grey)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """A JPEG's pixels, (H, W, C) uint8 (see the module docstring for how they compare with TF)."""
    channels = _check_channels(channels, "decode_jpeg", (0, 1, 3))
    if ratio not in (1, 2, 4, 8):
        raise InvalidArgumentError(f"decode_jpeg: ratio must be 1, 2, 4 or 8, got {ratio}")
    if dct_method not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise InvalidArgumentError(f"decode_jpeg: dct_method must be '', 'INTEGER_FAST' or 'INTEGER_ACCURATE', "
                                   f"got {dct_method!r}")
    im = _open_jpeg(_bytes(contents, "decode_jpeg"), channels, ratio)
    return Tensor(_jpeg_pixels(im, channels))


def _open_jpeg(data, channels, ratio=1):
    Image = _pil()
    try:
        im = Image.open(_io.BytesIO(data))
        if im.format != "JPEG":
            raise InvalidArgumentError("decode_jpeg: the contents are not a JPEG image")
        if channels == 1 and im.mode != "L" or ratio != 1:  # as libjpeg's out_color_space / scale_denom
            im.draft("L" if channels == 1 else im.mode, (im.width // ratio, im.height // ratio))
        im.load()
    except InvalidArgumentError:
        raise
    except Exception as e:  # noqa: BLE001
        raise InvalidArgumentError(f"decode_jpeg: the contents are not a readable JPEG ({e})") from None
    return im


def _jpeg_pixels(im, channels):
    if im.mode == "CMYK":
        im = im.convert("RGB")
    a = np.asarray(im)
    a = a[..., None] if a.ndim == 2 else a
    if channels == 3 and a.shape[-1] == 1:
        a = np.repeat(a, 3, axis=-1)
    return a


def _frames(im, channels, expand, fn):
    """GIF frames as RGB: (N, H, W, 3), or the first (H, W, 3) when not ``expand``."""
    channels = _check_channels(channels, fn, (0, 3))
    out = []
    for k in range(getattr(im, "n_frames", 1)):
        im.seek(k)
        out.append(np.asarray(im.convert("RGB")))
        if not expand:
            break
    return np.stack(out) if expand else out[0]


def decode_gif(contents, name=None):
    """A GIF's frames, (num_frames, H, W, 3) uint8."""
    return Tensor(_frames(_open(_bytes(contents, "decode_gif"), "decode_gif"), 0, True, "decode_gif"))


def decode_bmp(contents, channels=0, name=None):
    """A BMP's pixels, (H, W, 3) uint8 (or 4 for a BMP with alpha; ``channels`` 0, 3 or 4)."""
    channels = _check_channels(channels, "decode_bmp", (0, 3, 4))
    im = _open(_bytes(contents, "decode_bmp"), "decode_bmp")
    a = np.asarray(im.convert("RGBA" if im.mode == "RGBA" else "RGB"))
    return Tensor(_fit_channels(a, channels, _png_grey))


def decode_image(contents, channels=None, dtype=_dtypes.uint8, name=None, expand_animations=True):
    """Any of PNG, JPEG, GIF, BMP by its content: (H, W, C), or (N, H, W, 3) for a GIF when
    ``expand_animations``. ``dtype`` float32 rescales to [0, 1] (``convert_image_dtype``)."""
    data = _bytes(contents, "decode_image")
    channels = _check_channels(channels, "decode_image")
    dt = np.dtype(_dtypes.np_dtype(dtype))
    if dt not in (np.uint8, np.uint16, np.float32):
        raise InvalidArgumentError(f"decode_image: dtype must be uint8, uint16 or float32, got {dt.name}")
    if data[:3] == b"\xff\xd8\xff":
        if channels == 4:
            raise InvalidArgumentError("JPEG does not support 4 channels")
        a = _jpeg_pixels(_open_jpeg(data, channels), channels)
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        a = _png_pixels(_open(data, "decode_image"), channels, np.dtype(np.uint16) if dt != np.uint8 else dt)
    elif data[:3] == b"GIF":
        if channels not in (0, 3):
            raise InvalidArgumentError(f"channels must be 0 or 3 for GIF, got {channels}")
        a = _frames(_open(data, "decode_image"), channels, expand_animations, "decode_image")
    elif data[:2] == b"BM":
        a = decode_bmp(data, channels).numpy()
    else:
        raise InvalidArgumentError("decode_image: unknown image format (not JPEG, PNG, GIF or BMP)")
    if a.dtype == dt:
        return Tensor(a)
    return convert_image_dtype(Tensor(a), dt)


def encode_png(image, compression=-1, name=None):
    """A PNG file (scalar ``tf.string``) of a (H, W, C) uint8 or uint16 image, C in 1..4."""
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[-1] not in (1, 2, 3, 4) or a.dtype not in (np.uint8, np.uint16):
        raise InvalidArgumentError(f"encode_png: image must be (height, width, 1-4 channels) of uint8 or uint16, "
                                   f"got shape {a.shape} dtype {a.dtype}")
    if not -1 <= compression <= 9:
        raise InvalidArgumentError(f"encode_png: compression must be in [-1, 9], got {compression}")
    Image = _pil()
    if a.dtype == np.uint16:
        if a.shape[-1] != 1:
            raise NotImplementedError("encode_png: tinytf writes 16-bit PNGs with one channel only")
        im = Image.fromarray(a[..., 0])
    else:
        im = Image.fromarray(a[..., 0] if a.shape[-1] == 1 else a)
    buf = _io.BytesIO()
    im.save(buf, format="PNG", compress_level=6 if compression == -1 else compression)
    return Tensor(np.array(buf.getvalue(), dtype=object))


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """A JPEG file (scalar ``tf.string``) of a (H, W, 1 or 3) uint8 image."""
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[-1] not in (1, 3) or a.dtype != np.uint8:
        raise InvalidArgumentError(f"encode_jpeg: image must be (height, width, 1 or 3) uint8, got shape "
                                   f"{a.shape} dtype {a.dtype}")
    if not 0 <= quality <= 100:
        raise InvalidArgumentError(f"encode_jpeg: quality must be in [0, 100], got {quality}")
    Image = _pil()
    im = Image.fromarray(a[..., 0] if a.shape[-1] == 1 else a)
    buf = _io.BytesIO()
    im.save(buf, format="JPEG", quality=int(quality), progressive=progressive, optimize=optimize_size,
            subsampling=2 if chroma_downsampling else 0, dpi=(x_density, y_density))
    return Tensor(np.array(buf.getvalue(), dtype=object))


def is_jpeg(contents, name=None):
    return Tensor(np.array(_bytes(contents, "is_jpeg")[:3] == b"\xff\xd8\xff"))
