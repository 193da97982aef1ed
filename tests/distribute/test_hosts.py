"""`tinytf train --workers 2 --hosts FILE` across "machines" that are network namespaces on this one
(tests/distribute/netns.py): each rank in its own namespace with its own address, talking TCP over
veth pairs and a bridge, launched by Open MPI through scripts/netns-rsh instead of ssh. Then the
faults of a real network: a cut link, a host that dies, a slow link, a host that cannot be
reached at launch, and SIGTERM to the launcher. Skipped where namespaces cannot be made (not root)."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import netns
from mpirun import ROOT, env, mpiexec

from tinytf.tools import checkpoint

WHY_NOT = netns.available()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"no test hosts: {WHY_NOT}")

TRAIN = ["--limit", "384", "--batch-size", "64", "--seed", "3"]
DEADLINE = 4  # seconds: the collective timeout of the fault tests


def _env(**extra):
    mpiexec()  # skips without mpi4py / mpiexec
    return env(PRTE_MCA_plm_ssh_agent=netns.AGENT, **extra)


def _start(argv, hosts=None, **extra):
    cmd = [sys.executable, "-m", "tinytf", "train", *TRAIN, *argv]
    if hosts is not None:
        cmd = hosts.argv(0, cmd)
    return subprocess.Popen(cmd, env=_env(**extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _finish(p, timeout=120):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"did not end within {timeout} s\n{out[-3000:]}\n{err[-3000:]}")
    return p.returncode, out, err


def _train(argv, hosts=None, timeout=120, **extra):
    return _finish(_start(argv, hosts, **extra), timeout)


def _weights(run):
    meta, weights, _ = checkpoint.load(str(run))
    return meta["epoch"], weights


def _wait_for_epoch(run, epoch, p, limit=90):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if p.poll() is not None:
            pytest.fail(f"the run ended early: {p.communicate()}")
        try:
            if _weights(run)[0] >= epoch:
                return
        except Exception:  # noqa: BLE001 - not written yet
            pass
        time.sleep(0.2)
    pytest.fail(f"epoch {epoch} was not reached within {limit} s")


def _empty(hosts, i, limit=5):
    """No process at all left in host ``i`` within ``limit`` seconds (the killed ones being reaped)."""
    t0 = time.monotonic()
    while hosts.pids(i) and time.monotonic() - t0 < limit:
        time.sleep(0.1)
    return not hosts.pids(i)


def _gone(hosts, i, limit):
    """No tinytf process left in host ``i`` within ``limit`` seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        alive = []
        for pid in hosts.pids(i):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    alive += [pid] if b"tinytf" in f.read() else []
            except OSError:
                pass
        if not alive:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def one_machine(tmp_path_factory):
    """Two workers on this machine, 2 epochs: the reference."""
    run = tmp_path_factory.mktemp("local") / "run"
    rc, out, err = _train(["--epochs", "2", "--out", str(run), "--workers", "2"])
    assert rc == 0, out[-2000:] + err[-2000:]
    return run


def test_two_hosts_give_the_one_machine_weights(one_machine, tmp_path):
    with netns.Hosts(2) as hosts:
        run = tmp_path / "run"
        rc, out, err = _train(["--epochs", "2", "--out", str(run), "--workers", "2",
                               "--hosts", hosts.hostfile(tmp_path / "hosts")], hosts)
        assert rc == 0, out[-2000:] + err[-2000:]
        assert f"2 workers started: rank 0 on {hosts.names[0]}, rank 1 on {hosts.names[1]}" in out
    (e1, w1), (e2, w2) = _weights(one_machine), _weights(run)
    assert e1 == e2 == 2 and w1.keys() == w2.keys()
    for k in w1:  # the same ranks adding in the same order: the same bits, whatever carries them
        assert np.array_equal(w1[k], w2[k]), k


def test_slow_link_still_trains_to_the_same_weights(one_machine, tmp_path):
    with netns.Hosts(2) as hosts:
        hosts.slow(1)
        run = tmp_path / "run"
        rc, out, err = _train(["--epochs", "2", "--out", str(run), "--workers", "2",
                               "--hosts", hosts.hostfile(tmp_path / "hosts")], hosts)
        assert rc == 0, out[-2000:] + err[-2000:]
    w1, w2 = _weights(one_machine)[1], _weights(run)[1]
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)


