"""The ``tinytf`` command, driven as a user would: ``python -m tinytf ...`` in a subprocess; refusals
before any training run ``tinytf.cli.main`` in this process (:func:`tinytf_here`), which is faster.

Training runs use the first few hundred Fashion-MNIST images (``--limit``) or small IDX / .npz
folders written here, one epoch unless a test needs more.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tinytf.keras.datasets import _files

FASHION = "/usr/share/datasets/fashion-mnist"
needs_fashion = pytest.mark.skipif(not os.path.isdir(FASHION), reason="needs Debian's dataset-fashion-mnist")


# What these commands do depends neither on the kernels (tests/kernels compares them) nor on BLAS's
# threads: the NumPy kernels spare each process Numba's start-up (about 1 s), and one BLAS thread
# keeps processes that run beside each other (and beside pytest-xdist's workers) from fighting over
# the cores. The ``run`` fixture keeps the machine's defaults.
ENV = dict(os.environ, TINYTF_KERNELS="numpy", OPENBLAS_NUM_THREADS="1")


def tinytf(*args, cwd, env=None, timeout=180, base=ENV):
    return subprocess.run([sys.executable, "-m", "tinytf", *map(str, args)], cwd=cwd, env=dict(base, **(env or {})),
                          capture_output=True, text=True, timeout=timeout)


def tinytf_here(*args, capsys, cwd, env=None):
    """``tinytf ARGS`` by ``tinytf.cli.main`` in this process (in ``cwd``, with ``env`` set): a
    ``CompletedProcess`` for :func:`ok` and :func:`user_error`; an uncaught exception fails the test."""
    from tinytf.cli import main
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        for k, v in (env or {}).items():
            mp.setenv(k, v)
        try:
            rc = main([str(a) for a in args])
        except SystemExit as e:
            rc = e.code
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, rc, out.out, out.err)


def ok(res):
    assert res.returncode == 0, f"rc={res.returncode}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res.stdout


def user_error(res, *phrases):
    """Exit status 2, a message on stderr, no traceback."""
    assert res.returncode == 2, f"rc={res.returncode}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert "Traceback" not in res.stderr and "tinytf: error: " in res.stderr
    for p in phrases:
        assert p in res.stderr, res.stderr
    return res.stderr


def meta_of(run):
    with np.load(os.path.join(run, "checkpoint.npz"), allow_pickle=False) as z:
        return json.loads(str(z["__meta__"]))


def arrays_of(run):
    with np.load(os.path.join(run, "checkpoint.npz"), allow_pickle=False) as z:
        return {k: z[k] for k in z.files if k != "__meta__"}


def snapshot(folder):
    """Every file's name, size, mtime and hash: to check that a refused command changed nothing."""
    out = {}
    for root, _, files in os.walk(folder):  # with the TensorBoard logs in train/ and validation/
        for name in sorted(files):
            p = os.path.join(root, name)
            with open(p, "rb") as f:
                out[os.path.relpath(p, folder)] = (os.path.getsize(p), os.stat(p).st_mtime_ns,
                                                   hashlib.sha256(f.read()).hexdigest())
    return out


