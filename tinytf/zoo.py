"""Models and datasets by name, for the ``tinytf`` command.

Models (all end in ``Dense(num_classes)`` logits):

* ``lenet5`` - the tutorial's LeNet-5 with batch norm (3x3 convs, max pooling, ReLU);
* ``lenet5-wide`` - the same with 16 and 32 conv filters instead of 6 and 16 (``--recipe fast90``);
* ``lenet5-classic`` - LeNet-5 in the 1998 style on 28x28: 5x5 convs (the first SAME, so the
  second sees 14x14 as the original's 32x32 input would give), tanh, average pooling, no BN;
* ``vgg-small`` - two VGG blocks (two SAME 3x3 convs + BN + ReLU, then 2x2 max pooling;
  16 then 32 filters), Dense(128) with dropout 0.3.

Datasets: ``fashion_mnist``, ``mnist`` (the ``tf.keras.datasets`` loaders, so the usual search
order and error messages), or a folder holding either the four IDX files
(``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]``,
``t10k-labels-idx1-ubyte[.gz]``) or one ``.npz`` with ``x_train``, ``y_train``, ``x_test``,
``y_test`` (an optional ``classes.txt`` names the classes, one per line).
"""
import os

import numpy as np

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                         "Sneaker", "Bag", "Ankle boot")
MNIST_CLASSES = tuple(str(i) for i in range(10))
DATASETS = ("fashion_mnist", "mnist")


def _lenet5(L, num_classes, filters=(6, 16)):
    return [L.Conv2D(filters[0], kernel_size=3, strides=1), L.BatchNormalization(),
            L.MaxPooling2D(pool_size=2, strides=2), L.ReLU(),
            L.Conv2D(filters[1], kernel_size=3, strides=1), L.BatchNormalization(),
            L.MaxPooling2D(pool_size=2, strides=2), L.ReLU(),
            L.Flatten(),
            L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(num_classes)]


def _lenet5_wide(L, num_classes):
    return _lenet5(L, num_classes, filters=(16, 32))


def _lenet5_classic(L, num_classes):
    return [L.Conv2D(6, 5, padding="same", activation="tanh"), L.AveragePooling2D(2),
            L.Conv2D(16, 5, activation="tanh"), L.AveragePooling2D(2),
            L.Flatten(),
            L.Dense(120, activation="tanh"), L.Dense(84, activation="tanh"), L.Dense(num_classes)]


def _vgg_small(L, num_classes):
    out = []
    for filters in (16, 32):
        for _ in range(2):
            out += [L.Conv2D(filters, 3, padding="same", use_bias=False), L.BatchNormalization(), L.ReLU()]
        out.append(L.MaxPooling2D(2))
    return out + [L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.3), L.Dense(num_classes)]


MODELS = {
    "lenet5": (_lenet5, "the tutorial's LeNet-5 with batch norm (3x3 convs, max pool, ReLU)"),
    "lenet5-wide": (_lenet5_wide, "lenet5 with 16 and 32 conv filters (instead of 6 and 16)"),
    "lenet5-classic": (_lenet5_classic, "LeNet-5, 1998 style: 5x5 convs, tanh, average pooling, no BN"),
    "vgg-small": (_vgg_small, "two VGG blocks (3x3 convs 16, 32; BN; max pool), Dense 128, dropout"),
}


def build(name, input_shape=(28, 28, 1), num_classes=10):
    """A built (not compiled) ``Sequential`` for model ``name``; weights come from tinytf's global
    generator, so call ``tf.random.set_seed`` first for repeatable runs."""
    from .keras import layers as L
    from .keras.models import Sequential
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    model = Sequential(MODELS[name][0](L, int(num_classes)), name=name.replace("-", "_"))
    try:
        model.build((None,) + tuple(int(d) for d in input_shape))
    except ValueError as e:  # a layer whose window does not fit its input
        raise ValueError(f"{name} cannot take {'x'.join(map(str, input_shape))} inputs: {e}") from None
    return model


# ---------------------------------------------------------------------------- datasets

