"""Time of one gradient-sized sum over the ranks, both ways the collectives move it.

    [mpiexec -n N] python benchmarks/distribute/allreduce.py

For LeNet-5's and vgg-small's gradients (and a 4 MB buffer), rank 0 prints the bytes each rank
sends per sum and the median time of 30 sums after a barrier, as an all-gather + rank-order sum and
as a reduce-scatter + all-gather (docs/DISTRIBUTED.md, "Moving the gradients"). Both give the same bits.
"""
import time

import numpy as np

from tinytf.distribute import comm

w = comm.world()
for nbytes in (240472, 874344, 4 << 20):
    flat = np.ones(nbytes // 4, np.float32)
    row = []
    for name, limit in (("all-gather", float("inf")), ("scatter", 0)):
        times = []
        for i in range(35):
            w.barrier()
            t = time.perf_counter()
            w.sum_flat(flat, scatter_above=limit)
            if i >= 5:
                times.append(time.perf_counter() - t)
        n = w.size
        sent = (n - 1) * nbytes if name == "all-gather" or n == 2 else 2 * (n - 1) * nbytes // n
        row.append(f"{name} {np.median(times) * 1000:6.2f} ms, {sent / 1e6:5.2f} MB sent")
    if w.rank == 0:
        print(f"{w.size} ranks, {nbytes / 1e6:5.2f} MB: " + " | ".join(row), flush=True)
