"""Contract point 3 (array half): creation, shape and indexing ops.

Values and dtypes against NumPy / TensorFlow's documented results; gradients against central
finite differences in float64; bad arguments raise at the call with the argument named.
"""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad, numeric_grad, tape_grad  # noqa: F401


# ---- helpers --------------------------------------------------------------------------------

def weights(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(tuple(shape))


RNG = np.random.default_rng(5)
X = RNG.standard_normal((3, 4))
X234 = RNG.standard_normal((2, 3, 4))


# ---- creation -----------------------------------------------------------------------------------

def test_constant_and_convert_to_tensor():
    t = tf.constant([[1, 2], [3, 4]], dtype=tf.float32)
    assert t.dtype == tf.float32 and t.shape == (2, 2)
    c = tf.convert_to_tensor([1, 2])
    assert c.dtype == tf.int32
    assert tf.convert_to_tensor(c) is c
    assert tf.convert_to_tensor(value=[1, 2], dtype=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor(np.array([1.5])).dtype == tf.float64
    with pytest.raises(ValueError, match="ragged"):
        tf.constant([[1, 2], [3]])


@pytest.mark.parametrize("fn, fill_value", [(tf.zeros, 0), (tf.ones, 1)])
def test_zeros_ones(fn, fill_value):
    t = fn([2, 3])
    assert t.dtype == tf.float32 and t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), fill_value))
    assert fn((4,), dtype=tf.int32).dtype == tf.int32
    assert fn(shape=[1], dtype="float64").dtype == tf.float64
    assert fn(3).shape == (3,)
    assert fn([]).shape == ()
    assert fn(tf.constant([2, 2])).shape == (2, 2)


@pytest.mark.parametrize("fn, fill_value", [(tf.zeros_like, 0), (tf.ones_like, 1)])
def test_zeros_like_ones_like(fn, fill_value):
    x = tf.constant([[1, 2, 3]])
    t = fn(x)
    assert t.dtype == tf.int32 and t.shape == (1, 3)
    np.testing.assert_array_equal(t.numpy(), np.full((1, 3), fill_value))
    assert fn(input=x, dtype=tf.float32).dtype == tf.float32
    assert fn(np.array([1.0, 2.0])).dtype == tf.float64
    assert fn(tf.Variable([1.0])).dtype == tf.float32


def test_fill():
    t = tf.fill([2, 3], 7)
    assert t.dtype == tf.int32
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), 7))
    f = tf.fill(dims=[2], value=0.5)
    assert f.dtype == tf.float32
    np.testing.assert_array_equal(f.numpy(), [0.5, 0.5])
    assert tf.fill([2], True).dtype == tf.bool


@pytest.mark.parametrize("args, kwargs, expected, dtype", [
    ((5,), {}, [0, 1, 2, 3, 4], tf.int32),
    ((1, 10, 3), {}, [1, 4, 7], tf.int32),
    ((5, 0, -2), {}, [5, 3, 1], tf.int32),
    ((0.0, 1.0, 0.25), {}, [0.0, 0.25, 0.5, 0.75], tf.float32),
    ((0, 2.5), {}, [0.0, 1.0, 2.0], tf.float32),
    ((3,), {"dtype": tf.float32}, [0.0, 1.0, 2.0], tf.float32),
    ((), {"start": 2, "limit": 5}, [2, 3, 4], tf.int32),
    ((), {"start": 0, "limit": 6, "delta": 2}, [0, 2, 4], tf.int32),
])
def test_range(args, kwargs, expected, dtype):
    t = tf.range(*args, **kwargs)
    assert t.dtype == dtype
    np.testing.assert_allclose(t.numpy(), expected)


def test_range_zero_delta_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="delta"):
        tf.range(0, 5, 0)


