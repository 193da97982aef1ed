"""The physical floor of a training step: its GEMM FLOPs at this machine's measured GEMM peak.

    PYTHONPATH=. python benchmarks/floor.py [--threads 2]

FLOPs come from ``model.summary``'s count (2 per multiply-add, Conv2D and Dense kernels:
``tinytf.keras.summary.layer_flops``); a training step is the forward, the filter gradient and
the input gradient (3x), less the input gradient of the first layer (nothing needs it). The peak
is NumPy's float32 GEMM on square 2048 matrices (median of 9), the fastest shape OpenBLAS has;
the conv layers' own shapes run slower, so real steps cannot reach the floor.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "standalone"))
sys.path.insert(1, os.path.dirname(HERE))
import numpy as np  # noqa: E402

import keras_models  # noqa: E402
import tinytf as tf  # noqa: E402
from tinytf.keras.summary import layer_flops  # noqa: E402

BATCH = {"lenet": 128, "vgg": 64, "resnet18": 32}


def step_gflop(name):
    model = keras_models.MODELS[name](tf)
    flops = [f for f in (layer_flops(layer) for layer in model.layers) if f]
    return BATCH[name] * (3 * sum(flops) - flops[0]) / 1e9


def gemm_peak(threads, n=2048, repeats=9):
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads, user_api="blas")
    except ImportError:
        pass
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    a @ a
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ a
        ts.append(time.perf_counter() - t0)
    return 2 * n ** 3 / float(np.median(ts)) / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    peak = gemm_peak(args.threads)
    print(f"float32 GEMM peak (2048^3, {args.threads} threads): {peak:.0f} GFLOP/s")
    for name in BATCH:
        g = step_gflop(name)
        print(f"{name:9s} batch {BATCH[name]:3d}: {g:7.2f} GFLOP per training step -> floor {1e3 * g / peak:8.2f} ms")


if __name__ == "__main__":
    main()
