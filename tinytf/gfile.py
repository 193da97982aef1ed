"""``tf.io.gfile``: TensorFlow's file functions on local paths (``os``, ``glob``, ``shutil``).
Remote file systems (``gs://``, ``s3://``, ``hdfs://``) are refused with a clear error."""
import glob as _glob
import os
import shutil

from .errors import NotFoundError, UnimplementedError


def _local(path, fn):
    path = os.fspath(path.numpy().decode() if hasattr(path, "numpy") else path)
    if "://" in path:
        raise UnimplementedError(f"tf.io.gfile.{fn}: {path!r}: tinytf reads and writes local files only")
    return path


def glob(pattern):
    """Sorted paths matching ``pattern`` (a list of patterns: their union)."""
    patterns = pattern if isinstance(pattern, (list, tuple)) else [pattern]
    return sorted({p for pat in patterns for p in _glob.glob(_local(pat, "glob"))})


def exists(path):
    return os.path.exists(_local(path, "exists"))


def isdir(path):
    return os.path.isdir(_local(path, "isdir"))


def listdir(path):
    path = _local(path, "listdir")
    if not os.path.isdir(path):
        raise NotFoundError(f"Could not find directory {path}")
    return sorted(os.listdir(path))


def makedirs(path):
    os.makedirs(_local(path, "makedirs"), exist_ok=True)


def mkdir(path):
    os.mkdir(_local(path, "mkdir"))


def remove(path):
    path = _local(path, "remove")
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")
    os.remove(path)


def rmtree(path):
    path = _local(path, "rmtree")
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")
    shutil.rmtree(path)


def rename(src, dst, overwrite=False):
    src, dst = _local(src, "rename"), _local(dst, "rename")
    if os.path.exists(dst) and not overwrite:
        raise FileExistsError(f"tf.io.gfile.rename: {dst} exists (pass overwrite=True)")
    os.replace(src, dst)


def copy(src, dst, overwrite=False):
    src, dst = _local(src, "copy"), _local(dst, "copy")
    if os.path.exists(dst) and not overwrite:
        raise FileExistsError(f"tf.io.gfile.copy: {dst} exists (pass overwrite=True)")
    shutil.copyfile(src, dst)


def walk(top, topdown=True, onerror=None):
    return os.walk(_local(top, "walk"), topdown=topdown, onerror=onerror)


def join(path, *paths):
    return os.path.join(path, *paths)


def GFile(name, mode="r"):  # noqa: N802 - TensorFlow's name
    """An open file object (``tf.io.gfile.GFile(path, 'rb')``)."""
    return open(_local(name, "GFile"), mode)