def test_one_hot():
    t = tf.one_hot([0, 2, -1, 5], 3)
    assert t.dtype == tf.float32 and t.shape == (4, 3)
    np.testing.assert_array_equal(t.numpy(), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    t = tf.one_hot(indices=[0, 2], depth=3, on_value=5.0, off_value=-1.0)
    np.testing.assert_array_equal(t.numpy(), [[5, -1, -1], [-1, -1, 5]])
    np.testing.assert_array_equal(tf.one_hot([0, 2], 3, axis=0).numpy(), [[1, 0], [0, 0], [0, 1]])
    assert tf.one_hot([1], 2, dtype=tf.float64).dtype == tf.float64
    assert tf.one_hot([[0, 1], [1, 0]], 2).shape == (2, 2, 2)
    with pytest.raises(TypeError, match="indices"):
        tf.one_hot([1.0], 3)


def test_one_hot_dtype_follows_on_value():
    t = tf.one_hot([0, 1], 2, on_value=5, off_value=0)
    assert t.dtype == tf.int32
    np.testing.assert_array_equal(t.numpy(), [[5, 0], [0, 5]])


# ---- shape ops: values --------------------------------------------------------------------------

def test_reshape_values():
    x = np.arange(12, dtype=np.float32)
    np.testing.assert_array_equal(tf.reshape(x, [3, 4]).numpy(), x.reshape(3, 4))
    np.testing.assert_array_equal(tf.reshape(tensor=x, shape=[-1, 2]).numpy(), x.reshape(-1, 2))
    np.testing.assert_array_equal(tf.reshape(x, tf.constant([2, 6])).numpy(), x.reshape(2, 6))
    assert tf.reshape(tf.constant([5.0]), []).shape == ()


def test_transpose_values():
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(tf.transpose(x).numpy(), x.T)
    np.testing.assert_array_equal(tf.transpose(a=x, perm=[0, 2, 1]).numpy(), x.transpose(0, 2, 1))
    assert tf.transpose(tf.zeros([1, 2, 3, 4]), [0, 3, 1, 2]).shape == (1, 4, 2, 3)


def test_expand_dims_and_squeeze_values():
    x = tf.constant([1, 2])
    assert tf.expand_dims(x, 0).shape == (1, 2)
    assert tf.expand_dims(input=x, axis=-1).shape == (2, 1)
    assert tf.expand_dims(x, 1).shape == (2, 1)
    z = tf.zeros([1, 2, 1, 3])
    assert tf.squeeze(z).shape == (2, 3)
    assert tf.squeeze(input=z, axis=2).shape == (1, 2, 3)
    assert tf.squeeze(z, [0, 2]).shape == (2, 3)
    assert tf.squeeze(z, axis=-2).shape == (1, 2, 3)


def test_concat_and_stack_values():
    a, b = np.ones((2, 3)), np.zeros((2, 3))
    np.testing.assert_array_equal(tf.concat([a, b], axis=0).numpy(), np.concatenate([a, b], 0))
    np.testing.assert_array_equal(tf.concat(values=[a, b], axis=-1).numpy(), np.concatenate([a, b], -1))
    np.testing.assert_array_equal(tf.stack([a, b]).numpy(), np.stack([a, b]))
    np.testing.assert_array_equal(tf.stack(values=[a, b], axis=1).numpy(), np.stack([a, b], 1))
    np.testing.assert_array_equal(tf.stack([a, b], axis=-1).numpy(), np.stack([a, b], -1))
    s = tf.stack([1.0, 2.0])
    assert s.dtype == tf.float32 and s.shape == (2,)


def test_gather_values():
    p = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    np.testing.assert_array_equal(tf.gather(p, [2, 0]).numpy(), p[[2, 0]])
    np.testing.assert_array_equal(tf.gather(params=p, indices=[2, 0], axis=1).numpy(), p[:, [2, 0]])
    np.testing.assert_array_equal(tf.gather([10, 20, 30], [[0, 1], [2, 2]]).numpy(), [[10, 20], [30, 30]])
    np.testing.assert_array_equal(tf.gather(p, tf.constant([1])).numpy(), p[[1]])


def test_gather_batch_dims():
    out = tf.gather([[1, 2, 3], [4, 5, 6]], [[0, 2], [1, 1]], batch_dims=1)
    np.testing.assert_array_equal(out.numpy(), [[1, 3], [5, 5]])


def test_pad_values():
    x = np.array([[1, 2, 3]])
    np.testing.assert_array_equal(tf.pad(x, [[1, 0], [0, 2]]).numpy(), np.pad(x, [[1, 0], [0, 2]]))
    np.testing.assert_array_equal(tf.pad(tensor=x, paddings=[[0, 0], [1, 1]], constant_values=9).numpy(),
                                  [[9, 1, 2, 3, 9]])
    np.testing.assert_array_equal(tf.pad(x, [[0, 0], [1, 1]], mode="REFLECT").numpy(), [[2, 1, 2, 3, 2]])
    np.testing.assert_array_equal(tf.pad(x, [[0, 0], [1, 1]], mode="SYMMETRIC").numpy(), [[1, 1, 2, 3, 3]])
    np.testing.assert_array_equal(tf.pad(x, tf.constant([[0, 0], [1, 0]])).numpy(), [[0, 1, 2, 3]])


def test_where_values():
    idx = tf.where([True, False, True])
    assert idx.dtype == tf.int64
    np.testing.assert_array_equal(idx.numpy(), [[0], [2]])
    np.testing.assert_array_equal(tf.where([[True, False], [False, True]]).numpy(), [[0, 0], [1, 1]])
    c = np.array([True, False, True])
    out = tf.where(condition=c, x=[1.0, 2.0, 3.0], y=[10.0, 20.0, 30.0])
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [1.0, 20.0, 3.0])
    np.testing.assert_array_equal(tf.where(c, 1.0, 0.0).numpy(), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(tf.where(tf.constant([[True], [False]]), [1, 2], [3, 4]).numpy(),
                                  [[1, 2], [3, 4]])


# ---- gradients against central differences (float64) -------------------------------------------

GRAD_CASES = {
    "reshape": (lambda t: tf.reshape(t, [2, 6]) * weights([2, 6]), X),
    "reshape_-1": (lambda t: tf.reshape(t, [-1]) ** 2, X),
    "transpose": (lambda t: tf.transpose(t) * weights([4, 3]), X),
    "transpose_perm": (lambda t: tf.transpose(t, perm=[2, 0, 1]) * weights([4, 2, 3]), X234),
    "expand_dims": (lambda t: tf.expand_dims(t, 1) * weights([3, 1, 4]), X),
    "squeeze": (lambda t: tf.squeeze(tf.reshape(t, [3, 1, 4]), axis=1) * weights([3, 4]), X),
    "concat0": (lambda t: tf.concat([t, t * 2.0], axis=0) * weights([6, 4]), X),
    "concat1": (lambda t: tf.concat([t, X, t ** 2], axis=1) * weights([3, 12]), X),
    "stack": (lambda t: tf.stack([t, t * t], axis=1) * weights([3, 2, 4]), X),
    "gather": (lambda t: tf.gather(t, [2, 0, 2]) * weights([3, 4]), X),
    "gather_axis1": (lambda t: tf.gather(t, [1, 1, 3], axis=1) * weights([3, 3]), X),
    "gather_2d_idx": (lambda t: tf.gather(t, [[0, 1], [1, 1]]) * weights([2, 2, 4]), X),
    "pad": (lambda t: tf.pad(t, [[1, 0], [0, 2]]) * weights([4, 6]), X),
    "pad_const": (lambda t: tf.pad(t, [[1, 1], [2, 0]], constant_values=3.0) ** 2, X),
    "where": (lambda t: tf.where(X > 0, t * 2.0, t * t) * weights([3, 4]), X),
    "where_scalar": (lambda t: tf.where(X > 0, t, 0.0) * weights([3, 4]), X),
    "where_y": (lambda t: tf.where(X > 0, X, t ** 2), X),
    "slice": (lambda t: t[:, 1:3] * weights([3, 2]), X),
    "broadcast_to": (lambda t: tf.broadcast_to(t, [2, 3, 4]) * weights([2, 3, 4]), X),
    "tile": (lambda t: tf.tile(t, [2, 1]) * weights([6, 4]), X),
    "reverse": (lambda t: tf.reverse(t, [1]) * weights([3, 4]), X),
    "identity": (lambda t: tf.identity(t) * weights([3, 4]), X),
    "unstack": (lambda t: tf.unstack(t)[1] * weights([4]), X),
    "split": (lambda t: tf.split(t, 2, axis=1)[1] * weights([3, 2]), X),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_match_finite_differences(name):
    f, x = GRAD_CASES[name]
    assert_grad(f, x)


def test_gather_gradient_accumulates_repeated_indices():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(v, [0, 0, 2, 0]))
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [3.0, 0.0, 1.0])


