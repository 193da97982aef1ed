"""Time of one gradient-sized sum over the ranks: [mpiexec -n N] python benchmarks/distribute/allreduce.py"""
import time, numpy as np
from tinytf.distribute import comm
w = comm.world()
for nbytes in (240472, 874344):
    a = [np.ones(nbytes // 4, np.float32)]
    for _ in range(5): w.sum_arrays(a)
    w.barrier()
    t = time.perf_counter()
    for _ in range(50): w.sum_arrays(a)
    dt = (time.perf_counter() - t) / 50 * 1000
    if w.rank == 0: print(f"{nbytes} bytes: {dt:.2f} ms per sum (all-gather + rank-order sum), {w.size} ranks")
