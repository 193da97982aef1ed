"""Contract point 2: ``tf.GradientTape``.

What is watched, the structure of ``gradient``'s answer, persistence, ``stop_recording``,
and nested tapes (second- and third-order gradients, checked against finite differences of
the first-order gradient in float64; ops without second-order support must raise).
"""
import collections

import numpy as np
import pytest

import tinytf as tf


# ---- helpers --------------------------------------------------------------------------------

def first_grad(f, x, w):
    """d/dx sum(f(x) * w) for a float64 array ``x`` (first order, one tape)."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x) * w)
    return tape.gradient(y, x).numpy()


def second_grad(f, x, w, c):
    """d/dx sum(c * d/dx sum(f(x) * w)) with two nested tapes."""
    x = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(f(x) * w)
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * c)
    return outer.gradient(z, x)


def numeric_second_grad(f, x, w, c, eps=1e-6):
    """Central differences of sum(c * first_grad(f, x, w))."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        orig = x[i]
        x[i] = orig + eps
        fp = np.sum(first_grad(f, x, w) * c)
        x[i] = orig - eps
        fm = np.sum(first_grad(f, x, w) * c)
        x[i] = orig
        out[i] = (fp - fm) / (2 * eps)
    return out


# ---- what is watched --------------------------------------------------------------------------

def test_trainable_variables_are_watched_automatically():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    g = tape.gradient(y, x)
    assert isinstance(g, tf.Tensor)
    assert g.dtype == tf.float32
    assert float(g) == 6.0
    assert tape.watched_variables() == (x,) or list(tape.watched_variables()) == [x]


def test_constants_need_watch():
    c = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = c * c
    assert tape.gradient(y, c) is None
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = c * c
    assert float(tape.gradient(y, c)) == 6.0


def test_watch_nested_structure():
    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([a, (b,)])
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 2.0 and float(gb) == 1.0


def test_watch_rejects_non_tensors():
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="watch"):
            tape.watch(3.0)


def test_non_trainable_variables_are_not_watched():
    s = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = s * s
    assert tape.gradient(y, s) is None
    with tf.GradientTape() as tape:
        tape.watch(s)
        y = s * s
    assert float(tape.gradient(y, s)) == 4.0
    assert tf.Variable(1.0, trainable=False).trainable is False


def test_watch_accessed_variables_false():
    x = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0


def test_mixed_watched_and_trainable():
    x = tf.Variable(3.0)
    s = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = x * s
    assert float(tape.gradient(y, x)) == 2.0


@pytest.mark.parametrize("case", ["non_trainable", "constant", "no_auto_watch"])
def test_unwatched_inputs_of_recorded_ops_get_none(case):
    x = tf.Variable(3.0)
    other = {"non_trainable": tf.Variable(2.0, trainable=False), "constant": tf.constant(2.0),
             "no_auto_watch": tf.Variable(2.0)}[case]
    with tf.GradientTape(watch_accessed_variables=(case != "no_auto_watch")) as tape:
        tape.watch(x)
        y = x * other
    gx, go = tape.gradient(y, [x, other])
    assert float(gx) == 2.0
    assert go is None


def test_integer_sources_get_none():
    i = tf.Variable(3)
    with tf.GradientTape() as tape:
        y = i * i
    assert tape.gradient(y, i) is None


# ---- structure of sources and targets ---------------------------------------------------------

def test_gradient_of_list_dict_tuple_nested():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = a * b * c
    assert isinstance(tape.gradient(y, a), tf.Tensor)
    lst = tape.gradient(y, [a, b, c])
    assert isinstance(lst, list) and [float(g) for g in lst] == [6.0, 3.0, 2.0]
    tup = tape.gradient(y, (a, b))
    assert isinstance(tup, tuple) and [float(g) for g in tup] == [6.0, 3.0]
    d = tape.gradient(y, {"w": a, "rest": (b, [c])})
    assert set(d) == {"w", "rest"}
    assert float(d["w"]) == 6.0
    assert isinstance(d["rest"], tuple) and isinstance(d["rest"][1], list)
    assert float(d["rest"][0]) == 3.0 and float(d["rest"][1][0]) == 2.0
    Pair = collections.namedtuple("Pair", "first second")
    nt = tape.gradient(y, Pair(a, c))
    assert isinstance(nt, Pair) and float(nt.second) == 2.0