class DataError(ValueError):
    """A dataset folder that cannot be used (the message says why)."""


MAX_CLASSES = 100_000  # a dataset's labels are class numbers below this (ImageNet-21k has 21,841)


def dataset_label(spec):
    """A short name for run folders: the dataset name, or the folder's base name."""
    return spec if spec in DATASETS else os.path.basename(os.path.normpath(spec)) or "data"


def load_dataset(spec):
    """``(x_train, y_train), (x_test, y_test), class_names`` for a dataset name or folder.

    Images come back as loaded (uint8, [N, H, W] or [N, H, W, C]); see :func:`prepare`."""
    from .keras import datasets
    if spec == "fashion_mnist":
        return (*datasets.fashion_mnist.load_data(), FASHION_MNIST_CLASSES)
    if spec == "mnist":
        return (*datasets.mnist.load_data(), MNIST_CLASSES)
    folder = os.path.expanduser(spec)
    if not os.path.isdir(folder):
        raise DataError(f"dataset {spec!r} is neither {' nor '.join(DATASETS)} nor a folder")
    train, test, where = _load_folder(folder)
    train, test = (_checked(where, split, x, y) for split, (x, y) in (("train", train), ("test", test)))
    top = max(train[1].max(initial=0), test[1].max(initial=0))
    if top >= MAX_CLASSES:
        split = "train" if train[1].max(initial=0) == top else "test"
        raise DataError(f"{where}: y_{split} holds label {int(top)}; expected class numbers below {MAX_CLASSES}")
    return train, test, _class_names(folder, int(top) + 1)


def _checked(where, split, x, y):
    """``(x, y)`` with int64 labels, or a ``DataError`` naming the array and what was expected."""
    want = "class numbers 0, 1, 2, ..."
    if x.dtype.kind not in "uif" or x.ndim not in (3, 4):
        raise DataError(f"{where}: x_{split} holds {x.dtype} images of shape {x.shape}; expected numbers, "
                        "[N, H, W] or [N, H, W, C]")
    if y.dtype.kind not in "uif":
        raise DataError(f"{where}: y_{split} holds {y.dtype} labels; expected {want}")
    if y.dtype.kind == "f":
        bad = y[~np.isfinite(y) | (y != np.round(y))] if y.size else y
        if bad.size:
            raise DataError(f"{where}: y_{split} holds label {float(bad[0]):g}; expected {want}")
    if y.size and y.min() < 0:
        raise DataError(f"{where}: y_{split} holds label {y.min()}; expected {want}")
    return x, y.astype(np.int64)


def _load_folder(folder):
    from .keras.datasets import _files, fashion_mnist, mnist
    npz = sorted(f for f in os.listdir(folder) if f.endswith(".npz"))
    idx = _files.find_layout(folder, fashion_mnist.DATASET.layouts[0])
    if idx:
        return (*_files.load_idx_splits(*idx), folder)
    if len(npz) == 1:
        path = os.path.join(folder, npz[0])
        return (*mnist.load_npz(path), path)
    names = ", ".join(n + "[.gz]" for n in fashion_mnist.IDX_FILES)
    raise DataError(f"{folder}: expected the four IDX files ({names}) or one .npz file with x_train, "
                    f"y_train, x_test, y_test; found " + (f"{len(npz)} .npz files" if npz else "neither"))


def _class_names(folder, n):
    path = os.path.join(folder, "classes.txt")
    if os.path.isfile(path):
        names = []
        with open(path, encoding="utf-8") as f:  # at most MAX_CLASSES names of at most 1000 characters
            while len(names) < MAX_CLASSES:
                line = f.readline(1000)
                if not line:
                    break
                if line.strip():
                    names.append(line.strip())
        if len(names) >= n:
            return tuple(names)
    return tuple(str(i) for i in range(n))


def prepare(x):
    """Images as the models see them: float32 in [0, 1], with a channel axis ([N, H, W, C])."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.dtype.kind in "ui":
        return x.astype(np.float32) / np.float32(255)
    return x.astype(np.float32)
