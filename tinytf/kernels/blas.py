"""Matrix products through BLAS, each shape run with the thread count that measures faster.

Why: on some virtual machines multi-threaded BLAS makes the work around it slow, at times and
not at others (on this project's 2-vCPU benchmark machine, for minutes at a stretch: LeNet's
conv2 forward 0.63 ms with one BLAS thread, 3.1 ms with two; a LeNet training step 11.3 vs
13.8 ms). The second thread reads half of each freshly built matrix, and the next copy into
that memory must take the lines back from its core; when the host places the two vCPUs far
apart, that traffic costs more than the second thread gains. The GEMM call alone does not show
it, so each shape is judged by the time from one call to the next (the GEMM plus the work that
follows it): TRIALS calls with all BLAS threads, TRIALS with one, the smaller median wins until
RETUNE seconds later. OpenBLAS splits a GEMM over the rows and columns of its output, never
over the inner dimension, so the numbers are the same either way (checked bitwise by
tests/kernels/test_kernel_blas.py); runs stay reproducible.

Needs ``threadpoolctl`` (the ``fast`` extra) to set the BLAS thread count; without it, with
one BLAS thread, on CuPy, or with ``TINYTF_BLAS_TUNE=0``, ``matmul`` is ``xp.matmul``.
"""
import os
import time

from ..backend import xp

RETUNE = 3.0       # seconds a decision holds
TRIALS = 5         # calls timed with each thread count
MIN_FLOPS = 2e6    # smaller products are not worth a decision

_libs = None       # BLAS thread-pool controllers of NumPy's BLAS, or () when not tunable
_plans = {}        # (shapes, strides) -> _Plan


class _Plan:
    """The thread count for one shape: measuring (``use`` None) or decided at ``decided``."""
    __slots__ = ("use", "decided", "last", "trial")

    def __init__(self):
        self.use, self.decided, self.last, self.trial = None, 0.0, None, []

    def threads(self, now, n_all):
        if self.use is not None and now - self.decided > RETUNE:
            self.use, self.trial = None, []
        elif self.use is None and self.last is not None:
            self.trial.append(now - self.last)  # the previous call and what followed it
        self.last = now
        if self.use is None:
            k = len(self.trial)
            if k < 2 * TRIALS:
                return n_all if k < TRIALS else 1
            t_all = sorted(self.trial[:TRIALS])[TRIALS // 2]
            t_one = sorted(self.trial[TRIALS:])[TRIALS // 2]
            self.use, self.decided = (1 if t_one < t_all else n_all), now
        return self.use


def _blas_libs():
    global _libs
    if _libs is None:
        _libs = ()
        if os.environ.get("TINYTF_BLAS_TUNE", "1") != "0" and xp.__name__ == "numpy":
            try:
                from threadpoolctl import ThreadpoolController
                _libs = tuple(ThreadpoolController().select(user_api="blas").lib_controllers)
            except Exception:  # noqa: BLE001 - not installed, or an unknown BLAS: do not tune
                pass
    return _libs


def _set_threads(libs, n):
    for lib in libs:
        lib.set_num_threads(n)


def matmul(a, b, out=None):
    """``a @ b`` for 2-D arrays (``out`` as in ``numpy.matmul``), thread count chosen per shape."""
    libs = _blas_libs()
    if (not libs or a.ndim != 2 or b.ndim != 2 or a.dtype.kind != "f"
            or 2 * a.shape[0] * a.shape[1] * b.shape[1] < MIN_FLOPS):
        return xp.matmul(a, b, out=out)
    threads = libs[0].get_num_threads()
    if threads <= 1:
        return xp.matmul(a, b, out=out)
    key = (a.shape, b.shape, a.strides, b.strides)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _Plan()
    n = plan.threads(time.perf_counter(), threads)
    if n >= threads:
        return xp.matmul(a, b, out=out)
    _set_threads(libs, n)
    try:
        return xp.matmul(a, b, out=out)
    finally:
        _set_threads(libs, threads)
