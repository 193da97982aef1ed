"""tf.Module: names, and variables / submodules found by walking attributes in TensorFlow's order."""
import numpy as np
import pytest

import tinytf as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(np.ones((n_in, n_out), np.float32), name="w")
        self.b = tf.Variable(np.zeros(n_out, np.float32), name="b")

    def __call__(self, x):
        return tf.nn.relu(x @ self.w + self.b)


class MLP(tf.Module):
    def __init__(self):
        super().__init__()
        self.layers = [Dense(3, 4, name="first"), Dense(4, 2, name="second")]
        self.scale = tf.Variable(2.0, trainable=False)
        self.extra = {"b": self.layers[0].w, "a": tf.Variable(1.0)}  # a shared variable is listed once

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x * self.scale


def test_names_and_their_checks():
    assert Dense(1, 1).name == "dense" and MLP().name == "mlp" and Dense(1, 1, name="d2").name == "d2"
    with pytest.raises(ValueError, match="valid module name"):
        tf.Module(name="not valid")
    with MLP().name_scope as scope:
        assert scope == "mlp/"


def test_variables_in_tensorflows_walk_order():
    m = MLP()
    first, second = m.layers
    # own attributes by sorted name (extra: a, then b = first.w; layers are modules; scale), then each
    # submodule's not seen before (first: b; second: b, w)
    expected = [m.extra["a"], first.w, m.scale, first.b, second.b, second.w]
    assert [id(v) for v in m.variables] == [id(v) for v in expected]
    assert [id(v) for v in m.trainable_variables] == [id(v) for v in expected if v is not m.scale]
    assert [id(v) for v in m.non_trainable_variables] == [id(m.scale)]
    assert m.submodules == (first, second)


def test_training_a_module_with_a_tape():
    m = MLP()
    x = np.ones((5, 3), np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(m(x))
    grads = tape.gradient(loss, m.trainable_variables)
    assert len(grads) == 5 and grads[0] is None  # extra["a"] is not used
    assert all(g is not None for g in grads[1:])
