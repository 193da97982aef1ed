"""Multi-process training under mpiexec (2 and 3 processes on this machine): agreement with one
worker, bitwise repeatability, rank-0-only output, and bounded failures."""
import os
import platform
import time

import numpy as np
import pytest

from mpirun import WORKER, launch


def _run(n, out, mode="fit", timeout=90, **extra):
    os.makedirs(out, exist_ok=True)
    t0 = time.monotonic()
    p = launch(n, [WORKER, str(out), mode], timeout=timeout, **extra)
    return p, time.monotonic() - t0


def _result(out, n, rank=0):
    with np.load(os.path.join(out, f"result-{n}-{rank}.npz")) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("one")
    p, _ = _run(0, out)
    assert p.returncode == 0, p.stdout + p.stderr
    return _result(out, 1)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    outs = [tmp_path_factory.mktemp("two_a"), tmp_path_factory.mktemp("two_b")]
    procs = []
    for out in outs:
        p, _ = _run(2, out)
        assert p.returncode == 0, p.stdout + p.stderr
        procs.append(p)
    return outs, procs


def _close_to(single, multi):
    for k, v in single.items():
        if k in ("replicas", "synchronized_bn", "shuffles_agree"):
            continue
        np.testing.assert_allclose(multi[k], v, rtol=2e-5, atol=2e-6, err_msg=k)


def test_two_workers_give_the_one_worker_weights_with_synchronized_bn(single, two):
    outs, _ = two
    r0, r1 = _result(outs[0], 2, 0), _result(outs[0], 2, 1)
    assert int(r0["replicas"]) == 2 and int(single["replicas"]) == 1
    assert bool(r0["synchronized_bn"]) and not bool(single["synchronized_bn"])
    assert bool(r0["shuffles_agree"])
    _close_to(single, r0)  # fit (SGD + momentum, synchronized BN), evaluate, custom loop
    for k in r0:  # the replicas hold the same bits
        assert np.array_equal(r0[k], r1[k]), k


def test_two_workers_repeat_bitwise(two):
    outs, _ = two
    a, b = _result(outs[0], 2), _result(outs[1], 2)
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def test_only_rank_0_prints_and_writes(two):
    outs, procs = two
    assert procs[0].stdout.count("Epoch 1/3") == 1
    assert "rank 0 of 2 done" in procs[0].stdout and "rank 1 of 2 done" in procs[0].stdout
    names = sorted(os.listdir(outs[0]))
    assert names == ["ckpt-1.weights.npz", "ckpt-2.weights.npz", "ckpt-3.weights.npz",
                     "result-2-0.npz", "result-2-1.npz"]


def test_three_workers_oversubscribed(single, tmp_path):
    p, _ = _run(3, tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    r = _result(tmp_path, 3)
    _close_to(single, r)
    assert bool(r["shuffles_agree"])


def _checkpoint_intact(path):
    import tinytf as tf
    model = tf.keras.Sequential([
        tf.keras.layers.Input((8, 8, 2)), tf.keras.layers.Conv2D(4, 3),
        tf.keras.layers.BatchNormalization(synchronized=True), tf.keras.layers.ReLU(),
        tf.keras.layers.Flatten(), tf.keras.layers.Dense(3)])
    model.load_weights(str(path))  # a complete file of the worker's model
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_killed_worker_stops_the_job(tmp_path):
    p, seconds = _run(2, tmp_path, "kill", T_TIMEOUT="5")
    assert p.returncode != 0
    assert seconds < 30
    assert "exited on" in p.stdout + p.stderr and "signal 9" in p.stdout + p.stderr  # Open MPI's message
    assert "rank 1 of 2 done" not in p.stdout
    _checkpoint_intact(tmp_path / "ckpt-1.weights.npz")  # the last checkpoint, written before the kill


def test_hung_worker_times_out_with_a_clear_message(tmp_path):
    p, seconds = _run(2, tmp_path, "hang", T_TIMEOUT="3")
    assert p.returncode != 0
    assert seconds < 30
    host = platform.node()
    assert f"rank 0 of 2 on {host}: no answer from rank 1 on {host} within 3 s" in p.stderr
    _checkpoint_intact(tmp_path / "ckpt-1.weights.npz")


def test_mismatched_versions_fail_at_start(tmp_path):
    p, seconds = _run(2, tmp_path, "version")
    assert p.returncode != 0 and seconds < 30
    assert "the workers run different tinytf versions (rank 0" in p.stderr
    assert "rank 1 (" in p.stderr and "9.9.9" in p.stderr
    assert not os.listdir(tmp_path)


def test_worker_that_cannot_import_tinytf_fails_at_start(tmp_path):
    # rank 1 starts MPI, then fails to import tinytf (a rank that dies before MPI starts can make
    # Open MPI 5.0's launcher hang: docs/DISTRIBUTED.md)
    p, seconds = _run(2, tmp_path, "noimport", TINYTF_STARTUP_TIMEOUT="3")
    assert p.returncode != 0 and seconds < 30
    assert "import of tinytf halted" in p.stderr  # the failing rank's ImportError
    assert "rank 0 of 2: not every worker joined within 3 s of the start" in p.stderr
    assert not os.listdir(tmp_path)


def test_cli_train_with_two_workers(tmp_path):
    from mpirun import mpiexec
    mpiexec()  # skips without mpi4py
    data = tmp_path / "npz"
    data.mkdir()
    gen = np.random.default_rng(1)
    np.savez(data / "data.npz", x_train=gen.integers(0, 255, (64, 28, 28), dtype=np.uint8), y_train=np.arange(64) % 4,
             x_test=gen.integers(0, 255, (16, 28, 28), dtype=np.uint8), y_test=np.arange(16) % 4)
    out = tmp_path / "run"
    p = launch(0, ["-m", "tinytf", "train", "--dataset", str(data), "--model", "lenet5-classic", "--epochs", "1",
                   "--batch-size", "32", "--out", str(out), "--workers", "2"], timeout=90)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "running 2 workers" in p.stdout and p.stdout.count("Epoch 1/1") == 1
    assert {"checkpoint.npz", "history.csv", "report.md"} <= set(os.listdir(out))
