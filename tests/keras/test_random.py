"""``keras.random``: Keras 3's seed semantics (int seed: the same numbers every call; a
SeedGenerator advances; None: the global stream, repeatable after set_random_seed), dtypes,
distributions (moments of large samples) and argument checks."""
import numpy as np
import pytest

import tinytf as tf
from tinytf import keras
from tinytf.keras import random as R


def test_int_seed_repeats_and_seed_generator_advances():
    np.testing.assert_array_equal(R.normal((3,), seed=5).numpy(), R.normal((3,), seed=5).numpy())
    assert not np.array_equal(R.normal((3,), seed=5).numpy(), R.normal((3,), seed=6).numpy())
    g1, g2 = R.SeedGenerator(7), R.SeedGenerator(7)
    a1, b1 = R.uniform((4,), seed=g1).numpy(), R.uniform((4,), seed=g1).numpy()
    a2, b2 = R.uniform((4,), seed=g2).numpy(), R.uniform((4,), seed=g2).numpy()
    assert not np.array_equal(a1, b1)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert g1.state.numpy().tolist() == [7, 2] and g1.state.dtype == tf.int64 and not g1.state.trainable
    assert R.SeedGenerator.from_config(g1.get_config()).state.numpy().tolist() == [7, 0]


def test_global_stream_repeats_after_set_random_seed():
    keras.utils.set_random_seed(3)
    a = [R.normal((2,)).numpy(), R.SeedGenerator().state.numpy()]
    keras.utils.set_random_seed(3)
    b = [R.normal((2,)).numpy(), R.SeedGenerator().state.numpy()]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_distributions_and_dtypes():
    n = (200000,)
    z = R.normal(n, mean=2.0, stddev=3.0, seed=1).numpy()
    assert z.dtype == np.float32 and abs(z.mean() - 2) < 0.03 and abs(z.std() - 3) < 0.03
    u = R.uniform(n, minval=-1.0, maxval=3.0, dtype="float64", seed=1).numpy()
    assert u.dtype == np.float64 and u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.02
    t = R.truncated_normal(n, stddev=2.0, seed=1).numpy()
    assert np.abs(t).max() <= 4.0 and abs(t.std() - 2 * 0.8796) < 0.02  # std of N(0,1) cut at +-2
    r = R.randint(n, 3, 7, seed=1).numpy()
    assert r.dtype == np.int32 and set(np.unique(r)) == {3, 4, 5, 6}
    gam = R.gamma(n, 2.5, seed=1).numpy()
    assert abs(gam.mean() - 2.5) < 0.03 and abs(gam.var() - 2.5) < 0.06
    be = R.beta(n, 2.0, 3.0, seed=1).numpy()
    assert abs(be.mean() - 0.4) < 0.01
    bi = R.binomial(n, 10, 0.3, seed=1).numpy()
    assert bi.dtype == np.float32 and abs(bi.mean() - 3) < 0.03
    c = R.categorical(np.log([[0.2, 0.8]]), 20000, seed=1).numpy()
    assert c.shape == (1, 20000) and c.dtype == np.int32 and abs(c.mean() - 0.8) < 0.02


def test_shuffle_and_dropout():
    x = np.arange(12).reshape(4, 3)
    s = R.shuffle(x, seed=2).numpy()
    assert sorted(s[:, 0].tolist()) == [0, 3, 6, 9] and (s[:, 1] == s[:, 0] + 1).all()
    s1 = R.shuffle(x, axis=1, seed=2).numpy()
    assert sorted(s1[0].tolist()) == [0, 1, 2] and (s1[1] == s1[0] + 3).all()
    v = tf.Variable(np.ones((200, 50), np.float32))
    with tf.GradientTape() as tape:
        y = R.dropout(v, 0.25, seed=4)
        loss = tf.reduce_sum(y)
    out = y.numpy()
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)} and abs((out == 0).mean() - 0.25) < 0.01
    np.testing.assert_array_equal(tape.gradient(loss, v).numpy(), out)  # d(x * mask)/dx = mask
    rows = R.dropout(np.ones((4, 6), np.float32), 0.5, noise_shape=(None, 1), seed=1).numpy()
    assert all(len(set(r)) == 1 for r in rows)


@pytest.mark.parametrize("call,match", [
    (lambda: R.normal((2,), seed="a"), "must be either an integer or an instance of `SeedGenerator`"),
    (lambda: R.normal((2,), dtype="int32"), "floating point"),
    (lambda: R.randint((2,), 0, 5, dtype="float32"), "integer `dtype`"),
    (lambda: R.randint((2,), 5, 5), "maxval must be greater"),
    (lambda: R.dropout(np.ones(3), 1.0), "`rate`"),
    (lambda: R.SeedGenerator(1.5), "must be an integer"),
    (lambda: R.categorical(np.ones(3), 2), "2-D"),
    (lambda: R.uniform((2, "a")), "`shape` must be a tuple"),
    (lambda: R.normal((-1, 2)), "non-negative"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
