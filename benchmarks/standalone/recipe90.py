"""What the ``*_fast90.py`` scripts share (NumPy and the standard library only): arguments, the
Fashion-MNIST train and test splits, the learning-rate schedule, each epoch's shuffle and
augmentation, and the result line.

The recipe is ``tinytf train --recipe fast90``: ``lenet5-wide`` (Conv2D 16 3x3 -> BN -> MaxPool ->
ReLU -> Conv2D 32 3x3 -> BN -> MaxPool -> ReLU -> Flatten -> Dense 120 relu -> Dense 84 relu ->
Dense 10), Adam 3e-3 (eps 1e-7) with cosine decay over all the run's steps, batch 128, 4 epochs,
no augmentation; test accuracy after every epoch, as ``tinytf train`` validates.
"""
import argparse
import json
import math
import os
import time

import numpy as np

from common import FMNIST_DIRS, _read_idx


def parse(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--schedule", choices=["constant", "cosine", "onecycle"], default="cosine")
    ap.add_argument("--augment", default="", help="flip, shift or flip,shift (as tinytf train --augment)")
    ap.add_argument("--filters", default="16,32", help="conv filters (6,16: the tutorial's lenet5)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    a.filters = tuple(int(v) for v in a.filters.split(","))
    a.augment = [v for v in a.augment.split(",") if v]
    return a


def load():
    """x_train, y_train, x_test, y_test: float32 NHWC in [0, 1] and int64 labels."""
    for d in FMNIST_DIRS:
        for ext in (".gz", ""):
            if d and os.path.exists(os.path.join(d, "train-images-idx3-ubyte" + ext)):
                parts = [_read_idx(os.path.join(d, f"{s}-idx{k}-ubyte{ext}"))
                         for s, k in (("train-images", 3), ("train-labels", 1), ("t10k-images", 3),
                                      ("t10k-labels", 1))]
                x, y, xt, yt = parts
                return ((x.astype(np.float32) / 255)[..., None], y.astype(np.int64),
                        (xt.astype(np.float32) / 255)[..., None], yt.astype(np.int64))
    raise SystemExit("Fashion-MNIST not found (looked in " + ", ".join(d for d in FMNIST_DIRS if d) + ")")


def learning_rate(a, step, total):
    """tinytf's recipes.learning_rate (Keras CosineDecay, with a warmup for onecycle) at ``step``."""
    if a.schedule == "constant":
        return a.lr
    warm = min(round(0.2 * total), total - 1) if a.schedule == "onecycle" else 0
    if step < warm:
        return a.lr / 10 + (a.lr - a.lr / 10) * step / warm
    s = min(step - warm, total - warm)
    return a.lr * 0.5 * (1 + math.cos(math.pi * s / (total - warm)))


def epoch_batches(rng, x, y, a):
    """One epoch: a new order and, with ``--augment``, new flips (p=1/2) and shifts (-2..2 pixels,
    zero fill), drawn as tinytf's recipes.AugmentedBatches draws them (NumPy's own generator)."""
    n = len(x)
    order = rng.permutation(n)
    flip = rng.random(n) < 0.5 if "flip" in a.augment else None
    shift = rng.integers(-2, 3, size=(n, 2)) if "shift" in a.augment else None
    for lo in range(0, n, a.batch):
        idx = order[lo:lo + a.batch]
        xb = x[idx]
        if flip is not None:
            f = flip[lo:lo + a.batch]
            xb[f] = xb[f, :, ::-1]
        if shift is not None:
            d = shift[lo:lo + a.batch]
            pad = np.pad(xb, ((0, 0), (2, 2), (2, 2), (0, 0)))
            rows = (2 - d[:, 0])[:, None] + np.arange(28)
            cols = (2 - d[:, 1])[:, None] + np.arange(28)
            xb = pad[np.arange(len(idx))[:, None, None], rows[:, :, None], cols[:, None, :]]
        yield np.ascontiguousarray(xb), y[idx]


def result(name, a, t0, t_data, accs, epoch_s, extra=None):
    """Print per-epoch accuracy and one JSON line: wall from the script's start to the end of the
    last epoch (its test included), and the load average."""
    wall = time.perf_counter() - t0
    for i, (acc, s) in enumerate(zip(accs, epoch_s), 1):
        print(f"{name} epoch {i}: test accuracy {acc:.4f} ({s:.1f} s)")
    res = {"script": name, "wall_s": round(wall, 2), "data_s": round(t_data, 2),
           "epochs_s": [round(s, 2) for s in epoch_s], "test_accuracy": accs,
           "first_epoch_at_90": next((i for i, v in enumerate(accs, 1) if v >= 0.9), None),
           "threads": a.threads, "epochs": a.epochs, "batch": a.batch, "lr": a.lr, "schedule": a.schedule,
           "augment": a.augment, "filters": a.filters, "load": [round(v, 2) for v in os.getloadavg()],
           **(extra or {})}
    print(json.dumps(res))
    return res
