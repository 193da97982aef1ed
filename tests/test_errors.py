"""Contract point 5: bad input raises at the call, with a clear message naming the argument,
the value and what was expected -- never a NumPy error from inside a kernel.
"""
import re

import numpy as np
import pytest

import tinytf as tf

X = tf.random.normal([2, 5, 5, 3])
W = tf.random.normal([3, 3, 3, 4])


def raises(exc, f, *fragments):
    """Assert ``f()`` raises ``exc`` and the message holds every fragment (plain text)."""
    with pytest.raises(exc, match=re.escape(fragments[0])) as info:
        f()
    msg = str(info.value)
    for frag in fragments[1:]:
        assert frag in msg, f"{frag!r} not in {msg!r}"
    assert "could not be broadcast" not in msg
    return info.value


# ---- the error classes ----------------------------------------------------------------------------

def test_error_classes():
    assert issubclass(tf.errors.InvalidArgumentError, ValueError)
    assert issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)
    assert issubclass(tf.errors.UnimplementedError, NotImplementedError)
    assert issubclass(tf.errors.UnimplementedError, tf.errors.OpError)
    assert issubclass(tf.errors.NotFoundError, tf.errors.OpError)


# ---- conv2d -----------------------------------------------------------------------------------

def test_conv2d_input_wrong_rank():
    raises(ValueError, lambda: tf.nn.conv2d(tf.zeros([5, 5, 3]), W, 1, "SAME"),
           "input", "rank-4", "(5, 5, 3)")


def test_conv2d_filters_wrong_rank():
    raises(ValueError, lambda: tf.nn.conv2d(X, tf.zeros([3, 3, 3]), 1, "SAME"),
           "filters", "rank-4", "(3, 3, 3)")


@pytest.mark.parametrize("data_format, x_shape", [("NHWC", [2, 5, 5, 3]), ("NCHW", [2, 3, 5, 5])])
def test_conv2d_channels_do_not_match_filter(data_format, x_shape):
    e = raises(tf.errors.InvalidArgumentError,
               lambda: tf.nn.conv2d(tf.zeros(x_shape), tf.zeros([3, 3, 2, 4]), 1, "SAME", data_format=data_format),
               "channels", "3", "2")
    assert isinstance(e, ValueError)


@pytest.mark.parametrize("padding", ["FULL", "CAUSAL", "", "VALID "])
def test_conv2d_unknown_padding_string(padding):
    raises(ValueError, lambda: tf.nn.conv2d(X, W, 1, padding), "padding", "'SAME'", "'VALID'", repr(padding))


@pytest.mark.parametrize("padding", [
    [[0, 0], [1, 1], [1, 1]],                  # 3 pairs
    [[0, 0], [1, 1, 1], [1, 1], [0, 0]],       # a triple
    [[0, 0], [-1, 1], [1, 1], [0, 0]],         # negative
    [[1, 0], [1, 1], [1, 1], [0, 0]],          # padding the batch axis
    [[0, 0], [1, 1], [1, 1], [0, 2]],          # padding the channel axis
    [0, 0, 1, 1, 1, 1, 0, 0],                  # flat
    [[0, 0], [1.5, 1], [1, 1], [0, 0]],        # non-integer
    1,
    None,
])
def test_conv2d_malformed_explicit_padding(padding):
    e = raises(ValueError, lambda: tf.nn.conv2d(X, W, 1, padding), "padding")
    assert str(padding).replace(" ", "") in str(e).replace(" ", "") or repr(padding) in str(e)


@pytest.mark.parametrize("strides", [0, -1, [1, 0], [-2], [1, 0, 1, 1]])
def test_conv2d_zero_or_negative_strides(strides):
    raises(ValueError, lambda: tf.nn.conv2d(X, W, strides, "SAME"), "strides", ">= 1")


@pytest.mark.parametrize("strides", [[1, 1, 1], [1, 2, 3, 4, 5], [2, 1, 1, 1], [1, 1, 1, 2]])
def test_conv2d_malformed_strides(strides):
    raises(ValueError, lambda: tf.nn.conv2d(X, W, strides, "SAME"), "strides")


