"""Files tinytf writes and reads: every write atomic, nothing loaded with pickle.

A file is written under a temporary name in its own folder (``TEMP_PREFIX`` + its name + a random
part), flushed to disk, then renamed over the target with ``os.replace``: a reader, or a crash at
any moment, sees the old complete file or the new complete file, never half of one. Weights and
checkpoints are ``.npz`` read with ``allow_pickle=False``, through ``loading.py``'s checks.
"""
import contextlib
import os
import re
import tempfile

import numpy as np

TEMP_PREFIX = ".tinytf-tmp-"
# TEMP_PREFIX + anything, and the names tinytf 0.1 used: write_npz_atomic's, history/report's
_TEMP = re.compile(re.escape(TEMP_PREFIX) + r".+|\.tmp-[a-z0-9_]{8}\.npz|(history\.csv|report\.md)\.tmp")


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """``with atomic_write(path) as f: ...`` writes ``f`` to ``path`` atomically (nothing on error)."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + name + ".", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        kw = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kw) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_npz_atomic(filepath, arrays):
    """Write ``arrays`` (name -> array) to ``filepath`` as an uncompressed .npz, atomically."""
    with atomic_write(filepath) as f:
        np.savez(f, **arrays)


def write_text_atomic(path, text):
    with atomic_write(path, "w") as f:
        f.write(text)


def is_temp_file(name):
    """Whether the file name ``name`` is one of tinytf's temporary names (a write a kill cut short)."""
    return _TEMP.fullmatch(name) is not None


def open_npz(filepath, max_bytes=None):
    """An ``Npz`` (``loading.py``): the members' headers read and checked, data read on demand;
    a clear ``ValueError`` for an HDF5 file, a ``.npy``, pickled arrays or a damaged file."""
    from .loading import Npz
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"no such weights file: {filepath}")
    with open(filepath, "rb") as f:
        magic = f.read(8)
    if not magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # what np.load takes for a zip
        kind = next((k for m, k in _OTHER_FORMATS if magic.startswith(m)), "")
        raise ValueError(f"{filepath} is not a tinytf weights file (.npz){kind}; "
                         "write one with model.save_weights")
    return Npz(filepath, max_bytes)


def read_npz(filepath, max_bytes=None):
    """All arrays of an .npz file (headers checked first, pickle disabled); a clear ``ValueError``
    for anything else."""
    with open_npz(filepath, max_bytes) as z:
        return z.read_all()


_OTHER_FORMATS = [(b"\x93NUMPY", ": it is a single-array .npy file"),
                  (b"\x89HDF", ": it is an HDF5 (.h5) file")]
