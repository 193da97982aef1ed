"""Contract point 1: ``Tensor`` and ``Variable`` as a TensorFlow user sees them.

Values, dtypes, printing, NumPy interop, Python operators and slicing (with finite-difference
gradients in float64).  Every test body is plain TensorFlow code on ``import tinytf as tf``.
"""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad, numeric_grad, tape_grad  # noqa: F401


# ---- helpers --------------------------------------------------------------------------------

RNG = np.random.default_rng(1234)
X34 = RNG.standard_normal((3, 4))
W34 = RNG.standard_normal((3, 4))       # weights so that sum(f(x) * W) is not trivially constant
XPOS = np.abs(RNG.standard_normal((3, 4))) + 0.5


# ---- default dtypes (Python floats -> float32, ints -> int32, NumPy keeps its dtype) ----------

@pytest.mark.parametrize("value, dtype", [
    (1.5, tf.float32),
    ([1.0, 2.0], tf.float32),
    ([1, 2.5], tf.float32),
    (3, tf.int32),
    ([[1, 2], [3, 4]], tf.int32),
    (True, tf.bool),
    (np.array([1.0, 2.0]), tf.float64),
    (np.float64(1.5), tf.float64),
    (np.array([1.0], dtype=np.float32), tf.float32),
    (np.array([1, 2], dtype=np.int64), tf.int64),
    (2 ** 40, tf.int64),
])
def test_constant_default_dtypes(value, dtype):
    t = tf.constant(value)
    assert t.dtype == dtype
    assert tf.convert_to_tensor(value).dtype == dtype
    assert tf.Variable(value).dtype == dtype


def test_constant_dtype_and_shape_arguments():
    t = tf.constant([1, 2], dtype=tf.float64)
    assert t.dtype == tf.float64
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    z = tf.constant(0.0, shape=[2, 3])
    assert z.shape == (2, 3)
    np.testing.assert_array_equal(z.numpy(), np.zeros((2, 3), np.float32))
    r = tf.constant([1, 2, 3, 4], shape=(2, 2))
    np.testing.assert_array_equal(r.numpy(), [[1, 2], [3, 4]])


def test_constant_copies_numpy_input():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = tf.constant(a)
    a[0] = 99.0
    assert t.numpy()[0] == 1.0


def test_dtypes_compare_like_tensorflow():
    assert tf.float32 == np.float32
    assert tf.float32 == "float32"
    assert tf.as_dtype(np.float64) == tf.float64
    assert tf.double == tf.float64 and tf.half == tf.float16
    assert tf.float32.is_floating and not tf.float32.is_integer
    assert tf.int32.is_integer and tf.bool.is_bool
    for d in (tf.float16, tf.float32, tf.float64, tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8, tf.bool):
        assert tf.zeros([1], dtype=d).dtype == d


# ---- Tensor basics ----------------------------------------------------------------------------

def test_tensor_numpy_shape_dtype_len_iter():
    t = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert isinstance(t, tf.Tensor)
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3)
    assert t.shape == [2, 3]
    assert t.shape.as_list() == [2, 3]
    assert t.shape.rank == 2 and t.ndim == 2
    assert t.dtype == tf.float32
    assert len(t) == 2
    rows = list(t)
    assert len(rows) == 2
    assert all(isinstance(r, tf.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[1].numpy(), [4.0, 5.0, 6.0])
    assert [float(v) for v in t[0]] == [1.0, 2.0, 3.0]


def test_scalar_tensor():
    t = tf.constant(2.5)
    assert t.shape == ()
    assert t.numpy() == 2.5
    assert float(t) == 2.5
    assert int(tf.constant(3)) == 3
    with pytest.raises(TypeError):
        len(t)
    with pytest.raises(TypeError):
        iter(t)


def test_tensor_is_immutable_and_unhashable():
    t = tf.constant([1.0, 2.0])
    with pytest.raises((TypeError, AttributeError)):
        t[0] = 5.0
    with pytest.raises(TypeError):
        hash(t)
    assert {t.ref(): 1}[t.ref()] == 1


def test_truth_value_of_tensors():
    assert bool(tf.constant(True))
    assert not bool(tf.constant(0.0))
    with pytest.raises(ValueError):
        bool(tf.constant([1.0, 2.0]))


# ---- printing ---------------------------------------------------------------------------------

def test_str_1d():
    assert str(tf.constant([1.0, 2.0])) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"
    assert str(tf.constant([1, 2])) == "tf.Tensor([1 2], shape=(2,), dtype=int32)"
    assert str(tf.constant([True, False])) == "tf.Tensor([ True False], shape=(2,), dtype=bool)"


def test_str_rank2_is_multiline():
    assert str(tf.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)")
    assert str(tf.constant([[1, 2], [3, 4]])) == "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"


def test_str_rank3_is_multiline():
    s = str(tf.zeros([2, 1, 2]))
    assert s == "tf.Tensor(\n[[[0. 0.]]\n\n [[0. 0.]]], shape=(2, 1, 2), dtype=float32)"


def test_print_uses_str(capsys):
    print(tf.constant([1.0, 2.0]))
    assert capsys.readouterr().out == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)\n"


