"""tinytf.kernels.blas: same products as NumPy, bitwise equal across thread counts, and the
per-shape choice of the thread count."""
import numpy as np
import pytest

from tinytf.kernels import blas

# (a shape, b shape, a transposed): the GEMMs of a LeNet step, conv_big's chunks and a Dense layer
SHAPES = [((86528, 9), (9, 6), False), ((15488, 54), (54, 16), False), ((54, 15488), (15488, 16), True),
          ((128, 400), (400, 120), False), ((2048, 576), (576, 64), False),
          ((576, 16384), (16384, 64), True), ((16384, 64), (64, 576), False)]


class FakeLib:
    """Stands in for a threadpoolctl controller: records the thread counts it is given."""

    def __init__(self, n=4):
        self.n, self.calls = n, []

    def get_num_threads(self):
        return self.n

    def set_num_threads(self, n):
        self.calls.append(n)
        self.n = n


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(blas, "_plans", {})
    return monkeypatch


@pytest.mark.parametrize("sa,sb,trans", SHAPES)
def test_bitwise_equal_with_one_and_all_threads(sa, sb, trans):
    libs = blas._blas_libs()
    if not libs or libs[0].get_num_threads() < 2:
        pytest.skip("BLAS thread count cannot be set here, or is 1")
    r = np.random.default_rng(0)
    a = r.standard_normal(sa[::-1] if trans else sa, dtype=np.float32)
    a = a.T if trans else a
    b = r.standard_normal(sb, dtype=np.float32)
    n = libs[0].get_num_threads()
    try:
        blas._set_threads(libs, 1)
        one = a @ b
    finally:
        blas._set_threads(libs, n)
    np.testing.assert_array_equal(one, a @ b)


def test_matmul_matches_numpy_for_every_kind_of_input(fresh):
    r = np.random.default_rng(1)
    a, b = r.standard_normal((300, 200)), r.standard_normal((200, 50))
    for _ in range(3 * blas.TRIALS):  # through measuring and deciding
        np.testing.assert_array_equal(blas.matmul(a, b), a @ b)
    out = np.empty((300, 50))
    assert blas.matmul(a, b, out=out) is out
    np.testing.assert_array_equal(out, a @ b)
    ia, ib = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(blas.matmul(ia, ib), ia @ ib)
    batched = r.standard_normal((4, 30, 20)).astype(np.float32)
    np.testing.assert_array_equal(blas.matmul(batched, batched.transpose(0, 2, 1)),
                                  batched @ batched.transpose(0, 2, 1))


def test_plan_measures_all_then_one_thread_and_keeps_the_faster():
    plan, t, used = blas._Plan(), 0.0, []
    for i in range(2 * blas.TRIALS + 1):
        n = plan.threads(t, 4)
        used.append(n)
        t += 0.010 if n == 4 else 0.004  # interval until the next call: one thread is faster
    assert used[:blas.TRIALS] == [4] * blas.TRIALS
    assert used[blas.TRIALS:2 * blas.TRIALS] == [1] * blas.TRIALS
    assert used[-1] == 1 and plan.use == 1
    assert plan.threads(t + 0.1, 4) == 1  # kept until RETUNE seconds have passed
    assert plan.threads(t + blas.RETUNE + 1, 4) == 4 and plan.use is None  # measuring again


def test_plan_keeps_all_threads_when_they_are_faster():
    plan, t = blas._Plan(), 0.0
    for _ in range(2 * blas.TRIALS + 1):
        n = plan.threads(t, 2)
        t += 0.004 if n == 2 else 0.010
    assert plan.use == 2


def test_plan_ignores_a_single_long_pause():
    plan, t = blas._Plan(), 0.0
    for i in range(2 * blas.TRIALS + 1):
        n = plan.threads(t, 2)
        t += (0.004 if n == 2 else 0.010) + (5.0 if i == 1 else 0.0)  # one pause while on 2 threads
    assert plan.use == 2


def test_thread_count_is_restored_after_each_call(fresh):
    lib = FakeLib(4)
    fresh.setattr(blas, "_libs", (lib,))
    a, b = np.ones((400, 300), np.float32), np.ones((300, 200), np.float32)
    bad = np.ones((200, 50), np.float32)[::2]  # 100 rows: does not fit a's 300 columns
    for b_ in (b, bad):
        plan = blas._plans.setdefault((a.shape, b_.shape, a.strides, b_.strides), blas._Plan())
        plan.use, plan.decided = 1, float("inf")  # decided: one thread, for ever
    blas.matmul(a, b)
    assert lib.calls == [1, 4] and lib.n == 4
    with pytest.raises(ValueError):
        blas.matmul(a, bad)  # numpy's error passes through ...
    assert lib.calls == [1, 4, 1, 4]
    assert lib.n == 4  # ... and the count is restored all the same


def test_small_or_untunable_products_bypass_the_plans(fresh):
    lib = FakeLib(4)
    fresh.setattr(blas, "_libs", (lib,))
    blas.matmul(np.ones((10, 10), np.float32), np.ones((10, 10), np.float32))  # 2,000 flops
    blas.matmul(np.ones((400, 300), np.int64), np.ones((300, 200), np.int64))  # no BLAS for ints
    assert blas._plans == {} and lib.calls == []
    lib.n = 1  # BLAS already single-threaded: nothing to decide
    blas.matmul(np.ones((400, 300), np.float32), np.ones((300, 200), np.float32))
    assert blas._plans == {}


def test_switched_off_by_environment(fresh):
    fresh.setenv("TINYTF_BLAS_TUNE", "0")
    fresh.setattr(blas, "_libs", None)
    assert blas._blas_libs() == ()
