"""``keras.ops`` against Keras 3.15 / TensorFlow 2.21 (tests/fixtures/keras_ops.npz, written by
tests/fixtures/record_keras_ops.py): every case's expression is evaluated with tinytf's
``keras.ops``; outputs must have Keras's dtype and shape, and values and gradients (of
sum(out * g) for recorded cotangents g) must match.

Budget: 4 ulp of each value plus 8 float32 epsilons of the case's largest magnitude (TensorFlow's
exp/log/tanh/erf differ by an ulp or two, and sums such as a conv's gradient run in another
order, so their small entries differ by rounding of the large ones). Integers and bools exactly.
"""
import json
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import ops

HERE = os.path.dirname(os.path.abspath(__file__))
with np.load(os.path.join(HERE, "..", "..", "fixtures", "keras_ops.npz"), allow_pickle=False) as _d:
    FIX = dict(_d)
CASES = json.loads(str(FIX.pop("cases")))
ULPS, REL = 4, 8


def assert_close(actual, expected, what):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=what)
    fin = np.isfinite(expected)
    np.testing.assert_array_equal(actual[~fin & ~np.isnan(expected)], expected[~fin & ~np.isnan(expected)],
                                  err_msg=what)
    a, e = actual[fin].astype(np.float64), expected[fin]
    if e.size == 0:
        return
    eps = np.finfo(e.dtype).eps
    tol = ULPS * np.spacing(np.abs(e)).astype(np.float64) + REL * eps * np.abs(e).max()
    bad = np.abs(a - e) > tol
    assert not bad.any(), (f"{what}: {bad.sum()} of {e.size} values differ, worst {np.abs(a - e).max():.3g} "
                           f"(tolerance at that entry {tol[np.argmax(np.abs(a - e) - tol)]:.3g})")


def _outputs(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case):
    name = case["name"]
    inputs = {k: tf.constant(FIX[f"{name}/{k}"]) for k in case["inputs"]}
    with tf.GradientTape(persistent=True) as tape:
        for k in case["grad"]:
            tape.watch(inputs[k])
        outs = [tf.convert_to_tensor(o) for o in _outputs(eval(case["expr"], {"ops": ops}, dict(inputs)))]  # noqa: S307
        parts = [tf.reduce_sum(tf.cast(o * FIX[f"{name}/g{i}"], tf.float64))
                 for i, o in enumerate(outs) if f"{name}/g{i}" in FIX]
        loss = tf.add_n(parts) if case["grad"] else None
    assert len(outs) == case["n_out"]
    for i, (o, dt) in enumerate(zip(outs, case["dtypes"])):
        assert o.dtype.name == dt, f"{name} out{i}: dtype {o.dtype.name}, Keras gives {dt}"
        assert_close(o.numpy(), FIX[f"{name}/out{i}"], f"{name} out{i}")
    for k in case["grad"]:
        g = tape.gradient(loss, inputs[k])
        assert g is not None, f"{name}: no gradient for {k}"
        assert_close(g.numpy(), FIX[f"{name}/grad_{k}"], f"{name} grad {k}")


def test_fixture_covers_the_cnn_ops():
    """The ops CNN programs use most are all in the fixture."""
    used = " ".join(c["expr"] for c in CASES)
    for op in ("mean", "einsum", "softmax", "convert_to_tensor", "reshape", "matmul", "conv", "max_pool",
               "image.resize", "top_k", "one_hot", "categorical_crossentropy", "moments", "gelu"):
        assert f"ops.{op}(" in used, op
