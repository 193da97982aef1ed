"""tf.autograph: tinytf converts nothing, so to_code gives the function's own source."""
import pytest

import tinytf as tf


def add_one(x):
    return x + 1


def test_to_code_returns_the_source_the_function_runs():
    assert tf.autograph.to_code(add_one) == "def add_one(x):\n    return x + 1\n"
    assert tf.autograph.to_graph(add_one) is add_one
    f = tf.function(add_one)
    assert f is add_one and f(tf.constant(1)).numpy() == 2
    assert tf.autograph.to_code(f.python_function) == tf.autograph.to_code(add_one)  # guide/function.ipynb
    assert tf.function(reduce_retracing=True)(add_one) is add_one


def test_to_code_errors():
    with pytest.raises(TypeError, match="entity must be a function or method, got 5"):
        tf.autograph.to_code(5)
    with pytest.raises(ValueError, match="the source of <built-in function len> is not available"):
        tf.autograph.to_code(len)
