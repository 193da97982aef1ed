"""``tf.keras.utils``: labels, seeds, downloads, images and model plots.

``to_categorical``, ``set_random_seed``, ``get_file`` (here and ``files.py``), the image helpers
(``images.py``: ``load_img``, ``img_to_array``, ``array_to_img``, ``image_dataset_from_directory``),
``audio_dataset_from_directory`` (``audio.py``) and ``plot_model`` (``plot.py``).
"""
import random as _random

import numpy as np

from .audio import audio_dataset_from_directory
from .files import get_file
from .images import array_to_img, image_dataset_from_directory, img_to_array, load_img, save_img
from .plot import model_to_dot, plot_model
from .py_dataset import PyDataset, Sequence
from ..data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight


def to_categorical(y, num_classes=None):
    """One-hot float32 rows for integer labels ``y`` (any shape; a trailing axis of 1 is dropped, as
    Keras): ``num_classes`` defaults to ``max(y) + 1``."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(f"to_categorical: labels must be integers, got non-integer values in y={y!r}")
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iub":
        raise TypeError(f"to_categorical: y must hold integer class labels, got dtype {y.dtype}")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1).astype(np.int64)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"to_categorical: num_classes must be a positive int, got num_classes={num_classes!r}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in [0, {num_classes}), got values from {y.min()} "
                         f"to {y.max()}")
    out = np.zeros((y.size, int(num_classes)), np.float32)
    out[np.arange(y.size), y] = 1.0
    return out.reshape(shape + (int(num_classes),))


def set_random_seed(seed):
    """Seed Python's ``random``, NumPy's global generator and tinytf's (``tf.random.set_seed``), as
    ``keras.utils.set_random_seed`` does."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r} "
                         f"(of type {type(seed)})")
    from ... import backend
    _random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    backend.set_seed(int(seed))


__all__ = ["PyDataset", "Sequence", "array_to_img", "audio_dataset_from_directory", "get_file", "image_dataset_from_directory", "img_to_array",
           "load_img", "model_to_dot", "pack_x_y_sample_weight", "plot_model", "save_img", "set_random_seed", "to_categorical",
           "unpack_x_y_sample_weight"]