def test_repr_1d():
    assert repr(tf.constant([1.0, 2.0])) == (
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>")


def test_variable_repr_and_str():
    v = tf.Variable([1.0, 2.0])
    expected = "<tf.Variable 'Variable:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert repr(v) == expected
    assert str(v) == expected
    w = tf.Variable([1.0], name="w")
    assert repr(w).startswith("<tf.Variable 'w:0' shape=(1,) dtype=float32")


def test_str_scalar():
    assert str(tf.constant(5.0)) == "tf.Tensor(5.0, shape=(), dtype=float32)"


def test_str_int_scalar():
    assert str(tf.constant(7)) == "tf.Tensor(7, shape=(), dtype=int32)"


def test_repr_scalar():
    assert repr(tf.constant(5.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=5.0>"
    assert repr(tf.constant(3)) == "<tf.Tensor: shape=(), dtype=int32, numpy=3>"
    assert repr(tf.constant(True)) == "<tf.Tensor: shape=(), dtype=bool, numpy=True>"


def test_variable_repr_scalar():
    assert repr(tf.Variable(3.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=3.0>"


def test_repr_rank2_breaks_after_numpy():
    assert repr(tf.constant([[1, 2], [3, 4]])) == (
        "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>")
    assert repr(tf.Variable([[1.0, 2.0], [3.0, 4.0]])) == (
        "<tf.Variable 'Variable:0' shape=(2, 2) dtype=float32, numpy=\n"
        "array([[1., 2.],\n       [3., 4.]], dtype=float32)>")


# ---- Variable ---------------------------------------------------------------------------------

def test_variable_basics():
    v = tf.Variable([1.0, 2.0, 3.0])
    assert isinstance(v, tf.Variable)
    assert v.shape == (3,) and v.dtype == tf.float32 and len(v) == 3
    assert v.trainable is True
    assert v.name == "Variable:0"
    assert [float(e) for e in v] == [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(np.asarray(v), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v[1:].numpy(), [2.0, 3.0])


def test_variable_arguments():
    v = tf.Variable(1, trainable=False, name="step", dtype=tf.float64)
    assert v.trainable is False
    assert v.name == "step:0"
    assert v.dtype == tf.float64
    assert float(v) == 1.0
    assert tf.Variable(lambda: tf.ones([2])).shape == (2,)
    assert tf.Variable(initial_value=tf.zeros([2, 3])).shape == (2, 3)


def test_variable_assign_family():
    v = tf.Variable([1.0, 2.0])
    v.assign([5.0, 6.0])
    np.testing.assert_array_equal(v.numpy(), [5.0, 6.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [6.0, 7.0])
    v.assign_sub(tf.constant([2.0, 3.0]))
    np.testing.assert_array_equal(v.numpy(), [4.0, 4.0])
    assert v.dtype == tf.float32
    out = v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(np.asarray(out), [5.0, 5.0])
    s = tf.Variable(0)
    for _ in range(3):
        s.assign_add(1)
    assert int(s) == 3 and s.dtype == tf.int32


def test_variable_assign_wrong_shape_raises():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign_add([[1.0, 2.0]])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_variable_numpy_is_a_snapshot():
    v = tf.Variable([1.0, 2.0])
    before = v.numpy()
    read = v + 0.0
    v.assign([7.0, 8.0])
    np.testing.assert_array_equal(before, [1.0, 2.0])
    np.testing.assert_array_equal(read.numpy(), [1.0, 2.0])
    a = v.numpy()
    a[0] = -1.0
    np.testing.assert_array_equal(v.numpy(), [7.0, 8.0])


def test_ops_on_variables_return_tensors():
    v = tf.Variable([1.0, 2.0])
    for r in (v + 1.0, v * v, -v, v[0], tf.exp(v)):
        assert isinstance(r, tf.Tensor) and not isinstance(r, tf.Variable)


# ---- NumPy interop ----------------------------------------------------------------------------

def test_np_asarray_and_numpy_functions():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    assert a.dtype == np.float32 and a.shape == (2, 2)
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])
    assert np.sum(t) == 10.0
    np.testing.assert_array_equal(np.array(t, dtype=np.float64), a.astype(np.float64))
    np.testing.assert_allclose(t, [[1, 2], [3, 4]])
    assert np.asarray(tf.constant(2.0)) == 2.0


@pytest.mark.parametrize("make", [
    lambda: tf.constant(2.0) * tf.constant(3.0),
    lambda: tf.reduce_mean(tf.constant([1.0, 2.0])),
    lambda: tf.exp(tf.constant(0.0)),
    lambda: tf.Variable(2.0) + 1.0,
], ids=["mul", "reduce_mean", "exp", "var_add"])
def test_np_asarray_of_scalar_op_result(make):
    # regression: 0-d arithmetic used to leave a NumPy scalar inside the tensor and np.asarray failed
    t = make()
    assert np.asarray(t).shape == ()
    np.testing.assert_allclose(t, t.numpy())


# ---- Python operators: values ----------------------------------------------------------------

A = np.array([[1.0, -2.0], [3.0, 0.5]], dtype=np.float32)
B = np.array([[0.5, 4.0], [-1.0, 2.0]], dtype=np.float32)


@pytest.mark.parametrize("op, ref", [
    (lambda a, b: a + b, lambda a, b: a + b),
    (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b),
    (lambda a, b: a / b, lambda a, b: a / b),
    (lambda a, b: a @ b, lambda a, b: a @ b),
    (lambda a, b: a ** 2, lambda a, b: a ** 2),
    (lambda a, b: -a, lambda a, b: -a),
    (lambda a, b: a < b, lambda a, b: a < b),
    (lambda a, b: a <= b, lambda a, b: a <= b),
    (lambda a, b: a > b, lambda a, b: a > b),
    (lambda a, b: a >= b, lambda a, b: a >= b),
    (lambda a, b: a == b, lambda a, b: a == b),
    (lambda a, b: a != b, lambda a, b: a != b),
], ids=["add", "sub", "mul", "div", "matmul", "pow", "neg", "lt", "le", "gt", "ge", "eq", "ne"])
def test_operators_match_numpy(op, ref):
    out = op(tf.constant(A), tf.constant(B))
    assert isinstance(out, tf.Tensor)
    expected = ref(A, B)
    assert out.dtype == tf.as_dtype(expected.dtype)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("op, ref", [
    (lambda t: 2.0 + t, lambda a: 2.0 + a),
    (lambda t: t + 2, lambda a: a + 2),
    (lambda t: 1.0 - t, lambda a: 1.0 - a),
    (lambda t: 3 * t, lambda a: 3 * a),
    (lambda t: 1.0 / t, lambda a: 1.0 / a),
    (lambda t: 2.0 ** t, lambda a: 2.0 ** a),
    (lambda t: t + np.array([1.0, 2.0]), lambda a: a + np.array([1.0, 2.0], np.float32)),
    (lambda t: np.array([1.0, 2.0]) + t, lambda a: a + np.array([1.0, 2.0], np.float32)),
    (lambda t: np.ones((2, 2), np.float32) @ t, lambda a: np.ones((2, 2), np.float32) @ a),
    (lambda t: [1.0, 2.0] * t, lambda a: np.array([1.0, 2.0], np.float32) * a),
    (lambda t: 0.0 < t, lambda a: 0.0 < a),
    (lambda t: np.zeros(2) > t, lambda a: np.zeros(2) > a),
], ids=["radd", "add_int", "rsub", "rmul", "rdiv", "rpow", "add_np64", "np64_add", "np_matmul",
        "list_mul", "rlt", "np_gt"])
def test_operators_with_python_and_numpy_operands(op, ref):
    out = op(tf.constant(A))
    assert isinstance(out, tf.Tensor)
    expected = ref(A)
    if expected.dtype != np.bool_:
        assert out.dtype == tf.float32   # the tensor's dtype wins, as in TensorFlow
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_integer_operators():
    a, b = tf.constant([7, -7]), tf.constant([2, 2])
    np.testing.assert_array_equal((a + b).numpy(), [9, -5])
    assert (a * b).dtype == tf.int32
    q = a / b
    assert q.dtype == tf.float64    # TF's truediv of int32 gives float64
    np.testing.assert_array_equal(q.numpy(), [3.5, -3.5])
    np.testing.assert_array_equal((a // 2).numpy(), [3, -4])
    np.testing.assert_array_equal((a % 3).numpy(), [1, 2])
    np.testing.assert_array_equal((b ** 3).numpy(), [8, 8])


def test_mixing_dtypes_raises():
    with pytest.raises(TypeError):
        tf.constant([1, 2]) + 1.5
    with pytest.raises((TypeError, ValueError)):
        tf.constant([1.0]) + tf.constant([1])


def test_operators_keep_float64():
    x = tf.constant(np.array([1.0, 2.0]))
    for r in (x + 1.0, 2.0 * x, x / 3, x ** 2, -x, x - 1, x[None] @ np.ones((2, 1))):
        assert r.dtype == tf.float64


# ---- slicing ----------------------------------------------------------------------------------

M = np.arange(24, dtype=np.float32).reshape(4, 6)


@pytest.mark.parametrize("key", [
    (slice(None), slice(1, 3)),
    1,
    -1,
    (0, 2),
    slice(None, None, -1),
    (slice(None, None, 2), slice(None, None, 3)),
    (Ellipsis, 0),
    (None, slice(None), 1),
    (slice(1, None), None),
], ids=["cols", "row", "neg", "elem", "rev", "step", "ellipsis", "newaxis", "newaxis_end"])
def test_slicing_matches_numpy(key):
    out = tf.constant(M)[key]
    np.testing.assert_array_equal(out.numpy(), M[key])
    assert out.shape == M[key].shape


def test_slicing_spelled_like_tensorflow():
    t = tf.constant(M)
    np.testing.assert_array_equal(t[:, 1:3].numpy(), M[:, 1:3])
    np.testing.assert_array_equal(t[tf.newaxis, ...].numpy(), M[None])
    np.testing.assert_array_equal(t[tf.constant(2)].numpy(), M[2])
    assert t[1, 2].shape == ()
    assert float(t[1, 2]) == 8.0


def test_slicing_out_of_range_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range|out of bounds"):
        tf.constant([1.0, 2.0])[5]


# ---- operator and slicing gradients (float64, central differences) ----------------------------

@pytest.mark.parametrize("f, x", [
    (lambda t: (t + W34) * W34, X34),
    (lambda t: (2.0 + t) * t, X34),
    (lambda t: (W34 - t) * t, X34),
    (lambda t: (1.0 - t) * W34, X34),
    (lambda t: t * t * W34, X34),
    (lambda t: W34 / t, XPOS),
    (lambda t: t / (t + 3.0), XPOS),
    (lambda t: 1.0 / t, XPOS),
    (lambda t: t ** 3 * W34, X34),
    (lambda t: t ** 0.5, XPOS),
    (lambda t: t ** t, XPOS),
    (lambda t: 2.0 ** t * W34, X34),
    (lambda t: -t * W34, X34),
    (lambda t: (t @ W34.T) ** 2, X34),
    (lambda t: (W34.T @ t) ** 2, X34),
    (lambda t: (t @ tf.transpose(t)) * np.arange(9.0).reshape(3, 3), X34),
    (lambda t: t[:, 1:3] * W34[:, 1:3], X34),
    (lambda t: t[1] * W34[1], X34),
    (lambda t: t[::-1, ::2] * W34[:, :2], X34),
    (lambda t: t[None, ..., 1] * 3.0, X34),
    (lambda t: t[-1, -1] * t[0, 0], X34),
    (lambda t: tf.stack(list(t)) * W34, X34),
    (lambda t: tf.where(t > 0.0, t * t, -t), X34),
], ids=["add", "radd", "sub", "rsub", "mul", "div", "div2", "rdiv", "pow", "pow_half", "pow_tt",
        "rpow", "neg", "matmul", "rmatmul", "matmul_self", "slice_cols", "slice_row", "slice_step",
        "slice_newaxis", "slice_elems", "iterate", "compare_where"])
def test_operator_gradients_match_finite_differences(f, x):
    assert_grad(f, x)


def test_gradient_through_variable_slice_and_operators():
    v = tf.Variable(np.arange(6.0).reshape(2, 3))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v[:, 1:3] ** 2) + v[0, 0] * 3.0
    g = tape.gradient(y, v)
    np.testing.assert_allclose(g.numpy(), [[3.0, 2.0, 4.0], [0.0, 8.0, 10.0]])


def test_variable_shape_argument_is_checked():
    assert tf.Variable([1.0, 2.0], shape=[None]).shape == (2,)
    assert tf.Variable(np.zeros((2, 3)), shape=(2, 3)).shape == (2, 3)
    with pytest.raises(ValueError, match="shape"):
        tf.Variable([1.0, 2.0], shape=[3])
