"""``tf.data``: input pipelines (``Dataset``) with TensorFlow's semantics, on NumPy.

A ``Dataset`` is a lazy chain of nodes; nothing is computed until it is iterated. Iteration yields
``Tensor`` elements with the structure (tensor, tuple, dict, nested) of the input.

Modules: :mod:`.dataset` (``Dataset``, sources, the fused index path), :mod:`.shuffle`,
:mod:`.transforms` (the other transformations; both register their nodes with
``dataset.transformation``), :mod:`.structure` (``TensorSpec``, element structures).

Note: ``from_tensor_slices`` does not copy NumPy inputs; do not modify them while a dataset uses them.
"""
import types

from . import shuffle, transforms  # noqa: F401 (they register Dataset's transformations)
from .options import AutoShardPolicy, Options
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .structure import TensorSpec
from .tfrecord import TFRecordDataset


def _cardinality(dataset):
    return dataset.cardinality()


def _shuffle_and_repeat(buffer_size, count=None, seed=None):
    """TF 1.x's fused transformation, for ``dataset.apply``: ``shuffle(buffer_size, seed)`` then
    ``repeat(count)`` (its documented replacement; each repetition is reshuffled)."""
    return lambda dataset: dataset.shuffle(buffer_size, seed=seed).repeat(-1 if count is None else count)


experimental = types.SimpleNamespace(
    AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY, cardinality=_cardinality,
    AutoShardPolicy=AutoShardPolicy, shuffle_and_repeat=_shuffle_and_repeat)

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "Options", "TFRecordDataset", "TensorSpec",
           "UNKNOWN_CARDINALITY", "experimental"]
