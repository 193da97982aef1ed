"""``tf.io``: TFRecord files, ``tf.train.Example`` parsing and ``gfile`` (``records.py``, ``gfile.py``).
(The image codecs and ``read_file`` live beside these on the branch that adds them.)"""
from . import gfile  # noqa: F401
from .records import FixedLenFeature, TFRecordWriter, parse_single_example  # noqa: F401