def test_unconnected_sources_none_or_zero():
    x, u = tf.Variable([1.0, 2.0]), tf.Variable([[1.0, 2.0, 3.0]])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(x * x)
    gx, gu = tape.gradient(y, [x, u])
    assert gu is None
    np.testing.assert_array_equal(gx.numpy(), [2.0, 4.0])
    gx, gu = tape.gradient(y, [x, u], unconnected_gradients="zero")
    assert gu.shape == (1, 3) and gu.dtype == tf.float32
    np.testing.assert_array_equal(gu.numpy(), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="ones")


def test_target_that_does_not_depend_on_watched_tensor():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.constant(3.0)
    assert tape.gradient(y, x) is None


def test_non_scalar_target_is_summed():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = v * v                      # shape [3]; gradient of sum(y)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [2.0, 4.0, 6.0])
    w = tf.Variable(np.ones((2, 3)))
    with tf.GradientTape() as tape:
        y = tf.matmul(w, np.arange(6.0).reshape(3, 2))   # shape [2, 2]
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), np.tile([1.0, 5.0, 9.0], (2, 1)))


def test_list_of_targets_is_summed():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        a = tf.reduce_sum(v)
        b = v * 3.0
    np.testing.assert_array_equal(tape.gradient([a, b], v).numpy(), [4.0, 4.0])


def test_output_gradients():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = v * 2.0
    g = tape.gradient(y, v, output_gradients=tf.constant([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 0.0, 4.0])


def test_gradient_shape_and_dtype_follow_the_source():
    b = tf.Variable(np.zeros(3))                     # float64, broadcast in the op
    x = tf.constant(np.ones((4, 3)))
    with tf.GradientTape() as tape:
        y = x + b
    g = tape.gradient(y, b)
    assert g.shape == (3,) and g.dtype == tf.float64
    np.testing.assert_array_equal(g.numpy(), [4.0, 4.0, 4.0])


def test_sources_must_be_tensors():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(TypeError, match="sources"):
        tape.gradient(y, [x, 3.0])


# ---- persistence and recording control --------------------------------------------------------

def test_non_persistent_tape_second_call_raises():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert float(tape.gradient(y, x)) == 4.0
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        z = x * 3.0
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 3.0
    assert float(tape.gradient(y, x)) == 4.0
    del tape


def test_stop_recording():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        a = x * x
        with tape.stop_recording():
            b = x * x
        y = a + b
    assert float(tape.gradient(y, x)) == 6.0      # b counts as a constant
    with tf.GradientTape() as tape:
        with tape.stop_recording():
            y = x * x
    assert tape.gradient(y, x) is None


def test_stop_gradient():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.stop_gradient(v) * v
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [1.0, 2.0])


def test_ops_outside_the_with_block_are_not_recorded():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    z = y * x
    assert tape.gradient(z, x) is None
    assert float(tape.gradient(y, x)) == 4.0


def test_plain_numpy_and_python_operands_inside_a_tape():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * np.array([1.0, 2.0, 3.0], np.float32) + 2.0 * v)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [3.0, 4.0, 5.0])


def test_training_loop_style_update():
    w = tf.Variable([0.0, 0.0])
    target = np.array([1.0, -2.0], np.float32)
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(w - target))
        w.assign_sub(0.1 * tape.gradient(loss, w))
    np.testing.assert_allclose(w.numpy(), target, atol=1e-5)


def test_gradient_uses_values_at_op_time_after_assign():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        x.assign(10.0)
    assert float(tape.gradient(y, x)) == 4.0


# ---- nested tapes: higher-order gradients -----------------------------------------------------