def test_one_hot_zeros_ones_fill_are_constants():
    v = tf.Variable([1.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.ones_like(v) + tf.zeros([1]) + tf.fill([1], 2.0) + tf.one_hot([0], 1))
    assert tape.gradient(y, v) is None


# ---- bad input ----------------------------------------------------------------------------------

def test_reshape_wrong_size():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"reshape.*\(2, 3\).*6 elements.*\[4, 2\]"):
        tf.reshape(tf.zeros([2, 3]), [4, 2])


def test_transpose_bad_perm():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"perm \[0, 0\]"):
        tf.transpose(tf.zeros([2, 3]), [0, 0])


def test_expand_dims_bad_axis():
    with pytest.raises(tf.errors.InvalidArgumentError, match="axis 5"):
        tf.expand_dims(tf.zeros([2, 3]), 5)


def test_squeeze_non_unit_axis():
    with pytest.raises(tf.errors.InvalidArgumentError, match="squeeze.*axis 0.*size 2"):
        tf.squeeze(tf.zeros([2, 3]), axis=0)


def test_concat_and_stack_mismatch():
    with pytest.raises(tf.errors.InvalidArgumentError, match="concat"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], axis=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="stack"):
        tf.stack([tf.zeros([2]), tf.zeros([3])])
    with pytest.raises(ValueError, match="values"):
        tf.concat([], axis=0)


