"""Read images for ``tinytf predict``: PNG / JPEG / any format Pillow reads, and ``.npy`` arrays.

Pictures (any size, colour or grey) are turned into what the models were trained on: transparent
parts composited on white, converted to grey (or RGB for 3-channel models), padded to a square
with their border colour (so the aspect ratio is kept), resized to the model's input size and
scaled to [0, 1]. MNIST-style data is light on dark: use ``invert=True`` for a dark object on a
light background (a photo, a drawing on paper).

``.npy`` files hold one image ([H, W] or [H, W, C]) or a batch ([N, H, W] or [N, H, W, C]) of the
model's size; integer arrays are divided by 255, float arrays are used as they are (0..1).
"""
import os

import numpy as np

IMAGE_HINT = "pip install 'tinytf[image]'"


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
    try:
        a = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise ImageError(f"cannot read image {path}: not a readable .npy array ({e})") from None
    h, w, c = shape
    if a.ndim == 2 or (a.ndim == 3 and a.shape[-1] == c and a.shape[:2] == (h, w)):
        a = a[None]
    if a.ndim == 3:
        a = a[..., None]
    if a.ndim != 4 or a.shape[1:] != (h, w, c):
        raise ImageError(f"{path}: array of shape {a.shape}; the model takes {h}x{w}x{c} images "
                         f"([{h}, {w}], [{h}, {w}, {c}] or a batch [N, {h}, {w}(, {c})])")
    if len(a) == 0:
        raise ImageError(f"{path}: array of shape {a.shape} holds no images")
    if a.dtype.kind in "ui":
        return a.astype(np.float32) / np.float32(255)
    if a.dtype.kind != "f":
        raise ImageError(f"{path}: array of dtype {a.dtype}; expected integers 0..255 or floats 0..1")
    return a.astype(np.float32)


def _load_picture(path, shape):
    Image = _pil()
    h, w, c = shape
    try:
        with Image.open(path) as im:
            im.load()
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
