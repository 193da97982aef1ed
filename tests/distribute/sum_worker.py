"""``mpiexec -n N python sum_worker.py OUT``: every rank sums seeded buffers both ways (all-gather and
reduce-scatter + all-gather) and writes what it got, for tests/distribute/test_collectives.py."""
import sys

import numpy as np

from tinytf.distribute import comm as _comm

w = _comm.world(timeout=30)
out = {}
for n in (0, 1, 2, 5, 1000, 100_003):
    for dtype in (np.float32, np.float64):
        mine = np.random.default_rng([w.rank, n]).standard_normal(n).astype(dtype)
        out[f"gather_{n}_{dtype.__name__}"] = w.sum_flat(mine, scatter_above=float("inf"))
        out[f"scatter_{n}_{dtype.__name__}"] = w.sum_flat(mine, scatter_above=0)
np.savez(f"{sys.argv[1]}/sums-{w.rank}.npz", **out)
