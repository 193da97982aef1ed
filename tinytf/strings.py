"""``tf.strings`` (a minimal part): ``split`` of one string, for the path handling of image
pipelines (``tf.strings.split(file_path, os.path.sep)[-2]``)."""
import numpy as np

from .tensor import Tensor, to_array


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002 - TensorFlow's name
    """The parts of a scalar string as a 1-D ``tf.string`` tensor: split on ``sep`` (empty parts
    kept), or on runs of whitespace when ``sep`` is None (no empty parts); at most ``maxsplit``
    splits (-1: all). TF gives a RaggedTensor for a vector of strings; tinytf splits scalars only."""
    v = to_array(input, "string")
    if v.ndim != 0:
        raise NotImplementedError(f"tf.strings.split: tinytf splits one string (a scalar); got shape {v.shape} "
                                  "(TF returns a RaggedTensor there)")
    s = v[()]
    if sep is not None:
        sep = sep.numpy() if isinstance(sep, Tensor) else sep
        sep = sep.encode("utf-8") if isinstance(sep, str) else bytes(sep)
        if not sep:
            raise ValueError("tf.strings.split: sep must not be empty (use tf.strings.bytes_split)")
    parts = s.split(sep, -1 if maxsplit is None else maxsplit)
    out = np.empty(len(parts), dtype=object)
    out[:] = parts
    return Tensor(out)
