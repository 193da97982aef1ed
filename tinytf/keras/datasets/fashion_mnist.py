"""Fashion-MNIST (Zalando's clothing images), as ``tf.keras.datasets.fashion_mnist``.

``load_data(path=None)`` reads the four IDX files, gzipped or not, from the
first place that has them -- among others Debian's ``dataset-fashion-mnist``
package (``/usr/share/datasets/fashion-mnist``) -- and downloads the
official files when none is found.  See :mod:`tinytf.keras.datasets._files`.
"""

from . import _files

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# SHA-256 of the official gzipped files (Debian's package recompressed them,
# so its copies have other hashes; files found on disk are checked by
# structure only, downloads by hash).
FILE_HASHES = {
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

DATASET = _files.Dataset(
    title="Fashion-MNIST",
    subdir="fashion-mnist",
    layouts=[_files.Layout(tuple((n + ".gz", n) for n in IDX_FILES))],
    origin=ORIGIN,
    files=FILE_HASHES,
    download_subdir="fashion-mnist",
    hint="On Debian or Ubuntu: apt-get install dataset-fashion-mnist "
         "(installs /usr/share/datasets/fashion-mnist).",
)


def load_data(path=None):
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` are uint8 arrays of shape (60000, 28, 28) and (10000, 28, 28),
    ``y`` uint8 labels 0-9 of shape (60000,) and (10000,).  ``path`` may be
    a folder holding the IDX files (or one of them).
    """
    _, paths = _files.locate(DATASET, path)
    return _files.load_idx_splits(*paths)


__all__ = ["load_data"]