def test_gather_bad_indices():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices.*\[0, 3\)"):
        tf.gather(tf.zeros([3]), [3])
    with pytest.raises(TypeError, match="indices"):
        tf.gather(tf.zeros([3]), [0.5])


def test_pad_bad_paddings_and_mode():
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings"):
        tf.pad(tf.zeros([2, 3]), [[1, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings"):
        tf.pad(tf.zeros([2, 3]), [[-1, 0], [0, 0]])
    with pytest.raises(ValueError, match="mode"):
        tf.pad(tf.zeros([2, 3]), [[0, 0], [1, 1]], mode="WRAP")


def test_where_incompatible_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError, match="where"):
        tf.where(tf.constant([True, False]), tf.zeros([3]), tf.zeros([3]))


def test_where_with_only_x():
    with pytest.raises(ValueError, match="x and y"):
        tf.where([True], x=[1])


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_values_and_gradient(mode):
    x = np.random.default_rng(5).standard_normal((3, 4))
    pads = [[1, 2], [3, 2]]
    np.testing.assert_array_equal(tf.pad(x, pads, mode).numpy(), np.pad(x, pads, mode=mode.lower()))
    assert_grad(lambda t: tf.pad(t, pads, mode) * tf.constant(np.arange(54.0).reshape(6, 9)), x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings must be at most"):
        tf.pad(x, [[0, 0], [5, 0]], mode)