@pytest.mark.parametrize("x0", [-1.5, 0.5, 2.0])
def test_second_derivative_of_cube_is_6x(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x ** 3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    np.testing.assert_allclose(float(dy), 3 * x0 ** 2, rtol=1e-6)
    np.testing.assert_allclose(float(d2y), 6 * x0, rtol=1e-6)


def test_second_derivative_of_product_form_x_times_x_times_x():
    x = tf.constant(np.array([0.5, -2.0]))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    np.testing.assert_allclose(outer.gradient(dy, x).numpy(), [3.0, -12.0])


def test_third_derivative():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x ** 4
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    assert [float(g) for g in (g1, g2, g3)] == [108.0, 108.0, 72.0]


def test_mixed_partial_derivative():
    x, y = tf.Variable(1.5), tf.Variable(-0.5)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            z = x * x * y + tf.exp(x * y)
        dz_dx = inner.gradient(z, x)
    d2z = outer.gradient(dz_dx, y)     # d/dy (2xy + y e^{xy}) = 2x + e^{xy} + xy e^{xy}
    e = np.exp(1.5 * -0.5)
    np.testing.assert_allclose(float(d2z), 2 * 1.5 + e + 1.5 * -0.5 * e, rtol=1e-6)


def test_persistent_outer_tape_and_hessian_rows():
    x = tf.Variable(np.array([1.0, 2.0]))
    e0, e1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            x0, x1 = tf.reduce_sum(x * e0), tf.reduce_sum(x * e1)
            y = x0 ** 2 * x1 + tf.reduce_sum(x ** 3)
        g = inner.gradient(y, x)
        g0, g1 = tf.reduce_sum(g * e0), tf.reduce_sum(g * e1)
    # g = [2 x0 x1 + 3 x0^2, x0^2 + 3 x1^2]; H = [[2 x1 + 6 x0, 2 x0], [2 x0, 6 x1]]
    np.testing.assert_allclose(g.numpy(), [7.0, 13.0])
    np.testing.assert_allclose(outer.gradient(g0, x).numpy(), [10.0, 2.0])
    np.testing.assert_allclose(outer.gradient(g1, x).numpy(), [2.0, 12.0])


HIGHER_ORDER_CASES = {
    "mul": lambda x: x * x * x,
    "div": lambda x: 1.0 / (x * x + 1.0),
    "pow": lambda x: x ** 3,
    "neg_sub": lambda x: -(x - x * x),
    "exp": tf.exp,
    "log": lambda x: tf.math.log(x * x + 1.0),
    "sqrt": lambda x: tf.sqrt(x * x + 1.0),
    "square": tf.square,
    "abs": lambda x: tf.abs(x) ** 3,
    "tanh": tf.tanh,
    "sigmoid": tf.sigmoid,
    "maximum": lambda x: tf.maximum(x, 0.1) ** 3,
    "matmul": lambda x: tf.matmul(x, np.linspace(-1.0, 1.0, 6).reshape(3, 2)) ** 2,
    "matmul_self": lambda x: tf.matmul(x, x, transpose_b=True),
    "reduce_sum": lambda x: tf.reduce_sum(x * x, axis=1, keepdims=True) * x,
    "reduce_mean": lambda x: tf.reduce_mean(x ** 3, axis=0),
    "reduce_max": lambda x: tf.reduce_max(x ** 3, axis=1),
    "transpose_reshape": lambda x: tf.reshape(tf.transpose(x) ** 3, [-1]),
    "concat_stack": lambda x: tf.stack([tf.concat([x ** 2, x ** 3], 0), tf.concat([x, x], 0)]),
    "pad": lambda x: tf.pad(x ** 3, [[1, 1], [0, 0]]),
    "where": lambda x: tf.where(x > 0.0, x ** 3, x ** 2),
    "relu": lambda x: tf.nn.relu(x) ** 2,
    "softmax": tf.nn.softmax,
    "log_softmax": tf.nn.log_softmax,
    "softmax_ce": lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=np.full((4, 3), 1 / 3), logits=x),
}


