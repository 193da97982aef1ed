"""``tf.math.erf`` / ``erfc`` / ``log1p`` / ``expm1``, ``tf.nn.gelu`` and ``tf.einsum``: values
against Python's ``math`` / NumPy, gradients against float64 finite differences. (Against
TensorFlow: tests/keras/ops/test_keras_fixture.py's erf, gelu and einsum cases.)"""
import math

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad
from tinytf.kernels import special

RNG = np.random.default_rng(7)


def test_erf_erfc_against_math_in_float64():
    x = np.concatenate([np.linspace(-7, 7, 4001), [0.0, -0.0, 2.9999999, 3.0, 3.0000001, 1e-300, 27.0]])
    ref_erf = np.array([math.erf(v) for v in x])
    ref_erfc = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(special.erf(x), ref_erf, rtol=4e-15, atol=1e-300)
    np.testing.assert_allclose(special.erfc(x), ref_erfc, rtol=2e-13, atol=1e-300)  # relative also in the tail


def test_erf_float32_is_correctly_rounded():
    x = RNG.standard_normal(20000).astype(np.float32) * 3
    got = tf.math.erf(x).numpy()
    assert got.dtype == np.float32
    ref = np.array([math.erf(float(v)) for v in x]).astype(np.float32)
    np.testing.assert_array_equal(got, ref)


def test_special_values():
    x = tf.constant([np.nan, np.inf, -np.inf, 0.0, -0.0], dtype=tf.float32)
    np.testing.assert_array_equal(tf.math.erf(x).numpy(), [np.nan, 1, -1, 0, -0.0])
    np.testing.assert_array_equal(tf.math.erfc(x).numpy(), [np.nan, 0, 2, 1, 1])
    assert np.signbit(tf.math.erf(x).numpy()[4])


@pytest.mark.parametrize("fn", [tf.math.erf, tf.math.erfc, tf.math.log1p, tf.math.expm1,
                                lambda t: tf.nn.gelu(t), lambda t: tf.nn.gelu(t, approximate=True)],
                         ids=["erf", "erfc", "log1p", "expm1", "gelu", "gelu_tanh"])
def test_gradients(fn):
    assert_grad(fn, np.abs(RNG.standard_normal((3, 4))) * 1.5 - 0.4)


def test_second_order_erf():
    x = tf.constant([0.3, -1.2], dtype=tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.math.erf(x)
        g = inner.gradient(y, x)
    gg = outer.gradient(g, x).numpy()
    ref = -4 / np.sqrt(np.pi) * x.numpy() * np.exp(-x.numpy() ** 2)
    np.testing.assert_allclose(gg, ref, rtol=1e-12)


def test_gelu_values_and_checks():
    x = np.linspace(-5, 5, 41)
    exact = 0.5 * x * np.array([math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(tf.nn.gelu(tf.constant(x)).numpy(), exact, rtol=1e-14, atol=1e-300)
    approx = 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(tf.nn.gelu(tf.constant(x), approximate=True).numpy(), approx, rtol=1e-14)
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.gelu(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="float"):
        tf.math.erf(tf.constant([1, 2]))


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bqhd,bkhd->bhqk", [(2, 3, 2, 4), (2, 5, 2, 4)]),
    ("ij->j", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("i,j", [(3,), (4,)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 2)]),
    ("ij,jk,k->i", [(2, 3), (3, 4), (4,)]),
    ("ij,kl->ik", [(2, 3), (4, 5)]),  # j and l summed within one operand
    ("ij,ij->i", [(3, 4), (3, 4)]),
])
def test_einsum_values_and_gradients(eq, shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    np.testing.assert_allclose(tf.einsum(eq, *arrays).numpy(), np.einsum(eq, *arrays), rtol=1e-12, atol=1e-12)
    for k in range(len(arrays)):
        def f(t, k=k):
            ops = [tf.constant(a) for a in arrays]
            ops[k] = t
            return tf.einsum(eq, *ops) * tf.constant(np.arange(np.einsum(eq, *arrays).size, dtype=np.float64)
                                                      .reshape(np.shape(np.einsum(eq, *arrays))) + 1)
        assert_grad(f, arrays[k])


def test_einsum_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="einsum"):
        tf.einsum("ij,jk->ik", np.ones((2, 3), np.float32), np.ones((4, 2), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same dtype"):
        tf.einsum("i,i->", np.ones(2, np.float32), np.ones(2, np.float64))
    with pytest.raises(TypeError, match="equation"):
        tf.einsum(3, np.ones(2))
    x = tf.constant(np.ones((3, 3)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.einsum("ii->", x)
    np.testing.assert_allclose(y.numpy(), 3.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="repeats"):
        tape.gradient(y, x)