@pytest.mark.parametrize("fault", ["cut_link", "killed_host"])
def test_fault_ends_the_job_naming_the_host_and_resume_continues(fault, tmp_path):
    with netns.Hosts(2) as hosts:
        run, hostfile = tmp_path / "run", hosts.hostfile(tmp_path / "hosts")
        p = _start(["--epochs", "40", "--out", str(run), "--workers", "2", "--hosts", hostfile], hosts,
                   TINYTF_COLLECTIVE_TIMEOUT=str(DEADLINE))
        _wait_for_epoch(run, 1, p)
        t0 = time.monotonic()
        if fault == "cut_link":
            hosts.link(1, up=False)
        else:
            hosts.kill(1)
        rc, out, err = _finish(p, timeout=60)
        seconds = time.monotonic() - t0
        assert rc != 0 and seconds < DEADLINE + 20, (rc, seconds)
        if fault == "cut_link":  # rank 0 knows whom it waited for
            assert f"rank 0 of 2 on {hosts.names[0]}: no answer from rank 1 on {hosts.names[1]} within " \
                   f"{DEADLINE} s" in err, err[-2000:]
        assert _empty(hosts, 0), "processes left running"
        # behind a cut link nothing can stop rank 1: it stops itself at its own deadline (its launch
        # daemon waits for the link; the namespace's teardown ends it)
        assert _gone(hosts, 1, DEADLINE + 15), "rank 1 trains on"
        hosts.kill(1)
        epoch, weights = _weights(run)  # the last checkpoint, complete and loadable
        assert 1 <= epoch < 40 and all(np.isfinite(w).all() for w in weights.values())
        hosts.link(1, up=True)
        rc, out, err = _train(["--resume", str(run), "--epochs", str(epoch + 1), "--workers", "2",
                               "--hosts", hostfile], hosts)
        assert rc == 0, out[-2000:] + err[-2000:]
        assert _weights(run)[0] == epoch + 1


def test_unreachable_host_fails_within_the_launch_timeout(tmp_path):
    with netns.Hosts(2) as hosts:
        hosts.link(1, up=False)
        t0 = time.monotonic()
        rc, out, err = _train(["--epochs", "1", "--out", str(tmp_path / "run"), "--workers", "2", "--hosts",
                               hosts.hostfile(tmp_path / "hosts"), "--launch-timeout", "6"], hosts, timeout=60)
        assert rc == 2 and time.monotonic() - t0 < 6 + 15
        # Open MPI gives up at once when the daemon cannot connect back, else the launch timeout ends it
        assert "tinytf: error: the workers did not all start within 6 s (--launch-timeout)" in err or \
            ("tinytf: error: the workers could not start on the machines of --hosts" in err
             and f"no connection from {hosts.addresses[1]}" in err), err[-3000:]
        assert _empty(hosts, 0) and _empty(hosts, 1), "processes left running"


def test_sigterm_to_the_launcher_stops_every_rank_and_frees_the_run(tmp_path):
    with netns.Hosts(2) as hosts:
        run = tmp_path / "run"
        p = _start(["--epochs", "40", "--out", str(run), "--workers", "2",
                    "--hosts", hosts.hostfile(tmp_path / "hosts")], hosts)
        _wait_for_epoch(run, 1, p)
        launcher = [pid for pid in hosts.pids(0) if b"tinytf" in open(f"/proc/{pid}/cmdline", "rb").read()
                    and b"prterun" not in open(f"/proc/{pid}/cmdline", "rb").read()]
        t0 = time.monotonic()
        os.kill(min(launcher), signal.SIGTERM)  # the first tinytf process in h0 is the launcher
        rc, out, err = _finish(p, timeout=30)
        assert rc == 130 and time.monotonic() - t0 < 10, (rc, err[-2000:])
        assert "SIGTERM: stopped the workers" in err
        assert _empty(hosts, 0) and _empty(hosts, 1), "processes left running"
        assert checkpoint.lock_holder(str(run)) is None  # the run folder is free for --resume
        assert _weights(run)[0] >= 1


def test_resume_with_another_number_of_workers(tmp_path):
    """2 workers for 2 epochs, then 1 process for the 3rd: the run 2 workers would have made, up to
    float32 rounding (the global batch, the data order and the RNG state are the checkpoint's; the
    gradient sum's order differs). A model without batch norm: a BatchNormalization layer that is
    not synchronized normalises each worker's slice of the batch, so its steps depend on the count."""
    import shutil
    first = tmp_path / "first"
    rc, out, err = _train(["--model", "lenet5-classic", "--epochs", "2", "--out", str(first), "--workers", "2"])
    assert rc == 0, out[-2000:] + err[-2000:]
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(first, one)
    shutil.copytree(first, two)
    rc, out, err = _train(["--resume", str(one), "--epochs", "3"])
    assert rc == 0, out[-2000:] + err[-2000:]
    rc, out, err = _train(["--resume", str(two), "--epochs", "3", "--workers", "2"])
    assert rc == 0, out[-2000:] + err[-2000:]
    (e1, w1), (e2, w2) = _weights(one), _weights(two)
    assert e1 == e2 == 3
    moved = False
    for k in w1:
        np.testing.assert_allclose(w1[k], w2[k], rtol=1e-5, atol=1e-6, err_msg=k)
        moved |= not np.array_equal(w1[k], _weights(first)[1][k])
    assert moved  # the third epoch trained
