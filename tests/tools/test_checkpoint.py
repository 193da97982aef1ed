"""tinytf.tools.checkpoint: run checkpoints round-trip exactly, resume bit-exactly, are written
atomically, and damaged or foreign ones are refused before anything changes."""
import json
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf import backend
from tinytf.keras import layers
from tinytf.keras.models import Sequential
from tinytf.tools import checkpoint


def small_model(seed=0, filters=4):
    tf.random.set_seed(seed)
    m = Sequential([layers.Conv2D(filters, 3), layers.BatchNormalization(), layers.MaxPooling2D(2),
                    layers.ReLU(), layers.Flatten(), layers.Dropout(0.2), layers.Dense(3)])
    m.build((None, 8, 8, 1))
    m.compile(optimizer=tf.keras.optimizers.Adam(1e-2),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return m


def data(n=48):
    rng = np.random.default_rng(0)
    return rng.random((n, 8, 8, 1), dtype=np.float32), np.arange(n) % 3


def fit(model, run_dir, meta, epochs, initial_epoch=0):
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=epochs, initial_epoch=initial_epoch, validation_data=(x[:12], y[:12]),
              callbacks=[checkpoint.RunCheckpoint(run_dir, meta, len(x))], verbose=0)


def new_meta():
    return {"config": {"model": "small"}, "epoch": 0, "history": [], "best": None}


def test_resume_from_a_checkpoint_is_bit_exact(tmp_path):
    whole = small_model()
    fit(whole, str(tmp_path / "a"), new_meta(), epochs=3)

    part = small_model()
    fit(part, str(tmp_path / "b"), new_meta(), epochs=1)
    backend.set_seed(99)  # a fresh process: the global generator is somewhere else
    meta, weights, opt = checkpoint.load(str(tmp_path / "b"))
    assert meta["epoch"] == 1 and int(opt["iteration"]) == 3
    resumed = small_model(seed=7)  # different initial weights: all must come from the checkpoint
    checkpoint.restore(resumed, weights, opt, meta, "b")
    fit(resumed, str(tmp_path / "b"), meta, epochs=3, initial_epoch=1)

    a, b = checkpoint.load(str(tmp_path / "a")), checkpoint.load(str(tmp_path / "b"))
    for k in a[1]:
        np.testing.assert_array_equal(a[1][k], b[1][k], err_msg=k)
    for k in a[2]:
        np.testing.assert_array_equal(a[2][k], b[2][k], err_msg=k)
    assert a[0]["rng"] == b[0]["rng"]
    assert [r["loss"] for r in a[0]["history"]] == [r["loss"] for r in b[0]["history"]]
    assert [r["epoch"] for r in b[0]["history"]] == [1, 2, 3]


def test_callback_writes_history_best_weights_and_checkpoint(tmp_path):
    m = small_model()
    meta = new_meta()
    fit(m, str(tmp_path), meta, epochs=2)
    names = sorted(os.listdir(tmp_path))
    assert names == ["best.weights.npz", "checkpoint.npz", "history.csv"]
    lines = (tmp_path / "history.csv").read_text().splitlines()
    assert lines[0].split(",")[:5] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert "images_per_second" in lines[0] and [l.split(",")[0] for l in lines[1:]] == ["1", "2"]
    saved = checkpoint.load(str(tmp_path))[0]
    assert saved["epoch"] == 2 and saved["format"] == checkpoint.FORMAT
    assert saved["best"]["val_accuracy"] == max(r["val_accuracy"] for r in saved["history"])
    m2 = small_model(seed=5)
    m2.load_weights(str(tmp_path / "best.weights.npz"))  # an ordinary weights file


