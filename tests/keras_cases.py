"""Shared runner for the expression fixtures recorded from Keras 3 by
tests/fixtures/record_keras_ops.py (``keras_ops.npz``, ``keras_extras.npz``): each case's ``expr``
is evaluated with tinytf's ``ops`` (``keras.ops``) and ``keras``; outputs must have Keras's dtype
and shape, and values and gradients (of sum_k(out_k * g_k) for the recorded cotangents g_k) must
match within the budget below.

Budget: 4 ulp of each value plus 8 epsilons of the case's largest magnitude (TensorFlow's
exp/log/tanh/erf differ by an ulp or two, and sums such as a conv's gradient run in another order,
so their small entries differ by rounding of the large ones). Integers and bools exactly.
"""
import json
import os

import numpy as np

import tinytf as tf
from tinytf import keras

ULPS, REL = 4, 8
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load(filename):
    """(cases, arrays) of one fixture file."""
    with np.load(os.path.join(FIXTURES, filename), allow_pickle=False) as d:
        arrays = dict(d)
    return json.loads(str(arrays.pop("cases"))), arrays


def assert_close(actual, expected, what):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(actual), nan, err_msg=what)
    fin = np.isfinite(expected)
    np.testing.assert_array_equal(actual[~fin & ~nan], expected[~fin & ~nan], err_msg=what)
    a, e = actual[fin].astype(np.float64), expected[fin]
    if e.size == 0:
        return
    with np.errstate(over="ignore"):  # the spacing of the largest finite value is inf
        tol = ULPS * np.spacing(np.abs(e)).astype(np.float64) + REL * np.finfo(e.dtype).eps * np.abs(e).max()
    bad = np.abs(a - e) > tol
    assert not bad.any(), (f"{what}: {bad.sum()} of {e.size} values differ, worst {np.abs(a - e).max():.3g} "
                           f"(tolerance at that entry {tol[np.argmax(np.abs(a - e) - tol)]:.3g})")


def _outputs(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def check_case(case, arrays):
    name = case["name"]
    inputs = {k: tf.constant(arrays[f"{name}/{k}"]) for k in case["inputs"]}
    with tf.GradientTape(persistent=True) as tape:
        for k in case["grad"]:
            tape.watch(inputs[k])
        env = {"ops": keras.ops, "keras": keras}
        outs = [tf.convert_to_tensor(o) for o in _outputs(eval(case["expr"], env, dict(inputs)))]  # noqa: S307
        parts = [tf.reduce_sum(tf.cast(o * arrays[f"{name}/g{i}"], tf.float64))
                 for i, o in enumerate(outs) if f"{name}/g{i}" in arrays]
        loss = tf.add_n(parts) if case["grad"] else None
    assert len(outs) == case["n_out"]
    for i, (o, dt) in enumerate(zip(outs, case["dtypes"])):
        assert o.dtype.name == dt, f"{name} out{i}: dtype {o.dtype.name}, Keras gives {dt}"
        assert_close(o.numpy(), arrays[f"{name}/out{i}"], f"{name} out{i}")
    for k in case["grad"]:
        g = tape.gradient(loss, inputs[k])
        assert g is not None, f"{name}: no gradient for {k}"
        assert_close(g.numpy(), arrays[f"{name}/grad_{k}"], f"{name} grad {k}")
