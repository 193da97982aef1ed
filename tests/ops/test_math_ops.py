"""Contract point 3 (math half): elementwise math, reductions, matmul, cast, comparisons.

Values against NumPy; gradients against central finite differences in float64; the
``tf.math.*`` aliases are the same functions.
"""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad, numeric_grad, tape_grad  # noqa: F401


# ---- helpers --------------------------------------------------------------------------------

RNG = np.random.default_rng(42)
X = RNG.standard_normal((3, 4))
W = RNG.standard_normal((3, 4))
XPOS = np.abs(RNG.standard_normal((3, 4))) + 0.5
C4 = RNG.standard_normal(4)
C3 = RNG.standard_normal(3)
B42 = RNG.standard_normal((4, 2))


# ---- values ---------------------------------------------------------------------------------

A = np.array([[1.0, -2.0, 3.5], [0.25, 4.0, -0.5]], dtype=np.float32)
B = np.array([[2.0, 1.0, -1.0], [0.5, 4.0, 3.0]], dtype=np.float32)


@pytest.mark.parametrize("tf_fn, np_fn", [
    (tf.add, np.add), (tf.subtract, np.subtract), (tf.multiply, np.multiply), (tf.divide, np.divide),
    (tf.maximum, np.maximum), (tf.minimum, np.minimum), (tf.pow, np.power),
    (tf.math.maximum, np.maximum), (tf.math.minimum, np.minimum),
    (tf.math.squared_difference, lambda a, b: (a - b) ** 2),
], ids=["add", "subtract", "multiply", "divide", "maximum", "minimum", "pow", "math.maximum",
        "math.minimum", "squared_difference"])
def test_binary_values(tf_fn, np_fn):
    out = tf_fn(A, B)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), np_fn(A, B), rtol=1e-6)
    out = tf_fn(x=tf.constant(A), y=B[0])           # TF argument names, broadcasting
    np.testing.assert_allclose(out.numpy(), np_fn(A, B[0]), rtol=1e-6)