def test_damaged_missing_and_foreign_checkpoints_are_refused(tmp_path):
    m = small_model()
    checkpoint.save(str(tmp_path), m, new_meta())
    path = tmp_path / "checkpoint.npz"
    full = path.read_bytes()
    for cut in (len(full) // 2, len(full) - 10, 30):
        path.write_bytes(full[:cut])
        with pytest.raises(checkpoint.CheckpointError, match="truncated or corrupted"):
            checkpoint.load(str(tmp_path))
    path.write_bytes(full)
    (tmp_path / "empty").mkdir()
    with pytest.raises(checkpoint.CheckpointError, match="not a tinytf run folder"):
        checkpoint.load(str(tmp_path / "empty"))
    with pytest.raises(checkpoint.CheckpointError, match="no such run folder"):
        checkpoint.load(str(tmp_path / "nowhere"))
    np.savez(tmp_path / "checkpoint.npz", a=np.zeros(2))
    with pytest.raises(checkpoint.CheckpointError, match="metadata"):
        checkpoint.load(str(tmp_path))
    np.savez(tmp_path / "checkpoint.npz", __meta__=np.array(json.dumps({"format": "other"})))
    with pytest.raises(checkpoint.CheckpointError, match="not a tinytf run checkpoint"):
        checkpoint.load(str(tmp_path))

    path.write_bytes(full)
    meta, weights, opt = checkpoint.load(str(tmp_path))
    other = small_model(filters=5)
    before = other.get_weights()
    state = backend.get_state()
    with pytest.raises(checkpoint.CheckpointError, match="does not match model"):
        checkpoint.restore(other, weights, opt, meta, "x")
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert backend.get_state() == state


def test_write_is_atomic(tmp_path, monkeypatch):
    m = small_model()
    checkpoint.save(str(tmp_path), m, {**new_meta(), "epoch": 1})
    good = (tmp_path / "checkpoint.npz").read_bytes()

    def crash(*a, **k):
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(str(tmp_path), m, {**new_meta(), "epoch": 2})
    assert (tmp_path / "checkpoint.npz").read_bytes() == good
    assert os.listdir(tmp_path) == ["checkpoint.npz"]
    assert checkpoint.load(str(tmp_path))[0]["epoch"] == 1


def test_malformed_checkpoints_are_checkpoint_errors(tmp_path):
    m = small_model()
    checkpoint.save(str(tmp_path), m, {**new_meta(), "rng": backend.get_state()})
    meta, weights, opt = checkpoint.load(str(tmp_path))
    state = backend.get_state()
    for rng in ("PCG64", [1, 2], {"global_seed": 0}, {**state, "op_uses": "x"},
                {**state, "bit_generator": {"bit_generator": "PCG64"}},
                {**state, "bit_generator": {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}}):
        other = small_model(seed=4)
        before, state = other.get_weights(), backend.get_state()
        with pytest.raises(checkpoint.CheckpointError, match="rng"):
            checkpoint.restore(other, weights, opt, {**meta, "rng": rng}, "x")
        assert backend.get_state() == state
        assert all(np.array_equal(a, b) for a, b in zip(before, other.get_weights()))
    for bad in ({"history": "x"}, {"history": [{"loss": 1.0}]}, {"best": {"epoch": 1}}, {"epoch": "2"}):
        checkpoint.save(str(tmp_path), m, {**new_meta(), **bad})
        with pytest.raises(checkpoint.CheckpointError, match="checkpoint.npz"):
            checkpoint.load(str(tmp_path))
    with open(tmp_path / "checkpoint.npz", "wb") as f:
        np.save(f, np.zeros(3))
    with pytest.raises(checkpoint.CheckpointError, match="not an .npz"):
        checkpoint.load(str(tmp_path))


def test_temp_files_and_the_lock(tmp_path):
    for name in (".tmp-ab_cd123.npz", "history.csv.tmp", "report.md.tmp", ".tinytf-tmp-report.md"):
        assert checkpoint.is_temp_file(name), name
    for name in (".tmp-notes", "data.tmp", ".tmp-abcdefgh.npz.bak", ".tmp-ABCDEFGH.npz", "x.tinytf-tmp"):
        assert not checkpoint.is_temp_file(name), name
    (tmp_path / ".tmp-abcdefgh.npz").mkdir()
    (tmp_path / ".tmp-k3_x9q0z.npz").write_bytes(b"x")
    assert checkpoint.remove_temp_files(str(tmp_path)) == [".tmp-k3_x9q0z.npz"]
    assert os.listdir(tmp_path) == [".tmp-abcdefgh.npz"]
    lock = checkpoint.lock_run_dir(str(tmp_path))
    assert checkpoint.lock_holder(str(tmp_path)) == os.getpid()
    lock.close()
    assert checkpoint.lock_holder(str(tmp_path)) is None
