"""Synthetic data of the real shapes for the program tests (tests/programs/test_programs_*.py):
small, seeded, and learnable in a few epochs."""
import pathlib

import numpy as np

import tinytf as tf


def colour_images(n, h, w, classes, seed):
    """uint8 images whose class sets the dominant colour (plus noise): learnable in a few epochs."""
    r = np.random.default_rng(seed)
    y = r.integers(0, classes, n)
    palette = np.array([[220, 40, 40], [40, 200, 40], [40, 40, 220], [220, 220, 40], [200, 40, 220]])[:classes]
    x = np.clip(palette[y][:, None, None, :] + r.normal(0, 25, (n, h, w, 3)), 0, 255).astype(np.uint8)
    return x, y


def write_class_folders(root, names, n, h, w, ext, seed):
    """A flower_photos-style folder: one sub-folder of images per class."""
    x, y = colour_images(n, h, w, len(names), seed)
    for i, (img, label) in enumerate(zip(x, y)):
        folder = pathlib.Path(root) / names[label]
        folder.mkdir(parents=True, exist_ok=True)
        enc = tf.io.encode_jpeg(img, quality=90) if ext == "jpg" else tf.io.encode_png(img)
        tf.io.write_file(str(folder / f"{i:04d}.{ext}"), enc)
    return pathlib.Path(root)


def digits(n, seed):
    """MNIST-shaped uint8 images: a bright bar whose position is the class."""
    r = np.random.default_rng(seed)
    y = r.integers(0, 10, n).astype(np.uint8)
    x = r.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    for k in range(10):
        x[y == k, 2 + 2 * k:4 + 2 * k, 4:24] = 230
    return x, y
