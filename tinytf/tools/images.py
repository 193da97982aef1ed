"""Read images for ``tinytf predict``: PNG / JPEG / any format Pillow reads, and ``.npy`` arrays.

Pictures (any size, colour or grey) are turned into what the models were trained on: transparent
parts composited on white, converted to grey (or RGB for 3-channel models), padded to a square
with their border colour (so the aspect ratio is kept), resized to the model's input size and
scaled to [0, 1] (16-bit pictures by 65535). MNIST-style data is light on dark: use ``invert=True``
for a dark object on a light background (a photo, a drawing on paper).

``.npy`` files hold one image ([H, W] or [H, W, C]) or a batch ([N, H, W] or [N, H, W, C]) of the
model's size (the header is checked against the file's size and the model before anything is
allocated); integer arrays are divided by 255, float arrays are used as they are (0..1).
"""
import os
import warnings

import numpy as np

IMAGE_HINT = "pip install 'tinytf[image]'"
MAX_PIXELS = 89_478_485  # Pillow's MAX_IMAGE_PIXELS: a bigger picture is refused before decoding


class ImageError(ValueError):
    """An image that cannot be read or used; the message names the file."""


def _pil():
    try:
        from PIL import Image
    except ImportError:
        from .report import MissingDependency
        raise MissingDependency(f"reading PNG/JPEG images needs Pillow: {IMAGE_HINT}") from None
    return Image


def load(path, shape=(28, 28, 1), invert=False):
    """A float32 batch [N, H, W, C] for ``path`` (N = 1 for a picture)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ImageError(f"cannot read image {path}: it is a folder; give image files (PNG, JPEG, .npy)")
    if not os.path.isfile(path):
        raise ImageError(f"cannot read image {path}: no such file")
    x = _load_npy(path, shape) if path.lower().endswith(".npy") else _load_picture(path, shape)
    return 1.0 - x if invert else x


def _load_npy(path, shape):
    from ..loading import FileRefused, npy_header, read_npy
    h, w, c = shape
    try:
        declared, dtype = npy_header(path)  # the header, checked against the file size, before allocating
        _batch_shape(path, declared, shape)
        if dtype.kind not in "uif":
            raise ImageError(f"{path}: array of dtype {dtype}; expected integers 0..255 or floats 0..1")
        a = read_npy(path)
    except FileRefused as e:
        raise ImageError(f"cannot read image {e}") from None
    except OSError as e:
        raise ImageError(f"cannot read image {path}: {e}") from None
    a = a.reshape(_batch_shape(path, a.shape, shape))
    if a.dtype.kind in "ui":
        return a.astype(np.float32) / np.float32(255)
    if a.dtype.kind != "f":
        raise ImageError(f"{path}: array of dtype {a.dtype}; expected integers 0..255 or floats 0..1")
    return a.astype(np.float32)


def _batch_shape(path, declared, shape):
    """The [N, H, W, C] an array of shape ``declared`` is read as, or an ``ImageError``."""
    h, w, c = shape
    a = tuple(declared)
    if len(a) == 2 or (len(a) == 3 and a[-1] == c and a[:2] == (h, w)):
        a = (1,) + a
    if len(a) == 3:
        a = a + (1,)
    if len(a) != 4 or a[1:] != (h, w, c):
        raise ImageError(f"{path}: array of shape {tuple(declared)}; the model takes {h}x{w}x{c} images "
                         f"([{h}, {w}], [{h}, {w}, {c}] or a batch [N, {h}, {w}(, {c})])")
    if a[0] == 0:
        raise ImageError(f"{path}: array of shape {tuple(declared)} holds no images")
    return a


def _load_picture(path, shape):
    Image = _pil()
    h, w, c = shape
    try:
        with warnings.catch_warnings():  # Pillow warns of what is refused just below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)  # reads the header only
        with im:
            limit = Image.MAX_IMAGE_PIXELS or MAX_PIXELS
            if im.width * im.height > min(limit, MAX_PIXELS):
                raise ImageError(f"{im.width}x{im.height} pixels, more than the {min(limit, MAX_PIXELS)} "
                                 "tinytf reads (a decompression bomb?)")
            im.load()
            im = _to_8bit(im, Image)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                im = im.convert("RGBA")
                bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
                im = Image.alpha_composite(bg, im)
            im = im.convert("L" if c == 1 else "RGB")
    except Exception as e:  # noqa: BLE001 - Pillow raises many kinds; all mean "cannot read"
        raise ImageError(f"cannot read image {path}: {e}") from None
    im = _square(im, Image)
    resample = getattr(Image, "Resampling", Image).LANCZOS
    a = np.asarray(im.resize((w, h), resample), dtype=np.float32) / np.float32(255)
    return a.reshape(1, h, w, c)


def _to_8bit(im, Image):
    """16- and 32-bit grey images (Pillow's modes I;16*, I) scaled to 8 bits by their bit depth
    (Pillow's own conversion clips them to 255), float images (F) taken as 0..1."""
    if im.mode.startswith("I;16") or im.mode == "I":
        a = np.asarray(im).astype(np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or a.max(initial=0) <= 65535 else float(2 ** 32 - 1)
        if a.min(initial=0) < 0:
            raise ImageError(f"signed {im.mode} pixels are not supported")
        return Image.fromarray(np.round(a * (255.0 / top)).astype(np.uint8), "L")
    if im.mode == "F":
        a = np.clip(np.asarray(im, dtype=np.float64), 0.0, 1.0)
        return Image.fromarray(np.round(a * 255.0).astype(np.uint8), "L")
    return im


def _square(im, Image):
    """Pad to a square with the median colour of the border."""
    W, H = im.size
    if W == H:
        return im
    a = np.asarray(im)
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]]).reshape(-1, 1 if a.ndim == 2 else a.shape[2])
    fill = tuple(int(v) for v in np.median(border, axis=0))
    side = max(W, H)
    out = Image.new(im.mode, (side, side), fill[0] if im.mode == "L" else fill)
    out.paste(im, ((side - W) // 2, (side - H) // 2))
    return out
