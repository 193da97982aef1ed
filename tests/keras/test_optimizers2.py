"""Nadam, Adagrad, Adadelta, Adamax, Ftrl and Lion against TensorFlow 2.21 / Keras 3.15.

Reference steps: tests/fixtures/optimizers2.npz, recorded by tests/fixtures/record_tf_optimizers2.py
(run with the TensorFlow venv); these tests never need TensorFlow.
"""
import json
import os

import numpy as np
import pytest

import tinytf as tf
import tinytf.keras.optimizers as optimizers

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fixtures",
                       "optimizers2.npz")
NEW = ("Nadam", "Adagrad", "Adadelta", "Adamax", "Ftrl", "Lion")


def _cases():
    with np.load(FIXTURE, allow_pickle=False) as d:
        cases = json.loads(str(d["cases"]))
        arrays = {k: d[k] for k in d.files if k != "cases"}
    return [pytest.param(c, {f: arrays[f"{c['name']}/{f}"] for f in ("init", "grads", "after")},
                         id=c["name"]) for c in cases]


CASES = _cases()


def test_fixture_covers_every_new_optimizer():
    names = {c.values[0]["optimizer"] for c in CASES}
    assert names == set(NEW)


# The fixture was recorded by TensorFlow, so the budget is in ulps (docs/ARCHITECTURE.md, "Numbers
# recorded elsewhere"): float32 powers differ between TF (Eigen's vectorised pow: 27% of 2M inputs
# differ from the correctly rounded result) and NumPy, whose float32 `power` itself differs between
# its AVX2 and AVX-512 loops. Each element is within ULPS of TF's. Ftrl's `z` adds the difference of
# two powers, `n'**p - n**p`: there one ulp of a power moves the small elements by ulps of the
# large ones (294 ulp for an element of 1.6e-3 after 5 steps of `ftrl_power_shrink_beta` on
# AVX-512), so for Ftrl with p != 0.5 (0.5 is a square root, correctly rounded everywhere) the
# budget is in ulps of the largest element of the array.
ULPS = 2
SCALE_ULPS = 2


def _cancels(case):
    return case["optimizer"] == "Ftrl" and case["kwargs"].get("learning_rate_power", -0.5) not in (-0.5, 0.0)


@pytest.mark.parametrize("case,d", CASES)
def test_steps_match_keras_within_ulps(case, d):
    var = tf.Variable(d["init"])
    opt = getattr(tf.keras.optimizers, case["optimizer"])(**case["kwargs"])
    for step, g in enumerate(d["grads"]):
        opt.apply_gradients([(tf.constant(g), var)])
        got, want = var.numpy(), d["after"][step]
        what = f"{case['name']} after step {step + 1}"
        assert got.dtype == want.dtype == np.float32, what
        if _cancels(case):
            budget = SCALE_ULPS * np.spacing(np.abs(want).max())
            assert np.abs(got - want).max() <= budget, f"{what}: {np.abs(got - want).max()} > {budget}"
        else:
            np.testing.assert_array_max_ulp(got, want, maxulp=ULPS)


def test_ftrl_budget_applies_only_where_powers_cancel():
    assert [c.values[0]["name"] for c in CASES if _cancels(c.values[0])] == ["ftrl_power_shrink_beta"]


@pytest.mark.parametrize("name", NEW)
def test_by_string_class_and_config(name):
    opt = optimizers.get(name.lower())
    assert type(opt).__name__ == name
    assert optimizers.get(name.upper()).__class__ is type(opt)
    config = optimizers.serialize(opt)
    again = optimizers.deserialize(config)
    assert type(again) is type(opt)
    assert again.get_config() == dict(opt.get_config(), name=again.name)


def test_compile_by_string():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model.compile(optimizer="nadam", loss="mse")
    assert isinstance(model.optimizer, optimizers.Nadam)
    x = np.ones((4, 3), np.float32)
    model.fit(x, np.zeros((4, 2), np.float32), epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 1


def test_defaults_are_keras():
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adadelta().rho == 0.95
    assert optimizers.Lion().beta_2 == 0.99
    f = optimizers.Ftrl()
    assert (f.learning_rate_power, f.initial_accumulator_value, f.beta) == (-0.5, 0.1, 0.0)
    assert float(optimizers.Nadam().learning_rate) == np.float32(0.001)


@pytest.mark.parametrize("make,arg", [
    (lambda: optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
    (lambda: optimizers.Ftrl(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (lambda: optimizers.Ftrl(l1_regularization_strength=-0.1), "l1_regularization_strength"),
    (lambda: optimizers.Ftrl(l2_shrinkage_regularization_strength=-1), "l2_shrinkage"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-0.1), "initial_accumulator_value"),
    (lambda: optimizers.Adadelta(rho=1.5), "rho"),
    (lambda: optimizers.Lion(beta_1=0.0), "beta_1"),
    (lambda: optimizers.Nadam(betta_1=0.9), "betta_1"),
])
def test_bad_arguments_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


def test_non_number_is_type_error():
    with pytest.raises(TypeError, match="rho='0.9'"):
        optimizers.Adadelta(rho="0.9")


@pytest.mark.parametrize("name", NEW)
def test_state_round_trip_resumes_bit_exactly(name):
    """get_state / set_state into a fresh optimizer (Nadam's u_product included, Adagrad's and
    Ftrl's non-zero initial accumulators overwritten), then both continue identically."""
    rng = np.random.default_rng(3)
    grads = rng.standard_normal((6, 4)).astype(np.float32)
    init = rng.standard_normal(4).astype(np.float32)
    a = tf.Variable(init)
    opt = optimizers.get(name.lower())
    for g in grads[:3]:
        opt.apply_gradients([(tf.constant(g), a)])
    b = tf.Variable(a.numpy())
    opt2 = optimizers.get(name.lower())
    opt2.set_state(opt.get_state())
    for g in grads[3:]:
        opt.apply_gradients([(tf.constant(g), a)])
        opt2.apply_gradients([(tf.constant(g), b)])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    if name == "Nadam":
        assert "u_product" in opt.get_state()
        assert any(v.path.endswith("u_product") for v in opt.variables)


def test_initial_accumulator_value_fills_the_slot():
    opt = optimizers.Adagrad(initial_accumulator_value=0.25)
    opt.build([tf.Variable(np.zeros(3, np.float32))])
    assert np.all(opt.get_state()["slot/0/accumulator"] == np.float32(0.25))
