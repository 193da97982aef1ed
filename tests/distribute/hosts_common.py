"""What tests/distribute/test_hosts.py and test_hosts_faults.py share: `tinytf train` run in a test
host (tests/distribute/netns.py) or on this machine, and the run's checkpoint."""

import os
import signal
import subprocess
import sys
import time

import pytest

import netns
from mpirun import ROOT, env, mpiexec

from tinytf.tools import checkpoint

WHY_NOT = netns.available()
SKIP = pytest.mark.skipif(WHY_NOT is not None, reason=f"no test hosts: {WHY_NOT}")

TRAIN = ["--limit", "384", "--batch-size", "64", "--seed", "3"]
DEADLINE = 4  # seconds: the collective timeout of the fault tests


def host_env(**extra):
    mpiexec()  # skips without mpi4py / mpiexec
    return env(PRTE_MCA_plm_ssh_agent=netns.AGENT, **extra)


def start(argv, hosts=None, **extra):
    cmd = [sys.executable, "-m", "tinytf", "train", *TRAIN, *argv]
    if hosts is not None:
        cmd = hosts.argv(0, cmd)
    return subprocess.Popen(cmd, env=host_env(**extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def finish(p, timeout=120):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"did not end within {timeout} s\n{out[-3000:]}\n{err[-3000:]}")
    return p.returncode, out, err


def train(argv, hosts=None, timeout=120, **extra):
    return finish(start(argv, hosts, **extra), timeout)


def run_weights(run):
    meta, weights, _ = checkpoint.load(str(run))
    return meta["epoch"], weights


def wait_for_epoch(run, epoch, p, limit=90):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if p.poll() is not None:
            pytest.fail(f"the run ended early: {p.communicate()}")
        try:
            if run_weights(run)[0] >= epoch:
                return
        except Exception:  # noqa: BLE001 - not written yet
            pass
        time.sleep(0.2)
    pytest.fail(f"epoch {epoch} was not reached within {limit} s")


def empty(hosts, i, limit=5):
    """No process at all left in host ``i`` within ``limit`` seconds (the killed ones being reaped)."""
    t0 = time.monotonic()
    while hosts.pids(i) and time.monotonic() - t0 < limit:
        time.sleep(0.1)
    return not hosts.pids(i)


def gone(hosts, i, limit):
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
