"""Matrix products through BLAS: the one GEMM entry point of the conv kernels and ``tf.matmul``.

``matmul`` is ``np.matmul`` with NumPy's BLAS held at one thread (``parallel.hold_blas``); a large
2-D product is cut into row blocks that tinytf's threads multiply (``parallel.run``). The blocks
depend only on the shapes, and each output row is one thread's single-threaded product, so the
bits do not depend on how many threads there are, nor on timing. (OpenBLAS's own threading does
not give that: its Haswell kernels give other last bits for 1 and for 2 threads.)
"""
import numpy as np

from . import parallel

# A product is split when it has at least SPLIT_FLOPS multiply-adds, into at most MAX_PARTS row
# blocks of at least MIN_ROWS rows: every block packs all of b again, which costs ~1/MIN_ROWS of
# the block's multiply-adds (2048^3 float32 on 2 cores, ms: 2 blocks 83, 4 84, 8 88, 16 96;
# OpenBLAS's own 2 threads 82; [512,4608]x[4608,512]: 2 blocks 190 GFLOP/s, OpenBLAS 203).
SPLIT_FLOPS = 8 << 20
MIN_ROWS = 256
MAX_PARTS = 8


def row_parts(m, work_per_row):
    """Rows per block for ``m`` rows of ``work_per_row`` multiply-adds each (``m``: no split)."""
    parts = min(MAX_PARTS, m // MIN_ROWS)
    if m * work_per_row < SPLIT_FLOPS or parts < 2:
        return m
    return -(-m // parts)


def matmul(a, b, out=None):
    """``a @ b`` (``out`` as in ``numpy.matmul``)."""
    if a.ndim != 2 or b.ndim != 2 or parallel.inside():
        with parallel.hold_blas():
            return np.matmul(a, b, out=out)
    m = a.shape[0]
    rows = row_parts(m, a.shape[1] * b.shape[1])
    if rows >= m:
        with parallel.hold_blas():
            return np.matmul(a, b, out=out)
    if out is None:
        out = np.empty((m, b.shape[1]), dtype=np.result_type(a, b))

    def part(i):
        np.matmul(a[i * rows:(i + 1) * rows], b, out=out[i * rows:(i + 1) * rows])
    parallel.run(part, -(-m // rows))
    return out