@pytest.mark.parametrize("name", list(HIGHER_ORDER_CASES))
def test_second_order_matches_finite_differences(name):
    f = HIGHER_ORDER_CASES[name]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3))
    w = rng.standard_normal(tuple(f(tf.constant(x)).shape))
    c = rng.standard_normal((4, 3))
    got = second_grad(f, x, w, c)
    assert got is not None
    assert got.dtype == tf.float64
    np.testing.assert_allclose(got.numpy(), numeric_second_grad(f, x, w, c), rtol=1e-5, atol=1e-6)


def test_second_order_through_cast():
    x = tf.constant(np.array([1.0, 2.0]))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.cast(tf.cast(x, tf.float32), tf.float64) ** 3
        g = inner.gradient(y, x)
    np.testing.assert_allclose(outer.gradient(g, x).numpy(), [6.0, 12.0], rtol=1e-6)


def test_first_order_inside_an_outer_tape_is_unchanged():
    rng = np.random.default_rng(3)
    x = tf.Variable(rng.standard_normal((1, 5, 5, 2)))
    w = tf.Variable(rng.standard_normal((3, 3, 2, 2)))

    def loss():
        return tf.reduce_sum(tf.nn.max_pool2d(tf.nn.conv2d(x, w, 1, "SAME"), 2, 2, "VALID") ** 2)
    with tf.GradientTape() as plain:
        y = loss()
    expected = plain.gradient(y, [x, w])
    with tf.GradientTape():
        with tf.GradientTape() as inner:
            y = loss()
        got = inner.gradient(y, [x, w])
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


SECOND_ORDER_UNSUPPORTED = {
    "conv2d": (lambda x, w: tf.nn.conv2d(x, w, strides=1, padding="VALID"), "Conv2D"),
    "max_pool2d": (lambda x, w: tf.nn.max_pool2d(x, ksize=2, strides=1, padding="VALID") * w, "MaxPool"),
    "avg_pool2d": (lambda x, w: tf.nn.avg_pool2d(x, ksize=2, strides=1, padding="SAME") * w, "AvgPool"),
    "max_pool": (lambda x, w: tf.nn.max_pool(x * w, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                                             padding="VALID"), "MaxPool"),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER_UNSUPPORTED))
@pytest.mark.parametrize("wrt", ["input", "other"])
def test_second_order_without_support_raises_clearly(name, wrt):
    op, op_name = SECOND_ORDER_UNSUPPORTED[name]
    rng = np.random.default_rng(0)
    x = tf.Variable(rng.standard_normal((1, 4, 4, 1)))
    w = tf.Variable(rng.standard_normal((2, 2, 1, 1)) if name == "conv2d" else np.float64(1.5))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(op(x, w) ** 2)
        g = inner.gradient(y, x)       # first order still works
        z = tf.reduce_sum(g * g)
    assert g.shape == (1, 4, 4, 1)
    with pytest.raises(tf.errors.UnimplementedError, match=op_name) as info:
        outer.gradient(z, x if wrt == "input" else w)
    assert isinstance(info.value, NotImplementedError)


def test_second_order_through_max_pool2d_alone_raises():
    x = tf.Variable(np.random.default_rng(1).standard_normal((1, 4, 4, 1)))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(tf.nn.max_pool2d(x, 2, 2, "VALID") ** 2)
        g = inner.gradient(y, x)
    with pytest.raises(NotImplementedError, match="MaxPool"):
        outer.gradient(g, x)


def test_second_order_through_slicing_and_gather():
    x = tf.Variable(np.array([1.0, 2.0, 3.0]))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(x[1:] ** 3) + tf.reduce_sum(tf.gather(x, [0, 0]) ** 3)
        g = inner.gradient(y, x)
    np.testing.assert_allclose(outer.gradient(g, x).numpy(), [12.0, 12.0, 18.0])
