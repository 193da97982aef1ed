"""tinytf.kernels.blas: NumPy's products on one BLAS thread, the same bits on every call and
whatever BLAS's own thread count is."""
import numpy as np
import pytest

from tinytf.kernels import blas, parallel

pytestmark = pytest.mark.usefixtures("machine_blas_threads")

# (a shape, b shape, a transposed): the GEMMs of a LeNet step, conv_big's chunks and a Dense layer
SHAPES = [((86528, 9), (9, 6), False), ((15488, 54), (54, 16), False), ((54, 15488), (15488, 16), True),
          ((128, 400), (400, 120), False), ((2048, 576), (576, 64), False),
          ((576, 16384), (16384, 64), True), ((16384, 64), (64, 576), False)]


def _one_thread(f):
    with parallel.hold_blas():
        return f()


def test_matmul_matches_numpy_on_one_blas_thread_for_every_kind_of_input():
    """The machine's BLAS count is in effect (the fixture); tinytf's product is NumPy's on one
    thread (OpenBLAS's Haswell kernels give other last bits on two)."""
    r = np.random.default_rng(1)
    a, b = r.standard_normal((300, 200)), r.standard_normal((200, 50))
    want = _one_thread(lambda: a @ b)
    np.testing.assert_array_equal(blas.matmul(a, b), want)
    out = np.empty((300, 50))
    assert blas.matmul(a, b, out=out) is out
    np.testing.assert_array_equal(out, want)
    ia, ib = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(blas.matmul(ia, ib), ia @ ib)
    batched = r.standard_normal((4, 30, 20)).astype(np.float32)
    np.testing.assert_array_equal(blas.matmul(batched, batched.transpose(0, 2, 1)),
                                  _one_thread(lambda: batched @ batched.transpose(0, 2, 1)))
    big_a, big_b = r.standard_normal((1100, 300)), r.standard_normal((300, 70))  # split into row blocks
    np.testing.assert_allclose(blas.matmul(big_a, big_b), big_a @ big_b, rtol=1e-12, atol=1e-12)


def test_every_call_gives_the_same_bits():
    """Repeated calls (20 per shape: long enough for any per-shape policy to change its mind)."""
    r = np.random.default_rng(0)
    for sa, sb, trans in SHAPES:
        a = r.standard_normal(sa[::-1] if trans else sa, dtype=np.float32)
        a = a.T if trans else a
        b = r.standard_normal(sb, dtype=np.float32)
        first = blas.matmul(a, b)
        for _ in range(20):
            np.testing.assert_array_equal(blas.matmul(a, b), first)
