"""What the standalone scripts share: arguments, data, timing. NumPy and the standard library only
(no harness code, no tinytf import), so a PyTorch or TensorFlow process stays a plain one.

Data are the harness's: Fashion-MNIST (float32 in [0, 1], NHWC) shuffled with
``np.random.default_rng(0).permutation``, or ``--data FILE.npz`` (the .npz ``benchmarks/run.py``
writes), or ``--synthetic``. CIFAR-sized models use CIFAR-10 when ``--data`` has ``cifar_x`` or
the binary batches are found, else a *learnable* synthetic set (a fixed random template per class
plus noise), so gradients do not shrink into float32 subnormals as on pure noise.
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import sys
import time

import numpy as np

MODELS = {"lenet": dict(batch=128, n=60000, hwc=(28, 28, 1), steps=None),
          "vgg": dict(batch=64, n=50000, hwc=(32, 32, 3), steps=30),
          "resnet18": dict(batch=32, n=50000, hwc=(32, 32, 3), steps=10)}
FMNIST_DIRS = [os.environ.get("TINYTF_DATA", ""), os.path.expanduser("~/.keras/datasets/fashion-mnist"),
               os.path.expanduser("~/.keras/datasets"), "/usr/share/datasets/fashion-mnist"]


def parse(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--model", choices=list(MODELS), default="lenet")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, help="batch size (default: lenet 128, vgg 64, resnet18 32)")
    ap.add_argument("--steps", type=int, help="timed steps (default: lenet a full epoch, 469; vgg 30; resnet18 10)")
    ap.add_argument("--warmup", type=int, help="untimed steps first (default: lenet a full epoch, else 3)")
    ap.add_argument("--windows", type=int, default=5, help="also report the median of K equal windows")
    ap.add_argument("--synthetic", action="store_true", help="random data instead of the real data set")
    ap.add_argument("--data", help=".npz with x_train/y_train (Fashion-MNIST uint8, as run.py writes)")
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    a = ap.parse_args()
    m = MODELS[a.model]
    a.batch = a.batch or m["batch"]
    full = -(-m["n"] // a.batch)
    a.steps = a.steps or m["steps"] or full
    a.warmup = a.warmup if a.warmup is not None else (a.steps if a.model == "lenet" else 3)
    return a


def _read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(args):
    """uint8 (60000, 28, 28), labels, or None."""
    if args.data:
        with np.load(args.data) as z:
            return z["x_train"], z["y_train"]
    for d in FMNIST_DIRS:
        for ext in (".gz", ""):
            xi = os.path.join(d, "train-images-idx3-ubyte" + ext)
            if d and os.path.exists(xi):
                return _read_idx(xi), _read_idx(os.path.join(d, "train-labels-idx1-ubyte" + ext))
    return None


def cifar_synthetic(n, seed=0):
    """Learnable CIFAR-shaped data: class template + noise, in [0, 1], uint8 like the real set."""
    r = np.random.default_rng(seed)
    templates = r.random((10, 32, 32, 3), dtype=np.float32)
    y = r.integers(0, 10, n).astype(np.uint8)
    x = 0.5 * templates[y] + 0.5 * r.random((n, 32, 32, 3), dtype=np.float32)
    return (x * 255).astype(np.uint8), y


def dataset(args):
    """(x float32 NHWC in [0, 1], y int64) for the model, the whole training set."""
    if args.model == "lenet":
        got = None if args.synthetic else fashion_mnist(args)
        if got is None:
            if not args.synthetic:
                print("Fashion-MNIST not found; synthetic data", file=sys.stderr)
            r = np.random.default_rng(0)
            return r.random((60000, 28, 28, 1), dtype=np.float32), r.integers(0, 10, 60000).astype(np.int64)
        x, y = got
        return (x.astype(np.float32) / 255.0)[..., None], y.astype(np.int64)
    x, y = cifar_synthetic(50000)
    return x.astype(np.float32) / 255.0, y.astype(np.int64)


def batch_arrays(args, x, y, nchw=False):
    """The batches, as contiguous NumPy arrays prepared before timing: an epoch's shuffle
    (``default_rng(0)``, as the harness), cycled if more steps than an epoch. The warm-up runs the
    first of them, as the harness's warm-up epoch runs the same batches as the timed one."""
    perm = np.random.default_rng(0).permutation(len(x))
    idx = [perm[i:i + args.batch] for i in range(0, len(x), args.batch)]
    need = max(args.warmup, args.steps)  # the warm-up runs the first steps of the same batches
    out = []
    for k in range(need):
        i = idx[k % len(idx)]
        xb = x[i]
        if nchw:
            xb = xb.transpose(0, 3, 1, 2)
        out.append((np.ascontiguousarray(xb), np.ascontiguousarray(y[i])))
    return out


def run(args, name, step, batches, extra=None):
    """Warm-up, then time each step; print ms/step (mean = epoch time / steps, median, windows)."""
    for xb, yb in batches[:args.warmup]:
        step(xb, yb)
    timed = batches[:args.steps]
    times = []
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for xb, yb in timed:
        t = time.perf_counter()
        step(xb, yb)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    n = len(times)
    k = max(1, min(args.windows, len(times)))
    w = len(times) // k
    windows = [sum(times[i * w:(i + 1) * w]) / w * 1e3 for i in range(k)]
    res = {"script": name, "model": args.model, "batch": args.batch, "threads": args.threads,
           "steps": len(times), "warmup": args.warmup, "ms_step_mean": total / len(times) * 1e3,
           "ms_step_median": statistics.median(times) * 1e3, "ms_step_windows_median": statistics.median(windows),
           "windows_ms": [round(v, 3) for v in windows], "load": os.getloadavg()[0],
           # page faults and CPU time per step: load-independent signs of allocator / spinning trouble
           "minflt_step": (ru.ru_minflt - ru0.ru_minflt) / n,
           "cpu_ms_step": (ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime) / n * 1e3, **(extra or {})}
    if args.json:
        print(json.dumps(res))
    else:
        print(f"{name} {args.model} batch {args.batch} threads {args.threads}: {res['ms_step_mean']:.2f} ms/step "
              f"(mean of {len(times)}), median {res['ms_step_median']:.2f}, windows {res['windows_ms']}")
        print(json.dumps(res))
    return res
