"""tf.nn.conv3d, max_pool3d, avg_pool3d: forward values and gradients against TensorFlow 2.21
(tests/fixtures/layers19.npz, written by tests/fixtures/record_layers19.py); forward against slow
float64 loops over every output cell (written out here, sharing nothing with tinytf's ops);
gradients by float64 finite differences; NCDHW equal to the transposed NDHWC result; errors."""
import itertools
import json
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad
from kernel_loops import axis_pads

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "layers19.npz")
RNG = np.random.default_rng(5)


def fixture():
    with np.load(FIXTURE, allow_pickle=False) as data:
        return json.loads(str(data["meta"])), {k: data[k] for k in data.files if k != "meta"}


META, ARR = fixture()


def case(prefix):
    return {k.split("/", 1)[1]: v for k, v in ARR.items() if k.startswith(prefix + "/")}


def run_with_grad(fn, *xs, g):
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = fn(*ts)
        loss = tf.reduce_sum(y * g)
    return y, tape.gradient(loss, ts)


@pytest.mark.parametrize("name", ["valid", "same_s2", "same_s213", "dilated"])
def test_conv3d_matches_tensorflow(name):
    d, m = case(f"conv3d_{name}"), META[f"conv3d_{name}"]
    s = m["strides"] if isinstance(m["strides"], list) else [1] + [m["strides"]] * 3 + [1]
    y, (dx, dw) = run_with_grad(lambda a, b: tf.nn.conv3d(a, b, s, m["padding"], dilations=m["dilations"]),
                                d["x"], d["w"], g=d["g"])
    assert y.dtype == tf.float32 and y.shape == d["y"].shape
    np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx.numpy(), d["dx"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw.numpy(), d["dw"], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("op", ["max_pool3d", "avg_pool3d"])
@pytest.mark.parametrize("name", ["k2", "k3s2same", "k232s121same"])
def test_pool3d_matches_tensorflow(op, name):
    d, m = case(f"{op}_{name}"), META[f"pool3d_{name}"]
    y, (dx,) = run_with_grad(lambda a: getattr(tf.nn, op)(a, m["ksize"], m["strides"], m["padding"]), d["x"],
                             g=d["g"])
    assert y.shape == d["y"].shape
    if op == "max_pool3d":
        np.testing.assert_array_equal(y.numpy(), d["y"])
        # overlapping windows add their shares in another order than TensorFlow's: rounding only
        np.testing.assert_allclose(dx.numpy(), d["dx"], rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(dx.numpy(), d["dx"], rtol=1e-6, atol=1e-6)


def test_max_pool3d_ties_get_the_gradient_as_in_tensorflow():
    d = case("max_pool3d_ties")
    y, (dx,) = run_with_grad(lambda a: tf.nn.max_pool3d(a, [1, 2, 3, 2, 1], [1, 1, 2, 2, 1], "SAME"), d["x"],
                             g=d["g"])
    np.testing.assert_array_equal(y.numpy(), d["y"])
    np.testing.assert_allclose(dx.numpy(), d["dx"], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["same_s2", "valid_s132"])
def test_conv3d_transpose_matches_tensorflow(name):
    d, m = case(f"conv3dT_{name}"), META[f"conv3dT_{name}"]
    y, (dx, dw) = run_with_grad(lambda a, b: tf.nn.conv3d_transpose(a, b, m["output_shape"], m["strides"],
                                                                    m["padding"]), d["x"], d["w"], g=d["g"])
    assert y.shape == d["y"].shape
    np.testing.assert_allclose(y.numpy(), d["y"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx.numpy(), d["dx"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw.numpy(), d["dw"], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("s, d", [((1, 1, 1), (1, 1, 1)), ((2, 1, 3), (1, 1, 1)), ((1, 1, 1), (2, 1, 2))])
def test_conv3d_transpose_is_the_adjoint_of_conv3d(padding, s, d):
    z, w = RNG.standard_normal((2, 6, 5, 7, 3)), RNG.standard_normal((2, 3, 2, 3, 2))
    y = tf.nn.conv3d(z, w, [1, *s, 1], padding, dilations=[1, *d, 1]).numpy()
    b = RNG.standard_normal(y.shape)
    zt = tf.nn.conv3d_transpose(b, w, list(z.shape), [1, *s, 1], padding, dilations=[1, *d, 1]).numpy()
    assert zt.shape == z.shape
    np.testing.assert_allclose(np.sum(y * b), np.sum(z * zt), rtol=1e-12)
    wt = tf.constant(w)
    assert_grad(lambda t: tf.nn.conv3d_transpose(t, wt, list(z.shape), [1, *s, 1], padding,
                                                 dilations=[1, *d, 1]) ** 2, b)


def test_conv3d_transpose_errors():
    x, w = np.zeros((1, 2, 2, 2, 3), np.float32), np.zeros((2, 2, 2, 4, 3), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not fit"):
        tf.nn.conv3d_transpose(x, w, [1, 9, 4, 4, 4], 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="batch and channels"):
        tf.nn.conv3d_transpose(x, w, [1, 4, 4, 4, 5], 2, "SAME")


# ---- slow loops ---------------------------------------------------------------------------------

def plan(shape, k, s, d, padding):
    return [axis_pads(n, kk, ss, dd, padding) for n, kk, ss, dd in zip(shape, k, s, d)]


def conv3d_loop(x, w, s, d, padding):
    p = plan(x.shape[1:4], w.shape[:3], s, d, padding)
    xp = np.pad(x.astype(np.float64), [(0, 0)] + [(a, b) for a, b, _ in p] + [(0, 0)])
    out = np.zeros((x.shape[0],) + tuple(o for _, _, o in p) + (w.shape[4],))
    for n, i, j, k in itertools.product(range(x.shape[0]), *(range(o) for _, _, o in p)):
        for a, b, c in itertools.product(*(range(kk) for kk in w.shape[:3])):
            out[n, i, j, k] += xp[n, i * s[0] + a * d[0], j * s[1] + b * d[1], k * s[2] + c * d[2]] @ w[a, b, c]
    return out


def pool3d_loop(x, k, s, padding, reduce):
    p = plan(x.shape[1:4], k, s, (1, 1, 1), padding)
    out = np.zeros((x.shape[0],) + tuple(o for _, _, o in p) + (x.shape[4],))
    for n, i, j, l in itertools.product(range(x.shape[0]), *(range(o) for _, _, o in p)):
        cells = []
        for a, b, c in itertools.product(*(range(kk) for kk in k)):
            pos = (i * s[0] + a - p[0][0], j * s[1] + b - p[1][0], l * s[2] + c - p[2][0])
            if all(0 <= q < m for q, m in zip(pos, x.shape[1:4])):
                cells.append(x[(n,) + pos])
        out[n, i, j, l] = reduce(np.array(cells, np.float64), axis=0)
    return out


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("s, d", [((1, 1, 1), (1, 1, 1)), ((2, 1, 3), (1, 1, 1)), ((1, 1, 1), (2, 1, 2)),
                                  ((3, 2, 2), (1, 1, 1))])
def test_conv3d_matches_loops(padding, s, d):
    x, w = RNG.standard_normal((2, 6, 5, 7, 3)), RNG.standard_normal((2, 3, 2, 3, 2))
    y = tf.nn.conv3d(x, w, [1, *s, 1], padding, dilations=[1, *d, 1])
    np.testing.assert_allclose(y.numpy(), conv3d_loop(x, w, s, d, padding), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("k, s", [((2, 2, 2), (2, 2, 2)), ((3, 2, 3), (2, 1, 2)), ((1, 3, 2), (1, 2, 3))])
def test_pool3d_matches_loops(padding, k, s):
    x = RNG.standard_normal((2, 5, 6, 7, 2))
    np.testing.assert_allclose(tf.nn.max_pool3d(x, k, s, padding).numpy(), pool3d_loop(x, k, s, padding, np.max),
                               rtol=0, atol=0)
    np.testing.assert_allclose(tf.nn.avg_pool3d(x, k, s, padding).numpy(), pool3d_loop(x, k, s, padding, np.mean),
                               rtol=1e-12, atol=1e-12)


# ---- gradients, layouts, errors -----------------------------------------------------------------

def test_gradients_match_finite_differences():
    x, w = RNG.standard_normal((1, 4, 3, 4, 2)), RNG.standard_normal((2, 2, 3, 2, 2))
    wt = tf.constant(w)
    assert_grad(lambda t: tf.nn.conv3d(t, wt, [1, 2, 1, 2, 1], "SAME") ** 2, x)
    xt = tf.constant(x)
    assert_grad(lambda t: tf.nn.conv3d(xt, t, 1, "VALID", dilations=[1, 1, 2, 1, 1]) ** 2, w)
    assert_grad(lambda t: tf.nn.max_pool3d(t, 2, [1, 2, 1, 1, 1], "SAME") ** 2, x)
    assert_grad(lambda t: tf.nn.avg_pool3d(t, [1, 3, 2, 3, 1], 2, "SAME") ** 2, x)


def test_ncdhw_is_transposed_ndhwc():
    x = RNG.standard_normal((2, 4, 5, 3, 3)).astype(np.float32)
    w = RNG.standard_normal((2, 2, 2, 3, 2)).astype(np.float32)
    xc = np.transpose(x, (0, 4, 1, 2, 3))
    y = tf.nn.conv3d(x, w, [1, 2, 1, 1, 1], "SAME").numpy()
    yc = tf.nn.conv3d(xc, w, [1, 1, 2, 1, 1], "SAME", data_format="NCDHW").numpy()
    np.testing.assert_allclose(np.transpose(yc, (0, 2, 3, 4, 1)), y, rtol=1e-6, atol=1e-6)
    for op in (tf.nn.max_pool3d, tf.nn.avg_pool3d):
        np.testing.assert_allclose(np.transpose(op(xc, 2, 1, "SAME", "NCDHW").numpy(), (0, 2, 3, 4, 1)),
                                   op(x, 2, 1, "SAME").numpy(), rtol=1e-6)


def test_errors_name_the_argument():
    x, w = np.zeros((1, 4, 4, 4, 2), np.float32), np.zeros((2, 2, 2, 2, 3), np.float32)
    with pytest.raises(ValueError, match="rank-5"):
        tf.nn.conv3d(np.zeros((1, 4, 4, 2), np.float32), w, 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="channels"):
        tf.nn.conv3d(x, np.zeros((2, 2, 2, 3, 3), np.float32), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="strides"):
        tf.nn.conv3d(x, w, [2, 1, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="dilations"):
        tf.nn.conv3d(x, w, 2, "SAME", dilations=2)
    with pytest.raises(ValueError, match="padding"):
        tf.nn.max_pool3d(x, 2, 2, "FULL")
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_pool3d: the window"):
        tf.nn.max_pool3d(x, [1, 5, 1, 1, 1], 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="conv3d: the window"):
        tf.nn.conv3d(x, w, 1, "VALID", dilations=[1, 1, 4, 1, 1])
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.avg_pool3d(x, 2, 2, "SAME", data_format="NHWC")
