"""Training recipes for ``tinytf train``: learning-rate schedules, data augmentation, presets.

Schedules (``--schedule``), per optimizer step ``s`` of a run of ``total = epochs * steps_per_epoch``
steps, for the peak learning rate ``lr``:

* ``constant`` - ``lr`` (a float, as without a schedule);
* ``cosine`` - ``lr * 0.5 * (1 + cos(pi * s / total))`` (``CosineDecay(lr, total)``);
* ``onecycle`` - a linear warmup from ``lr / 10`` to ``lr`` over the first ``w = round(0.2 * total)``
  steps, then the cosine decay to 0 over the other ``total - w`` (``CosineDecay(lr / 10, total - w,
  warmup_target=lr, warmup_steps=w)``).

Augmentation (``--augment flip,shift``), new for every training image in every epoch: ``flip``
mirrors it left-right with probability 1/2; ``shift`` moves it by -2 to 2 pixels down and across
(uniform, independent), filling with zeros. The epoch's order, flips and shifts are drawn at the
start of the epoch from tinytf's global generator, so ``tf.random.set_seed`` repeats them and a
checkpoint's RNG state resumes them. Test images are never augmented.

Presets (``--recipe``) set defaults that explicit options override; see ``RECIPES``.
"""
import math

import numpy as np

from . import backend
from .data.dataset import Dataset
from .data.structure import TensorSpec

SCHEDULES = ("constant", "cosine", "onecycle")
AUGMENTS = ("flip", "shift")
ONECYCLE_WARMUP, ONECYCLE_START = 0.2, 0.1  # warmup fraction of the steps; start lr / peak lr
SHIFT = 2  # pixels, each way

RECIPES = {
    "fast90": ({"model": "lenet5-wide", "epochs": 4, "batch_size": 128, "optimizer": "adam",
                "learning_rate": 3e-3, "schedule": "cosine", "augment": []},
               "90% Fashion-MNIST test accuracy in under a minute on 2 cores: lenet5-wide, 4 epochs, "
               "adam 3e-3 with cosine decay, batch 128"),
}


def parse_augment(text):
    """``--augment`` value: ``flip``, ``shift``, ``flip,shift`` or ``none`` -> a sorted list."""
    import argparse
    names = [t.strip() for t in str(text).split(",") if t.strip()]
    if names == ["none"]:
        return []
    bad = [t for t in names if t not in AUGMENTS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(AUGMENTS)} (or none), "
                                         f"got {text!r}")
    return sorted(set(names), key=AUGMENTS.index)


def learning_rate(schedule, lr, total_steps):
    """The optimizer's ``learning_rate`` for ``schedule`` peaking at ``lr`` over ``total_steps``."""
    from .keras.optimizers.schedules import CosineDecay
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose from {', '.join(SCHEDULES)}")
    if schedule == "constant":
        return lr
    total = max(int(total_steps), 1)
    if schedule == "cosine":
        return CosineDecay(lr, total)
    warm = min(int(round(ONECYCLE_WARMUP * total)), total - 1)
    return CosineDecay(lr * ONECYCLE_START, total - warm, warmup_target=lr, warmup_steps=warm)


def draw(rng, n, augment):
    """One epoch's random choices for ``n`` images: ``{"flip": bool [n], "shift": int [n, 2]}``
    (only the kinds in ``augment``, drawn in the order of ``AUGMENTS``)."""
    out = {}
    if "flip" in augment:
        out["flip"] = rng.random(n) < 0.5
    if "shift" in augment:
        out["shift"] = rng.integers(-SHIFT, SHIFT + 1, size=(n, 2))
    return out


def apply(x, choices):
    """Images ``x`` [N, H, W, C] augmented as ``choices`` (of :func:`draw`) say; a new array."""
    x = np.array(x, copy=True)
    if "flip" in choices:
        f = np.asarray(choices["flip"], bool)
        x[f] = x[f, :, ::-1]
    if "shift" in choices:
        d = np.asarray(choices["shift"])
        n, h, w = x.shape[:3]
        pad = np.pad(x, ((0, 0), (SHIFT, SHIFT), (SHIFT, SHIFT), (0, 0)))
        rows = (SHIFT - d[:, 0])[:, None] + np.arange(h)  # output row r shows input row r - dy
        cols = (SHIFT - d[:, 1])[:, None] + np.arange(w)
        x = pad[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return x


class AugmentedBatches(Dataset):
    """Training batches ``(x, y)``: a new shuffle and new augmentation every epoch (every
    iteration), drawn from tinytf's global generator; ``fit`` takes it as a Dataset."""

    def __init__(self, x, y, batch_size, augment):
        self._x, self._y = np.asarray(x), np.asarray(y)
        self._batch, self._augment = int(batch_size), list(augment)

    def _elements(self):
        rng = backend.rng()
        n = len(self._x)
        order = rng.permutation(n)
        choices = draw(rng, n, self._augment)
        for lo in range(0, n, self._batch):
            sl = slice(lo, lo + self._batch)
            idx = order[sl]
            yield apply(self._x[idx], {k: v[sl] for k, v in choices.items()}), self._y[idx]

    def _card(self):
        return math.ceil(len(self._x) / self._batch)

    def _spec(self):
        return (TensorSpec((None,) + self._x.shape[1:], self._x.dtype.name),
                TensorSpec((None,) + self._y.shape[1:], self._y.dtype.name))
