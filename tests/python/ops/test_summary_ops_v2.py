"""``tensorflow.python.ops.summary_ops_v2``: TF 2.0-era programs import it; its names are tf.summary's."""
import tinytf as tf
from tinytf.python.ops import summary_ops_v2


def test_the_internal_module_names_tf_summary():
    assert summary_ops_v2.scalar is tf.summary.scalar
    assert summary_ops_v2.create_file_writer_v2 is tf.summary.create_file_writer
    assert summary_ops_v2.record_if is tf.summary.record_if
    assert summary_ops_v2.get_step is tf.summary.experimental.get_step
    assert tf.python.ops.summary_ops_v2 is summary_ops_v2
