"""Matrix products through BLAS: the one GEMM entry point of the conv kernels and ``tf.matmul``.

``matmul`` is ``np.matmul`` with NumPy's BLAS held at one thread (``parallel.hold_blas``); a large
2-D product is cut into row (or column) blocks that tinytf's threads multiply (``parallel.run``).
The blocks depend only on the shapes, and each output element is one thread's single-threaded
product, so the bits do not depend on how many threads there are, nor on timing. (OpenBLAS's own
threading does not give that: its Haswell kernels give other last bits for 1 and for 2 threads.)
"""
import numpy as np

from . import parallel

# A product is split when it has at least SPLIT_FLOPS multiply-adds: into at most MAX_PARTS row
# blocks of at least MIN_ROWS rows, or, with fewer rows (a Dense layer's batch), into column
# blocks of at least MIN_COLS columns. Every row block packs all of b again, which costs
# ~1/MIN_ROWS of its multiply-adds (2048^3 float32 on 2 cores, ms: 2 blocks 83, 4 84, 8 88, 16 96;
# OpenBLAS's own 2 threads 82; [512,4608]x[4608,512]: 2 blocks 190 GFLOP/s, OpenBLAS 203); column
# blocks pack all of a ([64,256]x[256,8192]: one thread 3.98 ms, 2 column blocks 1.97, 4 1.94;
# [32,512]x[512,512]: 0.22, 0.18, 0.24).
SPLIT_FLOPS = 8 << 20
MIN_ROWS = 256
MIN_COLS = 256
MAX_PARTS = 8


def matmul(a, b, out=None):
    """``a @ b`` (``out`` as in ``numpy.matmul``)."""
    if parallel.inside():  # a part of parallel.run, which holds BLAS at one thread already
        return np.matmul(a, b, out=out)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] * a.shape[1] * b.shape[1] < SPLIT_FLOPS:
        with parallel.hold_blas():
            return np.matmul(a, b, out=out)
    m, n = a.shape[0], b.shape[1]
    if out is None:
        out = np.empty((m, n), dtype=np.result_type(a, b))
    if m // MIN_ROWS >= 2:
        step = -(-m // min(MAX_PARTS, m // MIN_ROWS))
        part = lambda i: np.matmul(a[i * step:(i + 1) * step], b, out=out[i * step:(i + 1) * step])  # noqa: E731
        parallel.run(part, -(-m // step))
    elif n // MIN_COLS >= 2:
        step = -(-n // min(MAX_PARTS, n // MIN_COLS))
        part = lambda i: np.matmul(a, b[:, i * step:(i + 1) * step], out=out[:, i * step:(i + 1) * step])  # noqa: E731
        parallel.run(part, -(-n // step))
    else:
        with parallel.hold_blas():
            np.matmul(a, b, out=out)
    return out
