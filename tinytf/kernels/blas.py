"""Matrix products through BLAS: the one GEMM entry point of the conv kernels and ``tf.matmul``.

``matmul`` is ``np.matmul`` with NumPy's BLAS at its own, fixed thread count. tinytf never
changes that count per call: OpenBLAS does not give the same bits for one and for several
threads on every core type (its Haswell kernels differ in the last bits), so a choice made per
call -- let alone one made by timing -- would make the same product on the same inputs change
from call to call, and seeded runs would stop repeating. The cost of keeping the count fixed is
measured in docs/PERFORMANCE.md.
"""
import numpy as np


def matmul(a, b, out=None):
    """``a @ b`` (``out`` as in ``numpy.matmul``)."""
    return np.matmul(a, b, out=out)
