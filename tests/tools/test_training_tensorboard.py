"""``tinytf train``'s TensorBoard logs: in the run folder by default, ``--tensorboard DIR``, ``none``,
continued by ``--resume``, replaced by ``--overwrite``, and without the ``tensorboard`` package."""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "summary"))

from tb_read import load, plugin, scalars  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ, TINYTF_KERNELS="numpy", OPENBLAS_NUM_THREADS="1",
           PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def tinytf(*args, cwd, pre=""):
    """``tinytf ARGS`` in a subprocess; ``pre``: Python run first in that process."""
    code = f"import sys\n{pre}\nfrom tinytf.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=300)


def ok(res):
    assert res.returncode == 0, f"rc={res.returncode}\n{res.stdout}\n{res.stderr}"
    return res.stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(1)
    np.savez(folder / "data.npz", x_train=rng.integers(0, 255, (64, 28, 28), dtype=np.uint8),
             y_train=np.arange(64) % 4, x_test=rng.integers(0, 255, (32, 28, 28), dtype=np.uint8),
             y_test=np.arange(32) % 4)
    return folder


def train(data, cwd, *more, pre=""):
    return tinytf("train", "--dataset", data, "--model", "lenet5-classic", "--batch-size", 32, *more, cwd=cwd,
                  pre=pre)


def events(folder):
    return sorted(glob.glob(os.path.join(folder, "events.out.tfevents.*")))


def test_logs_in_the_run_folder_by_default_then_resumed_and_overwritten(data, tmp_path):
    out = tmp_path / "runs" / "r1"
    stdout = ok(train(data, tmp_path, "--epochs", 1, "--out", out))
    assert f"tensorboard --logdir {tmp_path / 'runs'}" in stdout
    train_logs, val_logs = load(out / "train"), load(out / "validation")
    with np.load(out / "checkpoint.npz", allow_pickle=False) as z:
        history = json.loads(str(z["__meta__"]))["history"]
    assert scalars(train_logs, "epoch_loss") == [(0, np.float32(history[0]["loss"]))]
    assert scalars(val_logs, "epoch_accuracy") == [(0, np.float32(history[0]["val_accuracy"]))]
    tags = train_logs.Tags()["tensors"]
    assert plugin(train_logs, "keras") == "graph_keras_model"
    assert {plugin(train_logs, t) for t in tags if t.endswith("/histogram")} == {"histograms"}
    assert {plugin(train_logs, t) for t in tags if t.endswith("/image")} == {"images"}

    ok(tinytf("train", "--resume", out, "--epochs", 2, cwd=tmp_path))
    assert len(events(out / "train")) == 2  # a second file; TensorBoard reads both as one run
    assert [s for s, _ in scalars(load(out / "train"), "epoch_loss")] == [0, 1]

    ok(train(data, tmp_path, "--epochs", 1, "--out", out, "--overwrite"))
    assert len(events(out / "train")) == 1 and len(events(out / "validation")) == 1
    assert [s for s, _ in scalars(load(out / "train"), "epoch_loss")] == [0]


def test_tensorboard_dir_and_none(data, tmp_path):
    ok(train(data, tmp_path, "--epochs", 1, "--out", tmp_path / "a", "--tensorboard", tmp_path / "logs"))
    assert not os.path.exists(tmp_path / "a" / "train")
    assert [s for s, _ in scalars(load(tmp_path / "logs" / "validation"), "epoch_loss")] == [0]
    stdout = ok(train(data, tmp_path, "--epochs", 1, "--out", tmp_path / "b", "--tensorboard", "none"))
    assert "TensorBoard" not in stdout and not os.path.exists(tmp_path / "b" / "train")


def test_bad_tensorboard_folder(data, tmp_path):
    (tmp_path / "file").write_text("x")
    res = train(data, tmp_path, "--epochs", 1, "--out", tmp_path / "c", "--tensorboard", tmp_path / "file" / "x")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "tinytf: error: --tensorboard" in res.stderr and "cannot create the folder" in res.stderr


def test_without_the_tensorboard_package(data, tmp_path):
    missing = "sys.modules['tensorboard'] = None"
    stdout = ok(train(data, tmp_path, "--epochs", 1, "--out", tmp_path / "d", pre=missing))
    assert "TensorBoard" not in stdout and not os.path.exists(tmp_path / "d" / "train")
    res = train(data, tmp_path, "--epochs", 1, "--out", tmp_path / "e", "--tensorboard", tmp_path / "l", pre=missing)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1 and "pip install 'tinytf[tensorboard]'" in res.stderr