def test_conv2d_non_integer_strides():
    raises(TypeError, lambda: tf.nn.conv2d(X, W, 1.5, "SAME"), "strides", "1.5")


def test_conv2d_zero_dilations():
    raises(ValueError, lambda: tf.nn.conv2d(X, W, 1, "SAME", dilations=0), "dilations", ">= 1")


@pytest.mark.parametrize("strides, dilations", [(2, 2), ([1, 2], [2, 1]), ([1, 2, 2, 1], [1, 2, 2, 1])])
def test_conv2d_dilation_with_stride(strides, dilations):
    raises(ValueError, lambda: tf.nn.conv2d(X, W, strides, "SAME", dilations=dilations), "dilations", "strides")


@pytest.mark.parametrize("x_shape, padding, dilations", [
    ([1, 2, 2, 3], "VALID", 1),
    ([1, 2, 5, 3], "VALID", 1),
    ([1, 4, 4, 3], "VALID", 2),
    ([1, 1, 1, 3], [[0, 0], [1, 0], [1, 0], [0, 0]], 1),
])
def test_conv2d_window_larger_than_padded_input(x_shape, padding, dilations):
    raises(ValueError, lambda: tf.nn.conv2d(tf.zeros(x_shape), W, 1, padding, dilations=dilations),
           "window", "larger", "padded input")


@pytest.mark.parametrize("which", ["input", "filters"])
def test_conv2d_integer_tensors(which):
    xi = tf.zeros([1, 5, 5, 3], dtype=tf.int32) if which == "input" else X
    wi = tf.zeros([3, 3, 3, 4], dtype=tf.int32) if which == "filters" else W
    raises(TypeError, lambda: tf.nn.conv2d(xi, wi, 1, "SAME"), which, "float", "int32")


def test_conv2d_integer_numpy_input():
    raises(TypeError, lambda: tf.nn.conv2d(np.zeros([1, 5, 5, 3], np.int32), W, 1, "SAME"), "input", "float")


def test_conv2d_mixed_float_dtypes():
    raises(ValueError, lambda: tf.nn.conv2d(tf.zeros([1, 5, 5, 3], tf.float64), W, 1, "SAME"),
           "conv2d", "float64", "float32")


def test_conv2d_bad_data_format():
    raises(ValueError, lambda: tf.nn.conv2d(X, W, 1, "SAME", data_format="NWHC"), "data_format", "'NWHC'")


@pytest.mark.parametrize("w_shape", [[0, 2, 1, 1], [2, 2, 1, 0]])
def test_conv2d_zero_sized_filters(w_shape):
    raises(ValueError, lambda: tf.nn.conv2d(tf.zeros([1, 5, 5, 1]), tf.zeros(w_shape), 1, "VALID"), "filters")


# ---- pooling ----------------------------------------------------------------------------------

POOLS = [tf.nn.max_pool2d, tf.nn.avg_pool2d, tf.nn.max_pool, tf.nn.avg_pool]


@pytest.mark.parametrize("fn", POOLS)
def test_pool_wrong_rank(fn):
    raises(ValueError, lambda: fn(tf.zeros([5, 5, 3]), 2, 2, "VALID"), "input", "(5, 5, 3)")


@pytest.mark.parametrize("fn", POOLS)
def test_pool_unknown_padding(fn):
    raises(ValueError, lambda: fn(X, 2, 2, "FULL"), "padding", "'SAME'", "'VALID'", "'FULL'")


@pytest.mark.parametrize("fn", POOLS)
@pytest.mark.parametrize("arg", ["ksize", "strides"])
def test_pool_zero_ksize_or_strides(fn, arg):
    kw = {"ksize": 2, "strides": 2, arg: 0}
    raises(ValueError, lambda: fn(X, padding="VALID", **kw), arg, ">= 1")


@pytest.mark.parametrize("fn", POOLS)
def test_pool_ksize_on_batch_axis(fn):
    raises(ValueError, lambda: fn(X, [2, 2, 2, 1], 2, "VALID"), "ksize", "batch")


