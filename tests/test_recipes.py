"""tinytf.recipes: schedules give the hand-computed learning rate at every step; augmentation is
seeded, keeps shapes and labels, and moves pixels as documented."""
import argparse
import math

import numpy as np
import pytest

import tinytf as tf
from tinytf import cli, recipes, zoo
from tinytf.tools import run_config
from tinytf.keras.optimizers.schedules import LearningRateSchedule


def rates(schedule, steps):
    return [float(schedule(s)) for s in range(steps)]


def test_cosine_and_onecycle_by_hand():
    lr = 0.003
    cos = recipes.learning_rate("cosine", lr, 10)
    want = [lr * 0.5 * (1 + math.cos(math.pi * s / 10)) for s in range(12)]
    want[11] = want[10] = 0.0  # held at the end
    np.testing.assert_allclose(rates(cos, 12), want, rtol=1e-6, atol=1e-9)
    one = recipes.learning_rate("onecycle", lr, 10)  # warmup round(0.2 * 10) = 2 steps from lr / 10
    want = [0.0003, 0.00165] + [lr * 0.5 * (1 + math.cos(math.pi * k / 8)) for k in range(8)]
    np.testing.assert_allclose(rates(one, 10), want, rtol=1e-6, atol=1e-9)
    assert recipes.learning_rate("constant", lr, 10) == lr
    with pytest.raises(ValueError, match="cosine"):
        recipes.learning_rate("linear", lr, 10)


def test_the_cli_schedule_spans_the_whole_run():
    cfg = {"model": "lenet5", "input_shape": [28, 28, 1], "num_classes": 10, "optimizer": "adam",
           "learning_rate": 0.002, "schedule": "cosine", "epochs": 3, "batch_size": 32, "n_train": 100}
    model = cli._build_model(cfg)
    cli._compile(model, cfg)
    opt = model.optimizer
    assert isinstance(opt._learning_rate, LearningRateSchedule)
    total = 3 * 4  # ceil(100 / 32) steps per epoch
    for step in (0, 5, 11):
        opt.iterations.assign(np.int64(step))
        assert float(opt.learning_rate) == pytest.approx(0.002 * 0.5 * (1 + math.cos(math.pi * step / total)),
                                                         rel=1e-6, abs=1e-9)


def test_parse_augment():
    assert recipes.parse_augment("shift,flip") == ["flip", "shift"]
    assert recipes.parse_augment("flip, flip") == ["flip"]
    assert recipes.parse_augment("none") == []
    for bad in ("", "rotate", "flip,none", ","):
        with pytest.raises(argparse.ArgumentTypeError, match="flip, shift"):
            recipes.parse_augment(bad)


def test_flip_and_shift_move_pixels_as_documented():
    x = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6, 1) + 1
    got = recipes.apply(x, {"flip": np.array([True, False])})
    np.testing.assert_array_equal(got[0], x[0, :, ::-1])
    np.testing.assert_array_equal(got[1], x[1])
    got = recipes.apply(x, {"shift": np.array([[1, -2], [0, 0]])})  # image 0: one down, two left
    want = np.zeros_like(x[0])
    want[1:, :-2] = x[0, :-1, 2:]
    np.testing.assert_array_equal(got[0], want)
    np.testing.assert_array_equal(got[1], x[1])
    assert got.shape == x.shape and got.dtype == x.dtype
    x0 = x.copy()
    recipes.apply(x, recipes.draw(np.random.default_rng(0), 2, ["flip", "shift"]))
    np.testing.assert_array_equal(x, x0)  # the input is not changed


def _epochs(ds, n):
    return [[(b[0].numpy(), b[1].numpy()) for b in ds] for _ in range(n)]


def test_augmented_batches_are_seeded_and_keep_labels():
    y = np.arange(50) % 10
    x = np.broadcast_to((y + 1).astype(np.float32)[:, None, None, None], (50, 8, 8, 1)).copy()
    ds = recipes.AugmentedBatches(x, y, 16, ["flip", "shift"])
    assert len(ds) == 4
    tf.random.set_seed(7)
    first = _epochs(ds, 2)
    tf.random.set_seed(7)
    again = _epochs(ds, 2)
    for a, b in zip(sum(first, []), sum(again, [])):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(first[0][0][1], first[1][0][1])  # a new order every epoch
    for epoch in first:
        assert [len(yb) for _, yb in epoch] == [16, 16, 16, 2]
        assert sorted(np.concatenate([yb for _, yb in epoch])) == sorted(y)
        for xb, yb in epoch:
            assert xb.shape[1:] == (8, 8, 1)
            for img, label in zip(xb, yb):  # every pixel is the label's value or shifted-in zero
                assert set(np.unique(img)) <= {0.0, label + 1.0} and img.max() == label + 1
    shifted = [img for xb, _ in first[0] for img in xb if (img == 0).any()]
    assert 0 < len(shifted) < 50


def test_fast90_recipe_names_real_options():
    defaults, text = recipes.RECIPES["fast90"]
    assert set(defaults) <= set(run_config.TRAIN_DEFAULTS) and defaults["model"] in zoo.MODELS
    assert defaults["schedule"] in recipes.SCHEDULES and set(defaults["augment"]) <= set(recipes.AUGMENTS)
    assert "90%" in text
