"""The sums over ranks: both transports (all-gather; reduce-scatter + all-gather) give the rank-order
sum bit for bit on every rank, for 3 and 4 processes and buffers shorter than the number of ranks."""
import os

import numpy as np
import pytest

from mpirun import launch
from tinytf.distribute.comm import rank_order_sum, slice_bounds

SUM_WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sum_worker.py")


def test_slice_bounds_cover_the_buffer_in_order():
    for n in (0, 1, 2, 7, 100):
        for k in (1, 2, 3, 8):
            b = slice_bounds(n, k)
            assert len(b) == k and b[0][0] == 0 and b[-1][1] == n
            assert all(b[i][1] == b[i + 1][0] for i in range(k - 1))
            assert max(e - s for s, e in b) - min(e - s for s, e in b) <= 1


@pytest.mark.parametrize("n", [3, 4])
def test_both_transports_give_the_rank_order_sum(n, tmp_path):
    p = launch(n, [SUM_WORKER, str(tmp_path)], timeout=90)
    assert p.returncode == 0, p.stdout + p.stderr
    got = [dict(np.load(tmp_path / f"sums-{r}.npz")) for r in range(n)]
    for key, first in got[0].items():
        size, dtype = int(key.split("_")[1]), np.dtype(key.split("_")[2])
        parts = [np.random.default_rng([r, size]).standard_normal(size).astype(dtype) for r in range(n)]
        want = rank_order_sum(parts)
        assert first.dtype == dtype
        for r in range(n):
            assert np.array_equal(got[r][key], want), f"rank {r}: {key}"