@pytest.mark.parametrize("tf_fn, np_fn, positive", [
    (tf.exp, np.exp, False), (tf.math.exp, np.exp, False),
    (tf.math.log, np.log, True),
    (tf.sqrt, np.sqrt, True), (tf.math.sqrt, np.sqrt, True),
    (tf.square, np.square, False), (tf.math.square, np.square, False),
    (tf.abs, np.abs, False), (tf.math.abs, np.abs, False),
    (tf.tanh, np.tanh, False), (tf.sigmoid, lambda a: 1 / (1 + np.exp(-a)), False),
    (tf.negative, np.negative, False), (tf.math.rsqrt, lambda a: 1 / np.sqrt(a), True),
    (tf.math.reciprocal, np.reciprocal, True), (tf.math.softplus, lambda a: np.log1p(np.exp(a)), False),
    (tf.sin, np.sin, False), (tf.cos, np.cos, False),
], ids=["exp", "math.exp", "math.log", "sqrt", "math.sqrt", "square", "math.square", "abs",
        "math.abs", "tanh", "sigmoid", "negative", "rsqrt", "reciprocal", "softplus", "sin", "cos"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_values(tf_fn, np_fn, positive, dtype):
    a = (np.abs(A) + 0.1 if positive else A).astype(dtype)
    out = tf_fn(a)
    assert out.dtype == tf.as_dtype(dtype)
    np.testing.assert_allclose(out.numpy(), np_fn(a.astype(np.float64)), rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_tensorflow_argument_names():
    a = np.array([0.5, 2.0], dtype=np.float32)
    for fn in (tf.exp, tf.math.log, tf.sqrt, tf.square, tf.abs, tf.math.exp, tf.math.sqrt, tf.math.square,
               tf.math.abs, tf.tanh, tf.sigmoid):
        np.testing.assert_allclose(fn(x=a).numpy(), fn(a).numpy())
    np.testing.assert_allclose(tf.maximum(x=a, y=1.0).numpy(), [1.0, 2.0])
    np.testing.assert_allclose(tf.clip_by_value(t=a, clip_value_min=0.0, clip_value_max=1.0).numpy(), [0.5, 1.0])
    np.testing.assert_allclose(tf.cast(x=a, dtype=tf.float64).numpy(), a)
    assert tf.equal(x=a, y=a).numpy().all()
    assert int(tf.argmax(input=a, axis=0, output_type=tf.int32)) == 1
    assert float(tf.reduce_sum(input_tensor=a, axis=None, keepdims=False)) == 2.5


def test_sigmoid_is_stable_for_large_inputs():
    out = tf.sigmoid(tf.constant([-1000.0, 0.0, 1000.0])).numpy()
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(out))


def test_python_numbers_accepted():
    assert float(tf.sqrt(4.0)) == 2.0
    assert float(tf.exp(0.0)) == 1.0
    assert int(tf.square(3)) == 9 and tf.square(3).dtype == tf.int32
    assert int(tf.abs(-3)) == 3
    np.testing.assert_allclose(float(tf.math.log(np.e)), 1.0, rtol=1e-6)
    assert float(tf.maximum(1.0, 2.0)) == 2.0


def test_integer_elementwise_keeps_int():
    a = tf.constant([-3, 2, 5])
    assert tf.abs(a).dtype == tf.int32
    np.testing.assert_array_equal(tf.maximum(a, 0).numpy(), [0, 2, 5])
    np.testing.assert_array_equal(tf.minimum(a, [1, 1, 1]).numpy(), [-3, 1, 1])


def test_float_only_math_rejects_integers():
    for fn in (tf.exp, tf.math.log, tf.sqrt):
        with pytest.raises(TypeError, match="float"):
            fn(tf.constant([1, 2]))


def test_clip_by_value_values():
    t = tf.constant([-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(tf.clip_by_value(t, -1.0, 1.0).numpy(), [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(
        tf.clip_by_value(t, clip_value_min=[0.0, 0.0, 0.0], clip_value_max=[1.0, 1.0, 2.0]).numpy(),
        [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(tf.clip_by_value([-2, 0, 3], -1, 1).numpy(), [-1, 0, 1])
    with pytest.raises(ValueError, match="clip_value_min"):
        tf.clip_by_value(t, 1.0, 0.0)


def test_comparisons_and_equal():
    a, b = tf.constant([1.0, 2.0, 3.0]), tf.constant([1.0, 0.0, 4.0])
    for fn, ref in ((tf.equal, np.equal), (tf.math.equal, np.equal), (tf.not_equal, np.not_equal),
                    (tf.less, np.less), (tf.less_equal, np.less_equal), (tf.greater, np.greater),
                    (tf.greater_equal, np.greater_equal)):
        out = fn(a, b)
        assert out.dtype == tf.bool
        np.testing.assert_array_equal(out.numpy(), ref(a.numpy(), b.numpy()))
    np.testing.assert_array_equal(tf.equal([[1, 2]], [1, 3]).numpy(), [[True, False]])
    assert bool(tf.math.equal(1, 1))
    np.testing.assert_array_equal(tf.logical_and(a > 1.0, b > 1.0).numpy(), [False, False, True])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 1], (1,), []])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min"])
def test_reductions_match_numpy(name, axis, keepdims):
    np_fn = {"reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max, "reduce_min": np.min}[name]
    x = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5 - 2.0
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    for fn in (getattr(tf, name), getattr(tf.math, name)):
        out = fn(input_tensor=x, axis=axis, keepdims=keepdims)
        expected = np_fn(x, axis=np_axis, keepdims=keepdims)
        assert out.shape == expected.shape
        assert out.dtype == tf.float32
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_reductions_on_ints_and_bools():
    x = tf.constant([[1, 2], [3, 4]])
    assert tf.reduce_sum(x).dtype == tf.int32 and int(tf.reduce_sum(x)) == 10
    assert int(tf.reduce_mean([1, 2])) == 1            # integer mean truncates, as TF
    np.testing.assert_array_equal(tf.reduce_max(x, axis=0).numpy(), [3, 4])
    assert int(tf.reduce_sum([True, True, False])) == 2
    np.testing.assert_array_equal(tf.reduce_sum(x, axis=tf.constant(1)).numpy(), [3, 7])


def test_reduction_axis_out_of_range_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="axis"):
        tf.reduce_sum(tf.zeros([2, 3]), axis=2)


def test_argmax_and_argmin():
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], dtype=np.float32)
    out = tf.argmax(x)
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(out.numpy(), [1, 0, 1])
    np.testing.assert_array_equal(tf.argmax(x, axis=1).numpy(), [1, 0])       # first of a tie
    np.testing.assert_array_equal(tf.math.argmax(input=x, axis=-1).numpy(), [1, 0])
    out32 = tf.argmax(x, axis=1, output_type=tf.int32)
    assert out32.dtype == tf.int32
    np.testing.assert_array_equal(tf.argmin(x, axis=1).numpy(), [0, 1])


def test_matmul_values_and_arguments():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(tf.matmul(a, b).numpy(), a @ b)
    np.testing.assert_allclose(tf.matmul(a=a.T, b=b.T, transpose_a=True, transpose_b=True).numpy(), a @ b)
    np.testing.assert_allclose(tf.matmul(a.T, b, transpose_a=True).numpy(), a @ b)
    batch = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_allclose(tf.matmul(batch, b.T).numpy(), batch @ b.T)
    assert tf.matmul(tf.ones([2, 3, 4]), tf.ones([4, 5])).shape == (2, 3, 5)
    assert tf.matmul([[1, 2]], [[3], [4]]).dtype == tf.int32
    with pytest.raises(ValueError, match="matmul"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="rank"):
        tf.matmul(tf.zeros([3]), tf.zeros([3, 3]))


def test_cast_values():
    out = tf.cast([1.7, -1.7, 2.5], tf.int32)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), [1, -1, 2])                    # truncation, as TF
    np.testing.assert_array_equal(tf.cast([0.0, 2.0], tf.bool).numpy(), [False, True])
    np.testing.assert_array_equal(tf.cast(tf.constant([True, False]), tf.float32).numpy(), [1.0, 0.0])
    assert tf.cast(tf.constant([1, 2]), dtype="float64").dtype == tf.float64
    t = tf.constant([1.0])
    assert tf.cast(t, tf.float32) is t or tf.cast(t, tf.float32).dtype == tf.float32


def test_float64_is_kept_through_math():
    x = np.array([0.5, 1.5])
    for out in (tf.exp(x), tf.sqrt(x), tf.square(x), tf.reduce_sum(x), tf.reduce_mean(x), tf.maximum(x, 1.0),
                tf.clip_by_value(x, 0.0, 1.0), tf.matmul(x[None], x[:, None]), tf.abs(x)):
        assert out.dtype == tf.float64


# ---- gradients against central differences (float64) -----------------------------------------

GRAD_CASES = {
    "add": (lambda t: tf.add(t, W) * W, X),
    "add_bcast": (lambda t: tf.add(t, C4) ** 2, X),
    "add_bcast_small": (lambda t: tf.add(X, t) ** 2, C4),
    "subtract": (lambda t: tf.subtract(W, t) * t, X),
    "multiply": (lambda t: tf.multiply(t, t) * W, X),
    "multiply_bcast": (lambda t: tf.multiply(X, t[:, None]) ** 2, C3),
    "divide": (lambda t: tf.divide(W, t), XPOS),
    "divide_num": (lambda t: tf.divide(t, XPOS) * W, X),
    "pow": (lambda t: tf.pow(t, 3.0) * W, X),
    "pow_exp": (lambda t: tf.pow(XPOS, t) * W, X),
    "exp": (lambda t: tf.exp(t) * W, X),
    "math.exp": (lambda t: tf.math.exp(t) * W, X),
    "log": (lambda t: tf.math.log(t) * W, XPOS),
    "sqrt": (lambda t: tf.sqrt(t) * W, XPOS),
    "math.sqrt": (lambda t: tf.math.sqrt(t) * W, XPOS),
    "square": (lambda t: tf.square(t) * W, X),
    "math.square": (lambda t: tf.math.square(t) * W, X),
    "abs": (lambda t: tf.abs(t) * W, X),
    "math.abs": (lambda t: tf.math.abs(t) * W, X),
    "maximum": (lambda t: tf.maximum(t, 0.1) * W, X),
    "maximum_both": (lambda t: tf.maximum(t, W) * W, X),
    "maximum_bcast": (lambda t: tf.maximum(X, t) * W, C4),
    "minimum": (lambda t: tf.minimum(t, W) * W, X),
    "math.minimum": (lambda t: tf.math.minimum(W, t) * W, X),
    "clip_by_value": (lambda t: tf.clip_by_value(t, -0.5, 0.5) * W, X),
    "tanh": (lambda t: tf.tanh(t) * W, X),
    "sigmoid": (lambda t: tf.sigmoid(t) * W, X),
    "negative": (lambda t: tf.negative(t) * W, X),
    "rsqrt": (lambda t: tf.math.rsqrt(t) * W, XPOS),
    "reciprocal": (lambda t: tf.math.reciprocal(t) * W, XPOS),
    "softplus": (lambda t: tf.math.softplus(t) * W, X),
    "sin_cos": (lambda t: tf.sin(t) * tf.cos(t * 2.0) * W, X),
    "squared_difference": (lambda t: tf.math.squared_difference(t, W), X),
    "reduce_sum": (lambda t: tf.reduce_sum(t * W), X),
    "reduce_sum_axis": (lambda t: tf.reduce_sum(t, axis=1) * C3, X),
    "reduce_sum_keepdims": (lambda t: tf.reduce_sum(t, axis=0, keepdims=True) * W, X),
    "math.reduce_sum": (lambda t: tf.math.reduce_sum(t ** 2, axis=[0, 1]), X),
    "reduce_mean": (lambda t: tf.reduce_mean(t * W), X),
    "reduce_mean_axis": (lambda t: tf.reduce_mean(t, axis=-1) ** 2, X),
    "math.reduce_mean": (lambda t: tf.math.reduce_mean(t, axis=0, keepdims=True) * W, X),
    "reduce_max": (lambda t: tf.reduce_max(t, axis=1) * C3, X),
    "reduce_max_all": (lambda t: tf.reduce_max(t * W), X),
    "math.reduce_max": (lambda t: tf.math.reduce_max(t, axis=0, keepdims=True) * W, X),
    "reduce_min": (lambda t: tf.reduce_min(t, axis=0) * C4, X),
    "math.reduce_min": (lambda t: tf.math.reduce_min(t * W), X),
    "reduce_logsumexp": (lambda t: tf.reduce_logsumexp(t, axis=1) * C3, X),
    "matmul": (lambda t: tf.matmul(t, B42) ** 2, X),
    "matmul_b": (lambda t: tf.matmul(X, t) ** 2, B42),
    "matmul_ta": (lambda t: tf.matmul(t, X, transpose_a=True) * np.ones((4, 4)) * W[0], X),
    "matmul_tb": (lambda t: tf.matmul(X, t, transpose_b=True) ** 2, W),
    "matmul_batch": (lambda t: tf.matmul(tf.stack([t, 2.0 * t]), B42) ** 2, X),
    "cast": (lambda t: tf.cast(t, tf.float64) * W, X),
    "add_n": (lambda t: tf.add_n([t, t * W, W]) ** 2, X),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_match_finite_differences(name):
    f, x = GRAD_CASES[name]
    assert_grad(f, x)


def test_cast_gradient_crosses_float_dtypes():
    x = tf.constant(np.array([1.0, 2.0]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.cast(x, tf.float32) * tf.constant([3.0, 4.0]))
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64
    np.testing.assert_array_equal(g.numpy(), [3.0, 4.0])


def test_cast_to_int_stops_gradient():
    x = tf.constant([1.5, 2.5])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.cast(x, tf.int32), tf.float32) * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 2.0])


