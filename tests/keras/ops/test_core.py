"""``keras.ops`` conversion, Keras 3's dtype promotion and the structural ops (values of the
computing ops: test_keras_fixture.py)."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import ops


def test_import_forms():
    import tinytf.keras.ops as mod
    assert tf.keras.ops is mod is ops
    assert ops.image.resize is mod.image.resize


@pytest.mark.parametrize("values,expected", [
    ((1.0,), "float32"), ((1,), "int32"), ((True,), "bool"),
    ((np.ones(2, np.float16), 1.0), "float16"),  # Python numbers are weak
    ((np.ones(2, np.int32), 1.5), "float32"),
    ((np.ones(2, np.int8), np.ones(2, np.float64)), "float64"),
    ((np.ones(2, np.int32), np.ones(2, np.int64)), "int64"),
    ((np.ones(2, bool), 2), "int32"),
    ((np.ones(2, np.float32), np.ones(2, np.float64)), "float64"),
])
def test_result_type(values, expected):
    assert ops.result_type(*values) == np.dtype(expected)


def test_convert_and_inspect():
    t = ops.convert_to_tensor([1.0, 2.0])
    assert t.dtype == tf.float32 and ops.is_tensor(t) and not ops.is_tensor(np.ones(2))
    assert ops.convert_to_tensor(np.ones(2)).dtype == tf.float64  # NumPy arrays keep their dtype
    assert ops.convert_to_tensor([1, 2], dtype="float32").dtype == tf.float32
    assert isinstance(ops.convert_to_numpy(t), np.ndarray)
    assert ops.shape(np.ones((2, 3))) == (2, 3) and ops.dtype(t) == "float32"
    with pytest.raises(ValueError, match="sparse"):
        ops.convert_to_tensor([1.0], sparse=True)
    with pytest.raises(ValueError, match="cannot convert"):
        ops.convert_to_tensor("abc")
    with pytest.raises(ValueError, match="dtype"):
        ops.cast(t, None)


def test_cast_keeps_the_gradient():
    x = tf.constant(np.array([1.5, -2.0], np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.cast(x, "float64") * 3)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3, 3])


def test_slice_unstack_cond_stop_gradient():
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(ops.slice(x, (1, 0, 2), (1, 2, -1)).numpy(), x[1:2, 0:2, 2:])
    with pytest.raises(ValueError, match="one entry per axis"):
        ops.slice(x, (0, 0), (1, 1))
    assert [u.shape for u in ops.unstack(x, axis=1)] == [(2, 4)] * 3
    assert ops.cond(True, lambda: 1, lambda: 2) == 1 and ops.cond(np.bool_(False), lambda: 1, lambda: 2) == 2
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = ops.sum(ops.stop_gradient(v) * v)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [1, 2])


def test_vectorized_map_over_structures():
    x = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    out = ops.vectorized_map(lambda r: ops.sum(r), x)
    np.testing.assert_array_equal(out.numpy(), x.sum(1))
    a, b = ops.vectorized_map(lambda e: (e[0] * 2, e[1] + 1), (x, np.arange(3)))
    np.testing.assert_array_equal(a.numpy(), x * 2)
    np.testing.assert_array_equal(b.numpy(), np.arange(3) + 1)
    with pytest.raises(ValueError, match="same size along axis 0"):
        ops.vectorized_map(lambda e: e, (x, np.arange(4)))


def test_loops():
    assert ops.fori_loop(0, 4, lambda i, v: v + i, 10) == 16
    assert ops.while_loop(lambda v: v < 100, lambda v: v * 3, 1) == 243
    assert ops.while_loop(lambda v: v < 100, lambda v: v * 3, 1, maximum_iterations=2) == 9
    out = ops.while_loop(lambda a, b: a < 5, lambda a, b: (a + 1, b * 2), [0, 1])
    assert out == [5, 32]


def test_ops_on_keras_tensors_build_functional_models():
    """As in Keras 3, ops take the functional API's symbolic tensors and become nodes of the model."""
    from tinytf import keras
    inp = keras.Input((4, 4, 3))
    x = keras.layers.Conv2D(2, 3, name="conv")(inp)
    pooled = ops.concatenate([ops.mean(x, axis=(1, 2)), ops.max(x, axis=(1, 2))], axis=-1)
    resized = ops.softmax(ops.reshape(ops.image.resize(x, (3, 3)), (-1, 18)))
    assert ops.shape(pooled) == (None, 4) and ops.shape(resized) == (None, 18) and ops.dtype(x) == "float32"
    model = keras.Model(inp, [pooled, resized])
    data = np.random.default_rng(0).random((2, 4, 4, 3)).astype(np.float32)
    got = model(data)
    conv = model.get_layer("conv")(data)
    np.testing.assert_array_equal(got[0].numpy(), ops.concatenate([ops.mean(conv, axis=(1, 2)),
                                                                  ops.max(conv, axis=(1, 2))], axis=-1).numpy())
    np.testing.assert_array_equal(got[1].numpy(),
                                  ops.softmax(ops.reshape(ops.image.resize(conv, (3, 3)), (-1, 18))).numpy())
    ids = keras.Input((5,), dtype="int32")  # integer inputs stay integers
    out = keras.Model(ids, ops.one_hot(ids, 7))(np.array([[1, 2, 3, 4, 6]]))
    np.testing.assert_array_equal(out.numpy()[0], np.eye(7)[[1, 2, 3, 4, 6]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(data)[0])
    assert all(g is not None for g in tape.gradient(loss, model.trainable_variables))