def write_idx_folder(folder, n_train=96, n_test=48, classes=3, seed=0):
    """Four IDX files of class-dependent blobs, and a classes.txt."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        y = (np.arange(n) % classes).astype(np.uint8)
        x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(y):
            x[i, 4 + 7 * c: 10 + 7 * c, 6:22] = 220
        _files.write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), x)
        _files.write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), y)
    with open(os.path.join(folder, "classes.txt"), "w") as f:
        f.write("\n".join(["top bar", "middle bar", "low bar"][:classes]) + "\n")
    return folder


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def run(work):
    """One epoch of the default model on the first 512 Fashion-MNIST images."""
    if not os.path.isdir(FASHION):
        pytest.skip("needs Debian's dataset-fashion-mnist")
    out = work / "run"
    res = tinytf("train", "--limit", 512, "--epochs", 1, "--out", out, cwd=work, base=os.environ)
    ok(res)
    return str(out), res


# --------------------------------------------------------------------------------------- help

def test_help_on_every_command(work, capsys):
    assert "train" in ok(tinytf("--help", cwd=work))
    assert "--resume RUN" in ok(tinytf("train", "--help", cwd=work))
    from tinytf.cli import main
    for cmd in ("evaluate", "predict", "summary", "rf", "explain"):  # in-process: the same parser, faster
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: tinytf {cmd}")
    assert tinytf("frobnicate", cwd=work).returncode == 2


# --------------------------------------------------------------------------------------- train

@needs_fashion
def test_train_writes_a_complete_run_folder(run):
    folder, res = run
    out = res.stdout
    assert "Epoch 1/1" in out and "4/4" in out and "val_accuracy" in out
    assert re.search(r"4/4 \S+ \d+s \d+ms/step - .*loss: \d\.\d{4}", out)  # plain line when piped
    for name in ("checkpoint.npz", "best.weights.npz", "history.csv", "curves.png", "confusion.png",
                 "report.md"):
        assert os.path.getsize(os.path.join(folder, name)) > 0, name
    assert not [f for f in os.listdir(folder) if f.startswith(".tmp")]
    with open(os.path.join(folder, "history.csv")) as f:
        rows = f.read().splitlines()
    assert rows[0].split(",")[:5] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert len(rows) == 2 and rows[1].startswith("1,")
    meta = meta_of(folder)
    assert meta["epoch"] == 1 and meta["config"]["model"] == "lenet5" and meta["config"]["seed"] == 0
    assert meta["config"]["batch_size"] == 128 and meta["config"]["learning_rate"] == 1e-3
    assert set(meta["rng"]) == {"global_seed", "op_uses", "bit_generator"}
    keys = arrays_of(folder)
    assert "model/conv2d/kernel" in keys and "optimizer/iteration" in keys and int(keys["optimizer/iteration"]) == 4
    report = open(os.path.join(folder, "report.md"), encoding="utf-8").read()
    for phrase in ("lenet5", "Ankle boot", "T-shirt/top", "images/s", "Accuracy per class", "![curves](curves.png)",
                   "test split"):
        assert phrase in report, phrase
    Image = pytest.importorskip("PIL.Image")
    for name in ("curves.png", "confusion.png"):
        a = np.asarray(Image.open(os.path.join(folder, name)).convert("L"))
        assert a.shape[0] > 200 and a.shape[1] > 200 and a.std() > 5


@needs_fashion
def test_an_existing_run_is_not_overwritten(run, work, capsys):
    folder, _ = run
    before = snapshot(folder)
    user_error(tinytf_here("train", "--out", folder, "--limit", 64, cwd=work, capsys=capsys), "--resume")
    assert snapshot(folder) == before


def _blocker(folder, module):
    """A PYTHONPATH entry that makes ``import module`` fail, as if it were not installed."""
    (folder / module).mkdir(parents=True)
    (folder / module / "__init__.py").write_text("raise ImportError('blocked for a test')\n")
    return {"PYTHONPATH": os.pathsep.join(filter(None, (str(folder), os.environ.get("PYTHONPATH"))))}


@pytest.fixture(scope="module")
def no_plot(tmp_path_factory):
    """ENV without matplotlib, for runs whose pictures no assertion looks at: importing it and drawing
    them is most of a short run's time (tinytf then skips curves.png and confusion.png, with a note)."""
    return dict(ENV, **_blocker(tmp_path_factory.mktemp("no-plot"), "matplotlib"))


def test_train_on_an_idx_folder_without_matplotlib(work, tmp_path):
    idx = write_idx_folder(str(work / "idx"))
    out = work / "idx-run"
    no_plot = _blocker(tmp_path / "block", "matplotlib")
    res = tinytf("train", "--dataset", idx, "--epochs", 1, "--batch-size", 32, "--out", out, cwd=work, env=no_plot)
    ok(res)
    assert "pip install 'tinytf[plot]'" in res.stderr
    assert not (out / "curves.png").exists() and not (out / "confusion.png").exists()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "pip install 'tinytf[plot]'" in report
    assert "middle bar" in report and "3 classes" in report  # names from classes.txt
    err = user_error(tinytf("explain", "rf", "--out", tmp_path / "pics", cwd=tmp_path, env=no_plot),
                     "pip install 'tinytf[plot]'")
    assert err.count("\n") == 1


def test_train_on_an_npz_folder(work):
    npz = work / "npz"
    npz.mkdir()
    rng = np.random.default_rng(1)
    np.savez(npz / "data.npz", x_train=rng.integers(0, 255, (64, 28, 28), dtype=np.uint8),
             y_train=np.arange(64) % 4, x_test=rng.integers(0, 255, (32, 28, 28), dtype=np.uint8),
             y_test=np.arange(32) % 4)
    out = work / "npz-run"
    ok(tinytf("train", "--dataset", npz, "--model", "lenet5-classic", "--optimizer", "sgd", "--epochs", 1,
              "--batch-size", 32, "--out", out, cwd=work))
    cfg = meta_of(out)["config"]
    assert cfg["num_classes"] == 4 and cfg["optimizer"] == "sgd" and cfg["learning_rate"] == 0.01
    assert cfg["class_names"] == ["0", "1", "2", "3"] and cfg["model"] == "lenet5-classic"
    assert (out / "curves.png").exists()


