"""tf.test, tf.version, tf.get_logger, tf.name_scope: answers as TensorFlow 2.21 gives on a CPU machine."""
import logging

import pytest

import tinytf as tf


def test_accelerator_questions_answer_as_a_cpu_only_tensorflow():
    assert tf.test.gpu_device_name() == ""
    with pytest.warns(DeprecationWarning):
        assert tf.test.is_gpu_available() is False
    assert tf.test.is_built_with_cuda() is False


def test_version_logger_and_name_scope():
    assert tf.version.VERSION == "2.21.0" == tf.__version__
    assert tf.get_logger() is logging.getLogger("tensorflow")
    with tf.name_scope("block") as scope:
        assert scope == "block/"
        assert float(tf.constant(2.0) * 3) == 6.0
    with pytest.raises(TypeError, match="name must be a string"):
        tf.name_scope(3)
