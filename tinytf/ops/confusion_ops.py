"""``tf.math.confusion_matrix``: counts (or summed weights) of (label, prediction) pairs."""
import numpy as np

from .. import dtypes as _dtypes
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .core import as_tensor


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=_dtypes.int32, name=None):
    """``[num_classes, num_classes]``: entry ``[i, j]`` counts the samples with label ``i`` predicted
    as ``j`` (``num_classes`` defaults to the largest label or prediction plus one)."""
    lab, pred = (np.asarray(as_tensor(v).numpy()) for v in (labels, predictions))
    for v, what in ((lab, "labels"), (pred, "predictions")):
        if v.dtype.kind not in "iu":
            raise TypeError(f"confusion_matrix: {what} must be integers, got {v.dtype.name}")
    lab, pred = lab.reshape(-1).astype(np.int64), pred.reshape(-1).astype(np.int64)
    if lab.shape != pred.shape:
        raise InvalidArgumentError(f"confusion_matrix: labels ({lab.size}) and predictions ({pred.size}) "
                                   "must have the same number of elements")
    if lab.size and (lab.min() < 0 or pred.min() < 0):
        raise InvalidArgumentError("confusion_matrix: labels and predictions must be non-negative")
    if num_classes is None:
        n = int(max(lab.max(initial=-1), pred.max(initial=-1))) + 1
    else:
        n = int(num_classes)
        if lab.size and (lab.max() >= n or pred.max() >= n):
            raise InvalidArgumentError(f"confusion_matrix: labels and predictions must be < num_classes={n}")
    dt = np.dtype(_dtypes.as_dtype(dtype).as_numpy_dtype)
    w = np.ones(lab.shape, dt) if weights is None else np.asarray(as_tensor(weights).numpy()).reshape(-1).astype(dt)
    out = np.zeros((n, n), dt)
    np.add.at(out, (lab, pred), w)
    return Tensor(out)