def test_missing_dataset_says_where_it_looked(tmp_path, capsys):
    env = {"HOME": str(tmp_path), "TINYTF_DATA": str(tmp_path / "data"),
           "TINYTF_DATASETS_URL": "file:///nonexistent-tinytf-mirror/"}
    err = user_error(tinytf_here("train", "--dataset", "mnist", "--limit", 10, cwd=tmp_path, env=env, capsys=capsys),
                     "MNIST data not found", "Looked in", str(tmp_path / "data"), "TINYTF_DATA")
    assert "--dataset DIR" in err
    assert not (tmp_path / "runs").exists()
    user_error(tinytf_here("train", "--dataset", tmp_path / "nowhere", cwd=tmp_path, capsys=capsys), "nowhere")
    (tmp_path / "empty").mkdir()
    user_error(tinytf_here("train", "--dataset", tmp_path / "empty", cwd=tmp_path, capsys=capsys), "IDX files", ".npz")


# ----------------------------------------------------------------------- interruption and resume

def _wait_for_epoch(proc, run, epoch, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            if meta_of(run)["epoch"] >= epoch:
                return
        except (OSError, ValueError, KeyError):
            pass
        assert proc.poll() is None, "training ended before the checkpoint was seen"
        time.sleep(0.01)
    raise AssertionError("no checkpoint in time")


@needs_fashion
def test_kill_9_then_resume_gives_the_uninterrupted_weights(work, no_plot):
    args = [sys.executable, "-m", "tinytf", "train", "--limit", "256", "--batch-size", "64", "--epochs", "4",
            "--seed", "3", "--out"]
    whole, broken = work / "whole", work / "broken"
    uninterrupted = subprocess.Popen(args + [str(whole)], cwd=work, env=no_plot,  # meanwhile
                                     stdout=subprocess.DEVNULL)
    proc = subprocess.Popen(args + [str(broken)], cwd=work, env=no_plot, stdout=subprocess.DEVNULL)
    try:
        _wait_for_epoch(proc, broken, 1)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        assert uninterrupted.wait(timeout=120) == 0
    done = meta_of(broken)["epoch"]
    assert 1 <= done < 4
    out = ok(tinytf("train", "--resume", broken, cwd=work, base=no_plot))
    assert f"epochs {done + 1} to 4" in out
    a, b = arrays_of(whole), arrays_of(broken)
    assert sorted(a) == sorted(b)
    for k in a:  # model weights, optimizer slots and iteration
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    ma, mb = meta_of(whole), meta_of(broken)
    assert ma["rng"] == mb["rng"] and mb["epoch"] == 4
    assert [r["loss"] for r in ma["history"]] == [r["loss"] for r in mb["history"]]
    with open(broken / "history.csv") as f:
        assert [line.split(",")[0] for line in f.read().splitlines()[1:]] == ["1", "2", "3", "4"]


@needs_fashion
def test_ctrl_c_leaves_a_usable_checkpoint_and_says_how_to_resume(work):
    run = work / "interrupted"
    proc = subprocess.Popen([sys.executable, "-m", "tinytf", "train", "--limit", "256", "--batch-size", "64",
                             "--epochs", "30", "--out", str(run)],
                            cwd=work, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_epoch(proc, run, 1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"tinytf train --resume {run}" in lines[0], err
    assert 1 <= meta_of(run)["epoch"] < 30
    assert "Test accuracy" in ok(tinytf("evaluate", run, "--limit", 100, cwd=work))


@needs_fashion
def test_truncated_checkpoint_is_refused_and_nothing_is_touched(run, work, tmp_path, capsys):
    folder = tmp_path / "damaged"
    folder.mkdir()
    for name in ("checkpoint.npz", "best.weights.npz", "history.csv"):
        data = open(os.path.join(run[0], name), "rb").read()
        (folder / name).write_bytes(data[: len(data) // 2] if name == "checkpoint.npz" else data)
    before = snapshot(folder)
    here = dict(cwd=work, capsys=capsys)
    user_error(tinytf_here("train", "--resume", folder, "--epochs", 2, **here), "truncated or corrupted",
               "checkpoint.npz")
    user_error(tinytf_here("evaluate", folder, **here), "truncated or corrupted")
    user_error(tinytf_here("predict", folder, "x.npy", **here), "truncated or corrupted")
    assert snapshot(folder) == before
    user_error(tinytf_here("evaluate", tmp_path / "nothing-here", **here), "no such run folder")


@needs_fashion
def test_run_folder_of_another_model_is_refused(run, work, tmp_path, capsys):
    folder = run[0]
    before = snapshot(folder)
    here = dict(cwd=work, capsys=capsys)
    user_error(tinytf_here("train", "--resume", folder, "--model", "vgg-small", **here), "--model lenet5")
    assert snapshot(folder) == before
    # a checkpoint whose weights do not fit the model its metadata names
    other = tmp_path / "other"
    other.mkdir()
    with np.load(os.path.join(folder, "checkpoint.npz"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["__meta__"]))
    meta["config"]["model"] = "lenet5-classic"
    arrays["__meta__"] = np.array(json.dumps(meta))
    np.savez(other / "checkpoint.npz", **arrays)
    before = snapshot(other)
    user_error(tinytf_here("train", "--resume", other, "--epochs", 3, **here), "does not match model")
    user_error(tinytf_here("evaluate", other, **here), "does not match model")
    assert snapshot(other) == before


# ----------------------------------------------------------------------------- evaluate / predict

@needs_fashion
def test_evaluate_prints_accuracy_per_class_and_confusion(run, work):
    out = ok(tinytf("evaluate", run[0], "--limit", 1000, cwd=work))
    acc = float(re.search(r"Test accuracy: (\d\.\d+) \((\d+)/1000\)", out).group(1))
    assert 0.1 < acc <= 1
    assert "9 Ankle boot" in out and "rows: true class" in out
    rows = [l for l in out.splitlines() if re.match(r"^\d [A-Za-z/ -]+ +(\d+ +){9}\d+$", l)]
    counts = np.array([[int(v) for v in l.split()[-10:]] for l in rows])
    assert counts.shape == (10, 10) and counts.sum() == 1000
    assert abs(np.trace(counts) / 1000 - acc) < 1e-4


@needs_fashion
def test_predict_png_and_npy(run, work, tmp_path, capsys):
    Image = pytest.importorskip("PIL.Image")
    from tinytf.keras.datasets import fashion_mnist
    x = fashion_mnist.load_data()[1][0][0]
    Image.fromarray(x).save(tmp_path / "grey28.png")
    np.save(tmp_path / "same.npy", x)
    big = Image.fromarray(255 - x).resize((84, 84)).convert("RGB")  # dark on light, colour, larger
    big.save(tmp_path / "photo.jpg")
    out = ok(tinytf("predict", run[0], tmp_path / "grey28.png", tmp_path / "same.npy", cwd=work))
    blocks = out.strip().split("\n")
    assert len(blocks) == 8 and blocks[0].endswith("grey28.png") and blocks[4].endswith("same.npy")
    probs = [float(l.split()[-1].rstrip("%")) for l in blocks if l.startswith("  ")]
    assert probs[:3] == probs[3:] and probs[0] >= probs[1] >= probs[2]  # same image, same answer
    names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
             "Ankle boot"}
    assert all(l.strip().rsplit(None, 1)[0] in names for l in blocks if l.startswith("  "))
    out = ok(tinytf("predict", run[0], tmp_path / "photo.jpg", "--invert", "--top", 5, cwd=work))
    assert len(out.strip().splitlines()) == 6
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    here = dict(cwd=work, capsys=capsys)
    user_error(tinytf_here("predict", run[0], tmp_path / "broken.png", **here), "broken.png")
    user_error(tinytf_here("predict", run[0], tmp_path / "missing.png", **here), "missing.png")
    np.save(tmp_path / "wrong.npy", np.zeros((3, 5)))
    user_error(tinytf_here("predict", run[0], tmp_path / "wrong.npy", **here), "wrong.npy", "28x28x1")
    user_error(tinytf("predict", run[0], tmp_path / "grey28.png", cwd=work, env=_blocker(tmp_path / "b", "PIL")),
               "pip install 'tinytf[image]'")


# ----------------------------------------------------------------------------- summary / rf / explain

def _table(out):
    """{layer name: [cells]} from a summary table."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line)[1:-1]]
        if len(cells) > 3 and "(" in cells[0]:
            rows[cells[0].split(" (")[0]] = cells[1:]
    return rows


def test_summary_receptive_fields_jumps_and_flops(work, capsys):
    out = ok(tinytf("summary", cwd=work))
    t = _table(out)
    # (output shape, params, receptive field, jump, FLOPs); FLOPs = 2 per multiply-add
    assert t["conv2d"] == ["(None, 26, 26, 6)", "60", "3", "1", f"{2 * 26 * 26 * 6 * (3 * 3 * 1):,}"]
    assert t["max_pooling2d"][2:4] == ["4", "2"]
    assert t["conv2d_1"] == ["(None, 11, 11, 16)", "880", "8", "2", f"{2 * 11 * 11 * 16 * (3 * 3 * 6):,}"]
    assert t["max_pooling2d_1"][2:4] == ["10", "4"]
    assert t["dense"][-1] == f"{2 * 400 * 120:,}" and t["dense"][2] == "global"
    total = 2 * (26 * 26 * 6 * 9 + 11 * 11 * 16 * 54 + 400 * 120 + 120 * 84 + 84 * 10)
    assert f"Total FLOPs: {total:,}" in out and "Total params: 60,162" in out
    assert "2 per multiply-add" in out
    out = ok(tinytf("summary", "lenet5-classic", "--input-shape", "32,32,1", cwd=work))
    t = _table(out)
    assert t["conv2d"][0] == "(None, 32, 32, 6)" and t["conv2d_1"][2:4] == ["14", "2"]
    user_error(tinytf_here("summary", "alexnet", cwd=work, capsys=capsys), "lenet5")


def test_rf_table_and_unit_window(work, capsys):
    out = ok(tinytf("rf", "conv3,pool2/2,conv3,pool2/2", "--input", 28, "--unit", 2, 3, cwd=work))
    rows = [l.split() for l in out.splitlines()[2:6]]
    assert [r[1] for r in rows] == ["3", "4", "8", "10"]      # receptive field
    assert [r[2] for r in rows] == ["1", "2", "2", "4"]       # jump
    assert [r[3] for r in rows] == ["1", "1.5", "3.5", "4.5"]  # centre of unit 0's field
    assert [r[4] for r in rows] == ["26", "13", "11", "5"]
    # unit (2, 3): centre 4.5 + 4*(2, 3) = (12.5, 16.5), +-4.5
    assert "rows 8..17, cols 12..21" in out
    out = ok(tinytf("rf", "conv5/2s,conv3d2", cwd=work))
    assert [l.split()[1:3] for l in out.splitlines()[2:4]] == [["5", "2"], ["13", "2"]]
    user_error(tinytf_here("rf", "conv3,blob", cwd=work, capsys=capsys), "blob")
    user_error(tinytf_here("rf", "conv3", "--unit", 0, 0, cwd=work, capsys=capsys), "--input")


def test_explain_writes_pictures(work):
    Image = pytest.importorskip("PIL.Image")
    pytest.importorskip("matplotlib")
    out = ok(tinytf("explain", "rf", "pool", "--out", work / "pics", "--dpi", 60, cwd=work))
    paths = out.split()
    assert len(paths) >= 3 and all(p.endswith(".png") for p in paths)
    for p in paths:
        im = Image.open(p)
        w, h = im.size
        assert 150 <= w <= 1400 and 100 <= h <= 1400, (p, im.size)  # ~1400 px at dpi 120: half at 60
        a = np.asarray(im.convert("L"), dtype=float)
        assert a.std() > 10 and (a < 128).mean() > 0.005  # ink on the page


# ----------------------------------------------------------------------------- images (in-process)

def test_image_loader(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    from tinytf.tools import images
    a = np.zeros((40, 20), np.uint8)
    a[10:30, 5:15] = 200
    Image.fromarray(a).convert("RGB").save(tmp_path / "tall.png")
    x = images.load(tmp_path / "tall.png")
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert x[0, :, :3].max() < 0.05 and x[0, 14, 14, 0] > 0.6  # padded with the black border, centred
    inv = images.load(tmp_path / "tall.png", invert=True)
    np.testing.assert_allclose(inv, 1 - x)
    rgba = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    rgba.save(tmp_path / "clear.png")
    assert images.load(tmp_path / "clear.png").min() > 0.99  # transparent -> white
    np.save(tmp_path / "batch.npy", np.full((2, 28, 28, 1), 0.5, np.float32))
    assert images.load(tmp_path / "batch.npy").shape == (2, 28, 28, 1)
    with pytest.raises(images.ImageError, match="nope.png"):
        images.load(tmp_path / "nope.png")


# ------------------------------------------------------------------- run folders: locks, users' files

FAST = ("--epochs", 1, "--batch-size", 32)


def _listing(folder):
    """{name: bytes, or None for a folder}: what a command must leave alone."""
    return {n: None if os.path.isdir(folder / n) else (folder / n).read_bytes() for n in os.listdir(folder)}


def test_two_runs_started_together_into_one_folder(tmp_path, no_plot):
    idx = write_idx_folder(str(tmp_path / "idx"))
    out = tmp_path / "run"
    args = [sys.executable, "-m", "tinytf", "train", "--dataset", idx, "--batch-size", "32", "--epochs", "8",
            "--out", str(out)]
    procs = [subprocess.Popen(args, cwd=tmp_path, env=no_plot, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    res = [(p.communicate(timeout=300), p.returncode) for p in procs]
    assert sorted(rc for _, rc in res) == [0, 2], res
    (_, err), _ = next(r for r in res if r[1] == 2)
    assert "Traceback" not in err and str(out) in err, err
    assert "another tinytf run" in err or "already holds a run" in err, err  # the latter if the first had ended
    assert meta_of(out)["epoch"] == 8 and (out / "report.md").exists()


def test_a_run_folder_is_locked_while_written_and_kill_9_frees_it(tmp_path, no_plot):
    idx = write_idx_folder(str(tmp_path / "idx"))
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "tinytf", "train", "--dataset", idx, "--batch-size", "32",
                             "--epochs", "1000", "--out", str(out)], cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL)
    try:
        _wait_for_epoch(proc, out, 1)
        for more in ((), ("--overwrite",)):
            user_error(tinytf("train", "--dataset", idx, "--out", out, *more, cwd=tmp_path),
                       str(out), "another tinytf run", f"pid {proc.pid}")
        user_error(tinytf("train", "--resume", out, cwd=tmp_path), str(out), "another tinytf run")
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = meta_of(out)["epoch"]
    assert "epochs" in ok(tinytf("train", "--resume", out, "--epochs", done + 1, cwd=tmp_path, base=no_plot))
    assert meta_of(out)["epoch"] == done + 1 and (out / "report.md").exists()
    user_error(tinytf("train", "--dataset", idx, "--out", out, cwd=tmp_path), "already holds a run")


def test_an_out_folder_with_the_users_files_is_not_overwritten(tmp_path, no_plot, capsys):
    idx = write_idx_folder(str(tmp_path / "idx"))
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("report.md", "history.csv", "best.weights.npz", "curves.png", "confusion.png", "notes.txt"):
        (mine / name).write_text(f"my own {name}")
    before = _listing(mine)
    user_error(tinytf_here("train", "--dataset", idx, *FAST, "--out", mine, cwd=tmp_path, capsys=capsys), str(mine),
               "--overwrite", "report.md")
    assert _listing(mine) == before
    ok(tinytf("train", "--dataset", idx, *FAST, "--out", mine, "--overwrite", cwd=tmp_path))
    assert (mine / "notes.txt").read_text() == "my own notes.txt"  # --overwrite replaces only tinytf's files
    assert (mine / "report.md").read_text(encoding="utf-8").startswith("# tinytf run")
    (tmp_path / "empty").mkdir()
    ok(tinytf("train", "--dataset", idx, *FAST, "--out", tmp_path / "empty", cwd=tmp_path, base=no_plot))


def test_resume_deletes_only_tinytfs_own_temp_files(tmp_path, no_plot):
    idx = write_idx_folder(str(tmp_path / "idx"))
    out = tmp_path / "run"
    ok(tinytf("train", "--dataset", idx, *FAST, "--out", out, cwd=tmp_path, base=no_plot))
    users = {".tmp-notes.txt": b"mine", "data.tmp": b"mine", ".tmp-abcdefgh.npz.bak": b"mine"}
    for name, data in users.items():
        (out / name).write_bytes(data)
    for name in (".tmp-folder", "stuff.tmp", ".tmp-abcd_123.npz"):
        (out / name).mkdir()
    ours = (".tmp-k3_x9q0z.npz", "history.csv.tmp", "report.md.tmp", ".tinytf-tmp-curves.png")
    for name in ours:  # what a kill -9 in the middle of a write leaves
        (out / name).write_bytes(b"half")
    ok(tinytf("train", "--resume", out, "--epochs", 2, cwd=tmp_path, base=no_plot))
    left = set(os.listdir(out))
    assert not left & set(ours)
    assert all((out / n).read_bytes() == d for n, d in users.items())
    assert all((out / n).is_dir() for n in (".tmp-folder", "stuff.tmp", ".tmp-abcd_123.npz"))


def test_resume_writes_the_report_a_kill_left_out(tmp_path, no_plot):
    idx = write_idx_folder(str(tmp_path / "idx"))
    out = tmp_path / "run"
    ok(tinytf("train", "--dataset", idx, *FAST, "--out", out, cwd=tmp_path, base=no_plot))  # draws no pictures
    (out / "report.md").unlink()  # as a kill -9 after the last checkpoint leaves the folder
    pictures = ("curves.png", "confusion.png") if _have_matplotlib() else ()
    assert not any((out / name).exists() for name in pictures)
    res = ok(tinytf("train", "--resume", out, cwd=tmp_path))
    assert "report" in res
    for name in ("report.md",) + pictures:
        assert (out / name).stat().st_size > 0, name
    assert "1 of 1 completed" in (out / "report.md").read_text(encoding="utf-8")
    before = snapshot(out)
    assert "nothing to resume" in ok(tinytf("train", "--resume", out, cwd=tmp_path))
    assert snapshot(out) == before
    # a report older than the checkpoint: killed while reporting a run resumed for more epochs
    t = (out / "checkpoint.npz").stat().st_mtime
    os.utime(out / "report.md", (t - 60, t - 60))
    ok(tinytf("train", "--resume", out, cwd=tmp_path, base=no_plot))
    assert (out / "report.md").stat().st_mtime > t - 60


def _have_matplotlib():
    from tinytf.tools import report
    return report.have_matplotlib()


# ----------------------------------------------------------------------------------- bad input

def _npz_dataset(folder, y_train):
    folder.mkdir()
    rng = np.random.default_rng(2)
    np.savez(folder / "data.npz", x_train=rng.integers(0, 255, (len(y_train), 28, 28), dtype=np.uint8),
             y_train=y_train, x_test=rng.integers(0, 255, (8, 28, 28), dtype=np.uint8), y_test=np.arange(8) % 2)
    return folder


def test_bad_labels_are_refused_before_a_run_folder_is_made(tmp_path, capsys):
    cases = {"negative": (np.arange(16) % 3) - 1, "strings": np.array(["cat", "dog"] * 8),
             "fractions": np.linspace(0, 2, 16)}
    for name, y in cases.items():
        data = _npz_dataset(tmp_path / name, y)
        here = dict(cwd=tmp_path, capsys=capsys)
        err = user_error(tinytf_here("train", "--dataset", data, *FAST, **here), "y_train", "data.npz")
        assert err.count("\n") == 1, err
        user_error(tinytf_here("train", "--dataset", data, *FAST, "--out", tmp_path / "out", **here), "y_train")
    assert not (tmp_path / "runs").exists() and not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def idx_run(work, no_plot):
    """One epoch on a small IDX folder: a run folder for the commands that read one."""
    out = work / "idx-run-small"
    ok(tinytf("train", "--dataset", write_idx_folder(str(work / "idx-small")), *FAST, "--out", out, cwd=work,
              base=no_plot))
    return out


def test_predict_refuses_empty_arrays_and_folders(idx_run, tmp_path, capsys):
    np.save(tmp_path / "none.npy", np.zeros((0, 28, 28), np.uint8))
    (tmp_path / "zero-bytes.npy").write_bytes(b"")
    (tmp_path / "pictures").mkdir()
    for name, phrase in (("none.npy", "no images"), ("zero-bytes.npy", "zero-bytes.npy"), ("pictures", "folder")):
        err = user_error(tinytf_here("predict", idx_run, tmp_path / name, cwd=tmp_path, capsys=capsys),
                         str(tmp_path / name), phrase)
        assert "no such file" not in err and err.count("\n") == 1, err


def _copy_run(src, dst, edit=None):
    """A copy of run folder ``src``; ``edit(arrays, meta)`` changes its checkpoint."""
    dst.mkdir()
    with np.load(src / "checkpoint.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["__meta__"]))
    if edit:
        edit(arrays, meta)
    arrays["__meta__"] = np.array(json.dumps(meta))
    np.savez(dst / "checkpoint.npz", **arrays)
    return dst


def test_resume_refuses_a_damaged_checkpoint_without_a_traceback(idx_run, tmp_path, capsys):
    npy = tmp_path / "npy"
    npy.mkdir()
    with open(npy / "checkpoint.npz", "wb") as f:
        np.save(f, np.zeros(3))
    here = dict(cwd=tmp_path, capsys=capsys)
    user_error(tinytf_here("train", "--resume", npy, "--epochs", 2, **here), "checkpoint.npz", "not an .npz")
    user_error(tinytf_here("evaluate", npy, **here), "checkpoint.npz")
    bad_rng = {"string": "PCG64", "missing keys": {"global_seed": 0},
               "bad generator": {"global_seed": 0, "op_uses": [], "bit_generator": {"bit_generator": "Nope"}},
               "bad state": {"global_seed": 0, "op_uses": "x", "bit_generator": {"bit_generator": "PCG64",
                                                                                 "state": {"state": 1}}}}
    for k, (name, rng) in enumerate(bad_rng.items()):
        run = _copy_run(idx_run, tmp_path / f"rng{k}", lambda arrays, meta: meta.update(rng=rng))
        before = snapshot(run)
        user_error(tinytf_here("train", "--resume", run, "--epochs", 2, **here), "checkpoint.npz", "rng")
        assert snapshot(run) == before, name


def test_an_unwritable_run_folder_fails_before_training(idx_run, tmp_path, capsys):
    idx = write_idx_folder(str(tmp_path / "idx"))
    (tmp_path / "file").write_text("not a folder")
    res = tinytf_here("train", "--dataset", idx, *FAST, "--out", tmp_path / "file" / "run", cwd=tmp_path, capsys=capsys)
    user_error(res, str(tmp_path / "file" / "run"))
    assert "Epoch" not in res.stdout
    run = _copy_run(idx_run, tmp_path / "read-only")
    if os.geteuid() != 0:
        os.chmod(run, 0o555)
        undo = lambda: os.chmod(run, 0o755)  # noqa: E731
    elif subprocess.run(["chattr", "+i", str(run)], capture_output=True).returncode == 0:
        undo = lambda: subprocess.run(["chattr", "-i", str(run)], check=True)  # noqa: E731
    else:
        pytest.skip("running as root, where chmod cannot make a folder read-only, and chattr +i failed")
    try:
        res = tinytf_here("train", "--resume", run, "--epochs", 2, cwd=tmp_path, capsys=capsys)
    finally:
        undo()
    user_error(res, str(run), "cannot write")
    assert "Epoch" not in res.stdout


# ------------------------------------------------------------------ recipes: schedule, augmentation

def test_recipe_options_are_validated(capsys):
    from tinytf.cli import main
    for args, phrase in ((["--augment", "rotate"], "argument --augment"), (["--augment", ""], "argument --augment"),
                         (["--schedule", "step"], "argument --schedule: invalid choice"),
                         (["--recipe", "slow"], "argument --recipe: invalid choice")):
        with pytest.raises(SystemExit) as e:
            main(["train", *args])
        assert e.value.code == 2 and phrase in capsys.readouterr().err, args
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "fast90" in out and "onecycle" in out and "lenet5-wide" in out


def test_recipe_sets_defaults_that_options_override(tmp_path):
    from tinytf.cli import main
    idx = write_idx_folder(str(tmp_path / "idx"), n_train=64, n_test=32)
    out = tmp_path / "run"
    assert main(["train", "--dataset", idx, "--recipe", "fast90", "--epochs", "1", "--batch-size", "32",
                 "--augment", "flip", "--out", str(out)]) == 0
    cfg = meta_of(out)["config"]
    assert (cfg["model"], cfg["schedule"], cfg["learning_rate"], cfg["recipe"]) == ("lenet5-wide", "cosine", 3e-3,
                                                                                   "fast90")
    assert (cfg["epochs"], cfg["batch_size"], cfg["augment"]) == (1, 32, ["flip"])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "cosine schedule" in report and "| augmentation | flip |" in report and "fast90" in report


def test_resume_continues_the_schedule_and_augmentation_bit_exactly(tmp_path, monkeypatch):
    from tinytf.cli import main
    from tinytf.tools import checkpoint
    idx = write_idx_folder(str(tmp_path / "idx"), n_train=64, n_test=32)
    args = ["train", "--dataset", idx, "--epochs", "3", "--batch-size", "32", "--seed", "5",
            "--schedule", "onecycle", "--augment", "flip,shift", "--out"]
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert main(args + [str(whole)]) == 0
    end = checkpoint.RunCheckpoint.on_epoch_end

    def stop_after_first(self, epoch, logs=None):
        end(self, epoch, logs)
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.RunCheckpoint, "on_epoch_end", stop_after_first)
    assert main(args + [str(broken)]) == 130
    monkeypatch.undo()
    assert meta_of(broken)["epoch"] == 1
    assert main(["train", "--resume", str(broken), "--augment", "flip"]) == 2
    assert main(["train", "--resume", str(broken), "--epochs", "4"]) == 2  # would change the schedule
    assert main(["train", "--resume", str(broken), "--schedule", "onecycle", "--augment", "shift,flip"]) == 0
    a, b = arrays_of(whole), arrays_of(broken)
    assert sorted(a) == sorted(b) and "optimizer/learning_rate" not in a  # a schedule, not a float
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    ma, mb = meta_of(whole), meta_of(broken)
    assert ma["rng"] == mb["rng"] and [r["loss"] for r in ma["history"]] == [r["loss"] for r in mb["history"]]


def test_runs_from_before_recipes_resume_with_the_defaults(idx_run, tmp_path, capsys):
    from tinytf.cli import main

    def strip(arrays, meta):
        for key in ("schedule", "augment", "recipe"):
            meta["config"].pop(key, None)

    old = _copy_run(idx_run, tmp_path / "old", strip)
    assert main(["train", "--resume", str(old), "--epochs", "2"]) == 0
    assert "(constant), augment none" in capsys.readouterr().out
    cfg = meta_of(old)["config"]
    assert (cfg["schedule"], cfg["augment"], cfg["recipe"]) == ("constant", [], None)
