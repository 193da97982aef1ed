"""tf.__version__ (the TensorFlow API version), tinytf's own version, Tensor.__format__."""
import os
import re

import numpy as np
import pytest

import tinytf as tf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)


def test_version_passes_tf2_checks():
    assert tf.__version__ == "2.21.0"
    assert tf.__version__.startswith("2")
    assert int(tf.__version__.split(".")[0]) >= 2


def test_own_version_matches_pyproject():
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        declared = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M).group(1)
    assert tf.__tinytf_version__ == declared


def test_report_prints_tinytf_version():
    import inspect
    from tinytf.tools import report
    assert "__tinytf_version__" in inspect.getsource(report)


def test_format_scalar_tensor_like_numpy():
    loss = tf.constant(1.23456)
    assert f"{loss:0.2f}" == "1.23"
    assert f"{loss:.3e}" == "1.235e+00"
    assert f"{tf.constant(3):d}" == "3"
    assert f"{tf.constant(3):>4}" == "   3"
    assert f"{loss}" == format(np.array(np.float32(1.23456)), "")  # TF: the bare NumPy value
    assert "{:.1f}".format(tf.reduce_mean(tf.constant([1.0, 2.0]))) == "1.5"


def test_format_spec_on_non_scalar_raises_type_error():
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{tf.constant([1.0, 2.0]):.2f}"
    assert f"{tf.constant([1.0, 2.0])}" == "[1. 2.]"


def test_format_variable():
    v = tf.Variable(2.5)
    assert f"{v}" == str(v)
    assert f"{v:.1f}" == "2.5"
