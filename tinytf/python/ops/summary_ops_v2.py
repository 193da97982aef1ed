"""``tensorflow.python.ops.summary_ops_v2``, TensorFlow's internal module behind ``tf.summary``,
which TF 2.0-era programs import directly (``from tensorflow.python.ops import summary_ops_v2``):
its writer and recording names, as tinytf's ``tf.summary`` implements them."""
from ...summary import (create_file_writer, create_noop_writer, flush, graph, record_if,  # noqa: F401
                        scalar, should_record_summaries, trace_export, trace_off, trace_on, write)
from ...summary.experimental import get_step, set_step  # noqa: F401

create_file_writer_v2 = create_file_writer  # TF's name for the TF 2 writer