@pytest.mark.parametrize("fn", POOLS)
def test_pool_window_larger_than_input(fn):
    raises(ValueError, lambda: fn(X, 6, 1, "VALID"), "window", "larger", "(5, 5)")


@pytest.mark.parametrize("fn", POOLS)
def test_pool_integer_input(fn):
    raises(TypeError, lambda: fn(tf.zeros([1, 4, 4, 1], tf.int32), 2, 2, "VALID"), "input", "float", "int32")


# ---- other nn ops -----------------------------------------------------------------------------

def test_bias_add_size_mismatch():
    raises(ValueError, lambda: tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4])), "bias", "4", "3")
    raises(ValueError, lambda: tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([1, 3])), "bias", "rank 1")


def test_softmax_integer_logits():
    raises(TypeError, lambda: tf.nn.softmax(tf.constant([1, 2])), "logits", "float", "int32")


def test_dropout_bad_rate_names_it():
    raises(ValueError, lambda: tf.nn.dropout(X, rate=1.0), "rate", "1.0")


@pytest.mark.parametrize("f, arg", [
    (lambda: tf.nn.batch_normalization(tf.ones([2, 3]), tf.ones([4]), tf.ones([3]), None, None, 1e-3), "mean"),
    (lambda: tf.nn.dropout(tf.ones([4, 3]), 0.5, noise_shape=[3, 4]), "noise_shape"),
    (lambda: tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=[[1.0, 2.0]], axis=2), "axis"),
], ids=["batch_normalization", "dropout", "softmax_cross_entropy"])
def test_nn_shape_errors_name_the_argument(f, arg, request):
    op = request.node.callspec.id
    with pytest.raises(ValueError) as info:
        f()
    assert op in str(info.value) and arg in str(info.value)
    assert "broadcast together" not in str(info.value)


# ---- converting op arguments ----------------------------------------------------------------------

@pytest.mark.parametrize("f, where, got", [
    (lambda: tf.nn.relu("abc"), "relu: features", "str 'abc'"),
    (lambda: tf.nn.relu(None), "relu: features", "NoneType None"),
    (lambda: tf.reduce_sum("abc"), "reduce_sum: input_tensor", "str 'abc'"),
    (lambda: tf.add("a", 1), "add: x", "str 'a'"),
    (lambda: tf.nn.max_pool2d("x", 2, 2, "VALID"), "max_pool2d: input", "str 'x'"),
], ids=["relu", "relu_none", "reduce_sum", "add", "max_pool2d"])
def test_non_numeric_op_argument_is_a_type_error_naming_it(f, where, got):
    e = raises(TypeError, f, where, "must be a number or a tensor", got)
    assert "ufunc" not in str(e) and "dtype(" not in str(e)


# ---- Variable.assign ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["assign", "assign_add", "assign_sub"])
def test_variable_assign_string_is_a_type_error(method):
    v = tf.Variable([1.0, 2.0], name="w")
    raises(TypeError, lambda: getattr(v, method)("x"), f"Variable.{method} on 'w:0'", "str 'x'", "float32")
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("method", ["assign", "assign_add", "assign_sub"])
def test_variable_assign_wrong_shape_names_the_variable(method):
    v = tf.Variable([1.0, 2.0], name="w")
    raises(ValueError, lambda: getattr(v, method)([1.0, 2.0, 3.0]), f"Variable.{method} on 'w:0'", "(3,)", "(2,)")
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


# ---- one_hot --------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [-1, tf.constant(-3)])
def test_one_hot_negative_depth(depth):
    raises(tf.errors.InvalidArgumentError, lambda: tf.one_hot([0, 1], depth=depth), "depth must be non-negative")


@pytest.mark.parametrize("depth", [2.5, "3", None, [3], True])
def test_one_hot_non_integer_depth(depth):
    raises(TypeError, lambda: tf.one_hot([0, 1], depth=depth), "one_hot: depth", "integer", repr(depth))


def test_one_hot_zero_depth_is_allowed():
    assert tf.one_hot([0, 1], depth=0).shape == (2, 0)
