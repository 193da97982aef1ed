"""``tf.data``: input pipelines (``Dataset``) with TensorFlow's semantics, on NumPy.

A ``Dataset`` is a lazy chain of nodes; nothing is computed until it is iterated. Iteration yields
``Tensor`` elements with the structure (tensor, tuple, dict, nested) of the input.

Modules: :mod:`.dataset` (``Dataset``, sources, the fused index path), :mod:`.shuffle`,
:mod:`.transforms` (the other transformations; both register their nodes with
``dataset.transformation``), :mod:`.structure` (``TensorSpec``, element structures).

Note: ``from_tensor_slices`` does not copy NumPy inputs; do not modify them while a dataset uses them.
"""
import types

import numpy as np

from .. import dtypes as _dtypes
from ..tensor import Tensor

from . import shuffle, transforms  # noqa: F401 (they register Dataset's transformations)
from .options import AutoShardPolicy, Options
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .structure import TensorSpec
from .tfrecord import TFRecordDataset


def _cardinality(dataset):
    return dataset.cardinality()


def Counter(start=0, step=1, dtype=_dtypes.int64, name=None):  # noqa: N802 (TensorFlow's name)
    """``tf.data.experimental.Counter``: the endless dataset ``start, start + step, ...`` of ``dtype`` scalars."""
    dt = _dtypes.np_dtype(dtype)
    if dt.kind not in "iuf":
        raise TypeError(f"Counter: dtype must be a number type, got {dt.name}")
    for arg, v in (("start", start), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"Counter: {arg} must be a number, got {v!r}")
    first, by = dt.type(start), dt.type(step)
    return Dataset.from_tensors(0).repeat().enumerate().map(
        lambda i, _: Tensor(first + np.asarray(i._v, dt) * by))


def _shuffle_and_repeat(buffer_size, count=None, seed=None):
    """TF 1.x's fused transformation, for ``dataset.apply``: ``shuffle(buffer_size, seed)`` then
    ``repeat(count)`` (its documented replacement; each repetition is reshuffled)."""
    return lambda dataset: dataset.shuffle(buffer_size, seed=seed).repeat(-1 if count is None else count)


experimental = types.SimpleNamespace(
    AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY, cardinality=_cardinality,
    AutoShardPolicy=AutoShardPolicy, Counter=Counter, shuffle_and_repeat=_shuffle_and_repeat)

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "Options", "TFRecordDataset", "TensorSpec",
           "UNKNOWN_CARDINALITY", "experimental"]
