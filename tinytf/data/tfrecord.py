"""``tf.data.TFRecordDataset``: the records of TFRecord files, one scalar byte-string element each,
file after file (``num_parallel_reads`` is accepted; tinytf reads the files in order)."""
import numpy as np

from .. import dtypes as _dtypes
from ..records import read_records
from ..tensor import Tensor
from .dataset import Dataset
from .structure import TensorSpec


def _filenames(filenames):
    if isinstance(filenames, Dataset):
        filenames = [f.numpy() for f in filenames]
    elif isinstance(filenames, Tensor):
        filenames = np.asarray(filenames.numpy(), dtype=object).ravel().tolist()
    elif isinstance(filenames, (str, bytes)):
        filenames = [filenames]
    out = [f.decode("utf-8") if isinstance(f, bytes) else f for f in filenames]
    if not all(isinstance(f, str) for f in out):
        raise TypeError(f"TFRecordDataset: filenames must be strings, got {filenames!r}")
    return out


class TFRecordDataset(Dataset):
    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        self._files = _filenames(filenames)
        if compression_type not in (None, "", "ZLIB", "GZIP"):
            raise ValueError(f"TFRecordDataset: compression_type must be '', 'ZLIB' or 'GZIP', got "
                             f"{compression_type!r}")
        self._compression = compression_type

    def _elements(self):
        for path in self._files:
            for record in read_records(path, self._compression):
                yield np.array(record, dtype=object)

    def _spec(self):
        return TensorSpec((), _dtypes.as_dtype("string"))

    def __repr__(self):
        return "<TFRecordDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)>"
