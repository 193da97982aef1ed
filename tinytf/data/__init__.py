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


experimental = types.SimpleNamespace(
    AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY, cardinality=_cardinality,
    AutoShardPolicy=AutoShardPolicy)

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "Options", "TFRecordDataset", "TensorSpec",
           "UNKNOWN_CARDINALITY", "experimental"]
