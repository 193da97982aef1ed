"""Fill Numba's on-disk cache for tinytf's compiled kernels (float32 and float64), once, before the
test workers start: otherwise each pytest-xdist worker compiles the same loops at the same time
(~10 s of CPU each in a fresh checkout). Does nothing where Numba or pytest is not installed yet."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

try:
    import numpy as np
    import numba  # noqa: F401
    import pytest  # noqa: F401 - the test module below imports it
except ImportError:
    sys.exit(0)

from kernels.test_kernel_table import _cases  # noqa: E402 - every compiled kernel, both dtypes

from tinytf.kernels import fast  # noqa: E402

for dtype in (np.float32, np.float64):
    for name, args in _cases(dtype):
        getattr(fast, name)(*args)
