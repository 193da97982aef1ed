"""CIFAR-10 small colour images, as ``tf.keras.datasets.cifar10``.

Reads the *binary* version of the dataset (``cifar-10-batches-bin``), never
the pickled Python one: each ``*.bin`` batch is a run of 3073-byte records,
one label byte then a 32x32 image as 1024 red, 1024 green and 1024 blue
bytes.  The archive ``cifar-10-binary.tar.gz`` is read in place (members
are looked up by exact name, nothing is extracted), or an already
extracted ``cifar-10-batches-bin`` folder is used.  When no copy is found
the archive is downloaded.  See :mod:`tinytf.keras.datasets._files`.
"""

import tarfile
import zlib

import numpy as np

from . import _files

ORIGIN = "https://www.cs.toronto.edu/~kriz/"
ARCHIVE = "cifar-10-binary.tar.gz"
# SHA-256 of the official archive (its published MD5 is
# c32a1d4ab5d03f1284b67883e8d87530; 170,052,171 bytes).
FILE_HASHES = {ARCHIVE: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"}
FOLDER = "cifar-10-batches-bin"
TRAIN_BATCHES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_BATCH = "test_batch.bin"
RECORD = 1 + 3 * 32 * 32

DATASET = _files.Dataset(
    title="CIFAR-10",
    subdir="cifar10",
    layouts=[
        _files.Layout(((ARCHIVE,),)),
        _files.Layout(tuple((f"{FOLDER}/{n}", n) for n in TRAIN_BATCHES + (TEST_BATCH,))),
    ],
    origin=ORIGIN,
    files=FILE_HASHES,
    hint=f"Expected {ARCHIVE} or its extracted {FOLDER} folder "
         "(the binary version; the pickled Python version is never read).",
)


def parse_batch(data, name):
    """Turn one binary batch into ``x`` (N, 32, 32, 3) and ``y`` (N, 1) uint8."""
    if not data or len(data) % RECORD:
        raise ValueError(f"{name}: {len(data)} bytes is not a whole number of "
                         f"{RECORD}-byte CIFAR-10 records")
    records = np.frombuffer(data, np.uint8).reshape(-1, RECORD)
    y = records[:, :1].copy()
    if y.max() > 9:
        raise ValueError(f"{name}: label {int(y.max())} is out of range 0-9")
    x = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), y


def read_archive(path):
    """The six batches' bytes from ``cifar-10-binary.tar.gz``, by file name."""
    wanted = {f"{FOLDER}/{n}": n for n in TRAIN_BATCHES + (TEST_BATCH,)}
    found = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:  # one pass, in archive order: no re-reading of the gzip stream
                name = member.name[2:] if member.name.startswith("./") else member.name
                if name in wanted:
                    if not member.isreg():
                        raise ValueError(f"{path}: {member.name} is not a regular file")
                    found[wanted[name]] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: cannot read as a CIFAR-10 binary archive: {e}") from e
    missing = sorted(set(wanted.values()) - set(found))
    if missing:
        raise ValueError(f"{path}: archive lacks {', '.join(f'{FOLDER}/{m}' for m in missing)}")
    return found


def load_data(path=None):
    """Load CIFAR-10 as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` are uint8 arrays of shape (50000, 32, 32, 3) and (10000, 32, 32, 3)
    (channels last), ``y`` uint8 labels 0-9 of shape (50000, 1) and
    (10000, 1), as Keras gives them.  ``path`` may be the archive
    ``cifar-10-binary.tar.gz`` or a folder holding it or its extracted
    ``cifar-10-batches-bin`` folder.
    """
    layout, paths = _files.locate(DATASET, path)
    if layout == 0:
        blobs = read_archive(paths[0])
        named = [(blobs[n], f"{paths[0]}:{FOLDER}/{n}") for n in TRAIN_BATCHES + (TEST_BATCH,)]
    else:
        named = []
        for p in paths:
            with open(p, "rb") as f:
                named.append((f.read(), p))
    batches = [parse_batch(data, name) for data, name in named]
    x_train = np.concatenate([x for x, _ in batches[:-1]])
    y_train = np.concatenate([y for _, y in batches[:-1]])
    return (x_train, y_train), batches[-1]


__all__ = ["load_data"]
