"""tf.tensor_scatter_nd_update / _add / _sub, tf.saturate_cast, tf.meshgrid,
tf.broadcast_dynamic_shape, tf.math.is_inf: values (and scatter gradients) against TensorFlow 2.21
(tests/fixtures/layers19.npz), gradients by float64 finite differences, errors."""
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "layers19.npz")
with np.load(FIXTURE, allow_pickle=False) as _d:
    ARR = {k: _d[k] for k in _d.files if k != "meta"}


def case(prefix):
    return {k.split("/", 1)[1]: v for k, v in ARR.items() if k.startswith(prefix + "/")}


@pytest.mark.parametrize("op", ["tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub"])
def test_scatter_matches_tensorflow(op):
    d = case(op)
    t, u = tf.constant(d["t"]), tf.constant(d["u"])
    with tf.GradientTape() as tape:
        tape.watch([t, u])
        y = getattr(tf, op)(t, d["i"], u)
        loss = tf.reduce_sum(y * d["g"])
    dt, du = tape.gradient(loss, [t, u])
    np.testing.assert_array_equal(y.numpy(), d["y"])
    np.testing.assert_array_equal(dt.numpy(), d["dt"])
    np.testing.assert_array_equal(du.numpy(), d["du"])


def test_scatter_slices_of_a_rank3_tensor():
    d = case("scatter_nd2")
    np.testing.assert_array_equal(tf.tensor_scatter_nd_update(d["t"], d["i"], d["u"]).numpy(), d["y"])


def test_scatter_gradients_and_duplicates():
    rng = np.random.default_rng(2)
    t, u = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    idx = [[2], [0], [2]]  # a duplicate: update keeps the last, add adds both
    ut, tt = tf.constant(u), tf.constant(t)
    for op in (tf.tensor_scatter_nd_update, tf.tensor_scatter_nd_add, tf.tensor_scatter_nd_sub):
        assert_grad(lambda x: op(x, idx, ut) ** 2, t)
        assert_grad(lambda x: op(tt, idx, x) ** 2, u)
    np.testing.assert_array_equal(tf.tensor_scatter_nd_update(t, idx, u).numpy()[2], u[2])
    np.testing.assert_allclose(tf.tensor_scatter_nd_add(t, idx, u).numpy()[2], t[2] + u[0] + u[2])


def test_scatter_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices \[4\] do not index"):
        tf.tensor_scatter_nd_update(tf.zeros([4, 2]), [[4]], [[1.0, 2.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="updates must have shape"):
        tf.tensor_scatter_nd_add(tf.zeros([4, 2]), [[1]], [1.0, 2.0])
    with pytest.raises(TypeError, match="indices must be int"):
        tf.tensor_scatter_nd_sub(tf.zeros([4, 2]), [[1.0]], [[1.0, 2.0]])


def test_saturate_cast_matches_tensorflow():
    d = case("saturate_cast")
    for dt in ("int32", "uint8", "int8", "int16", "uint16", "int64"):
        y = tf.saturate_cast(d["in"], dt)
        assert y.dtype == tf.as_dtype(dt)
        np.testing.assert_array_equal(y.numpy(), d[f"f32_{dt}"], err_msg=dt)
    np.testing.assert_array_equal(tf.saturate_cast(d["f64"], tf.float32).numpy(), d["f64_f32"])
    np.testing.assert_array_equal(tf.saturate_cast(d["f64"], tf.float16).numpy(), d["f64_f16"])
    for dt in ("uint8", "int8", "int16", "uint16", "float16"):
        np.testing.assert_array_equal(tf.saturate_cast(d["i32"], dt).numpy(), d[f"i32_{dt}"], err_msg=dt)


def test_saturate_cast_gradient_is_the_clip():
    x = tf.constant(np.array([1.0, -2.0, 3e39, -1e40]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.saturate_cast(x, tf.float32)
    assert y.dtype == tf.float32
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 1.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="saturate_cast"):
        tf.saturate_cast(tf.constant(["a"]), tf.int32)


def test_meshgrid_and_broadcast_shape_match_tensorflow():
    for k in ("xy", "ij"):
        d = case(f"mesh_{k}")
        ys = tf.meshgrid(np.float32([1, 2, 3]), np.float32([4, 5]), np.float32([7, 8, 9, 10]), indexing=k)
        for n, y in enumerate(ys):
            np.testing.assert_array_equal(y.numpy(), d[f"y{n}"])
    np.testing.assert_array_equal(tf.broadcast_dynamic_shape(tf.constant([2, 1, 3]), tf.constant([4, 1])).numpy(),
                                  case("bds")["y"])
    assert_grad(lambda a: tf.meshgrid(a, tf.constant([1.0, 2.0]))[0] ** 2, np.array([0.5, -1.0, 2.0]))
    with pytest.raises(ValueError, match="indexing"):
        tf.meshgrid([1, 2], indexing="yx")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        tf.broadcast_dynamic_shape([2, 3], [4])


def test_is_inf():
    np.testing.assert_array_equal(tf.math.is_inf([1.0, np.inf, -np.inf, np.nan]).numpy(), [False, True, True, False])
