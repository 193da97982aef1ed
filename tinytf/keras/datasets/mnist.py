"""MNIST handwritten digits, as ``tf.keras.datasets.mnist``.

``load_data(path=None)`` reads Keras's ``mnist.npz`` (keys ``x_train``,
``y_train``, ``x_test``, ``y_test``) or the four original IDX files,
gzipped or not, and downloads ``mnist.npz`` when no copy is found.  See
:mod:`tinytf.keras.datasets._files` for where it looks.
"""

from . import _files

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASHES = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

DATASET = _files.Dataset(
    title="MNIST",
    subdir="mnist",
    layouts=[
        _files.Layout((("mnist.npz",),)),
        # The IDX names are the same as Fashion-MNIST's: only trusted in an
        # "mnist" subfolder or a folder passed as ``path``.
        _files.Layout(tuple((n + ".gz", n) for n in IDX_FILES), at_root=False),
    ],
    origin=ORIGIN,
    files=FILE_HASHES,
    hint="Expected Keras's mnist.npz, or the four IDX files "
         "(train-images-idx3-ubyte[.gz], ...) in a folder named mnist.",
)


def load_npz(path):
    """Read a Keras-style ``mnist.npz`` (no pickles allowed)."""
    from ...loading import Npz
    with Npz(path, what="dataset file (.npz)") as f:  # headers and sizes checked before any data is read
        arrays = {k: f.read(k) for k in ("x_train", "y_train", "x_test", "y_test") if k in f.names}
    if len(arrays) < 4:
        raise ValueError(f"{path}: expected arrays x_train, y_train, x_test, y_test; found {sorted(arrays)}")
    splits = ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]))
    for x, y in splits:
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{path}: expected 3-D images and 1-D labels of the same length, "
                             f"found {x.shape} and {y.shape}")
    return splits


def load_data(path=None):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` are uint8 arrays of shape (60000, 28, 28) and (10000, 28, 28),
    ``y`` uint8 labels 0-9 of shape (60000,) and (10000,).  ``path`` may be
    an ``.npz`` file or a folder holding ``mnist.npz`` or the IDX files.
    """
    layout, paths = _files.locate(DATASET, path)
    if layout == 0:
        return load_npz(paths[0])
    return _files.load_idx_splits(*paths)


__all__ = ["load_data"]