def _grad_at(f, x):
    return tape_grad(f, np.array(x, dtype=np.float64)).numpy()


def test_gradient_conventions_at_ties_follow_tensorflow():
    np.testing.assert_array_equal(_grad_at(tf.abs, [0.0, 1.0, -1.0]), [0.0, 1.0, -1.0])
    np.testing.assert_array_equal(_grad_at(lambda x: tf.maximum(x, 0.0), [0.0, 1.0]), [1.0, 1.0])
    np.testing.assert_array_equal(_grad_at(lambda x: tf.minimum(x, 0.0), [0.0, 1.0]), [1.0, 0.0])
    np.testing.assert_array_equal(_grad_at(lambda x: tf.clip_by_value(x, 0.0, 1.0), [-1.0, 0.0, 1.0, 2.0]),
                                  [0.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(_grad_at(tf.reduce_max, [[1.0, 1.0, 0.0]]), [[0.5, 0.5, 0.0]])


def test_comparisons_have_no_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.greater(x, 1.5), tf.float32)
    assert tape.gradient(y, x) is None


@pytest.mark.parametrize("f, expected", [
    (lambda x: tf.reduce_prod(x), [6.0, 3.0, 2.0]),
    (lambda x: tf.tensordot(x, x, 1), [2.0, 4.0, 6.0]),
    (lambda x: tf.cumsum(x) * x, [7.0, 8.0, 9.0]),
], ids=["reduce_prod", "tensordot", "cumsum"])
def test_namespace_ops_are_differentiable(f, expected):
    g = tape_grad(f, [1.0, 2.0, 3.0])
    assert g is not None
    np.testing.assert_allclose(g.numpy(), expected)


# ---- bad input --------------------------------------------------------------------------------

def test_dtype_mismatch_names_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="add.*float32.*int32"):
        tf.add(tf.constant([1.0]), tf.constant([1]))
    with pytest.raises(TypeError, match="multiply"):
        tf.multiply(tf.constant([1, 2]), 1.5)


def test_comparison_dtype_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="equal"):
        tf.equal(tf.constant([1]), tf.constant([1.0]))
    with pytest.raises(TypeError, match="greater"):
        tf.constant([1, 2]) > 1.5


@pytest.mark.parametrize("f", [
    lambda: tf.add(tf.zeros([2, 3]), tf.zeros([4])),
    lambda: tf.zeros([2]) * tf.zeros([3]),
    lambda: tf.maximum(tf.zeros([2]), tf.zeros([3])),
    lambda: tf.less(tf.zeros([2]), tf.zeros([3])),
    lambda: tf.matmul(tf.ones([2, 3, 4]), tf.ones([3, 4, 5])),
], ids=["add", "mul", "maximum", "less", "matmul_batch"])
def test_incompatible_shapes_raise_invalid_argument(f):
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape"):
        f()
