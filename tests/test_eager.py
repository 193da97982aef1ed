"""tf.py_function and tf.init_scope, against TensorFlow 2.21's eager results (recorded by hand from
/work/venv-tf: the values are exact)."""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad


def test_py_function_results_follow_tout():
    y = tf.py_function(lambda x: x * 2, [tf.constant(3.0)], tf.float32)
    assert isinstance(y, tf.Tensor) and y.dtype == tf.float32 and y.numpy() == 6.0
    a, b = tf.py_function(lambda x: (x * 2, x), [tf.constant(3.0)], [tf.float32, tf.float32])
    assert (a.numpy(), b.numpy()) == (6.0, 3.0)
    (c,) = tf.py_function(lambda x: x * 2, [tf.constant(3)], [tf.int32])
    assert c.dtype == tf.int32 and c.numpy() == 6
    assert tf.py_function(lambda x: None, [tf.constant(3)], []) == []
    five = tf.py_function(lambda x: 5, [3], tf.int32)  # Python results converted to Tout
    assert five.dtype == tf.int32 and five.numpy() == 5
    pair = tf.py_function(lambda x: [x, x], [3.0], (tf.float32, tf.float32))
    assert [p.numpy() for p in pair] == [3.0, 3.0]
    # results beyond Tout's dtypes are dropped, as TensorFlow's zip
    t = tf.py_function(lambda x: (x, x + 1), [tf.constant(3)], tf.int32)
    assert t.shape == () and t.numpy() == 3
    (t,) = tf.py_function(lambda x: (x, x + 1), [tf.constant(3)], [tf.int32])
    assert t.numpy() == 3
    one = tf.py_function(func=lambda: tf.constant(1.0), inp=[], Tout=tf.float32)
    assert one.numpy() == 1.0


def test_py_function_inputs_are_tensors():
    seen = []
    tf.py_function(lambda a, b: seen.extend([a, b]), [1.5, np.arange(3)], [])
    assert all(isinstance(s, tf.Tensor) for s in seen)
    assert seen[0].dtype == tf.float32 and seen[1].numpy().tolist() == [0, 1, 2]


def test_py_function_errors_match_tensorflow():
    with pytest.raises(ValueError, match="Expected func to be callable. Received func=5"):
        tf.py_function(5, [3], tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="requested dtype float32 for Tensor with dtype int32"):
        tf.py_function(lambda x: x * 2, [tf.constant(3)], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 0 values, but expects to see 1 values"):
        tf.py_function(lambda x: None, [tf.constant(3)], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 1 values, but expects to see 2 values"):
        tf.py_function(lambda x: x, [tf.constant(3.0)], [tf.float32, tf.float32])
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 1 values, but expects to see 2 values"):
        tf.py_function(lambda x: (x,), [tf.constant(3.0)], [tf.float32, tf.float32])
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 0 values, but expects to see 1 values"):
        tf.py_function(lambda x: [], [tf.constant(3)], tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot convert 'a' to EagerTensor of dtype int32"):
        tf.py_function(lambda x: "a", [tf.constant(3)], tf.int32)
    with pytest.raises(TypeError, match="Missing required argument: 'inp'"):
        tf.py_function(abs, Tout=tf.int32)
    with pytest.raises(TypeError, match="Missing required argument: 'Tout'\n  If using tf.py_function as a decorator"):
        tf.py_function(inp=[1.0])
    with pytest.raises(TypeError, match="Don't set the `inp` argument when using tf.py_function as a decorator"):
        tf.py_function(Tout=tf.float32, inp=[1.0])


def test_py_function_as_a_decorator():  # tensorflow docs guide/function.ipynb
    calls = []

    @tf.py_function(Tout=tf.float32)
    def py_plus(x, y):
        calls.append((type(x), type(y)))
        return x + y

    assert py_plus.__name__ == "py_plus"
    assert py_plus(tf.constant(1.0), tf.constant(2.0)).numpy() == 3.0
    assert py_plus(1.0, 2.0).numpy() == 3.0
    assert calls == [(tf.Tensor, tf.Tensor)] * 2
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        py_plus(x=1.0, y=2.0)


def test_gradients_flow_through_py_function():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = tf.py_function(lambda a: a * a * a, [x], tf.float32)
    assert tape.gradient(y, x).numpy() == 12.0  # TensorFlow 2.21 gives 12.0
    assert_grad(lambda a: tf.py_function(lambda t: tf.tanh(t) * t, [a], tf.float64), np.linspace(-1, 1, 5))


def test_init_scope_runs_the_block():
    ran = []
    with tf.init_scope() as scope:
        ran.append(scope)
    assert ran == [None]
