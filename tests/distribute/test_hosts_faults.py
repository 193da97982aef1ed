"""The faults of a real network between test hosts (tests/distribute/netns.py): a cut link, a host
that dies, a host that cannot be reached at launch, and SIGTERM to the launcher. Skipped where
namespaces cannot be made (not root)."""
import os
import signal
import time

import numpy as np
import pytest

import netns
from hosts_common import DEADLINE, SKIP, empty, finish, gone, start, train, wait_for_epoch, run_weights

from tinytf.tools import checkpoint

pytestmark = SKIP

@pytest.mark.parametrize("fault", ["cut_link", "killed_host"])
def test_fault_ends_the_job_naming_the_host_and_resume_continues(fault, tmp_path):
    with netns.Hosts(2) as hosts:
        run, hostfile = tmp_path / "run", hosts.hostfile(tmp_path / "hosts")
        p = start(["--epochs", "40", "--out", str(run), "--workers", "2", "--hosts", hostfile], hosts,
                   TINYTF_COLLECTIVE_TIMEOUT=str(DEADLINE))
        wait_for_epoch(run, 1, p)
        t0 = time.monotonic()
        if fault == "cut_link":
            hosts.link(1, up=False)
        else:
            hosts.kill(1)
        rc, out, err = finish(p, timeout=60)
        seconds = time.monotonic() - t0
        assert rc != 0 and seconds < DEADLINE + 20, (rc, seconds)
        if fault == "cut_link":  # rank 0 knows whom it waited for
            assert f"rank 0 of 2 on {hosts.names[0]}: no answer from rank 1 on {hosts.names[1]} within " \
                   f"{DEADLINE} s" in err, err[-2000:]
        assert empty(hosts, 0), "processes left running"
        # behind a cut link nothing can stop rank 1: it stops itself at its own deadline (its launch
        # daemon waits for the link; the namespace's teardown ends it)
        assert gone(hosts, 1, DEADLINE + 15), "rank 1 trains on"
        hosts.kill(1)
        epoch, weights = run_weights(run)  # the last checkpoint, complete and loadable
        assert 1 <= epoch < 40 and all(np.isfinite(w).all() for w in weights.values())
        hosts.link(1, up=True)
        rc, out, err = train(["--resume", str(run), "--epochs", str(epoch + 1), "--workers", "2",
                               "--hosts", hostfile], hosts)
        assert rc == 0, out[-2000:] + err[-2000:]
        assert run_weights(run)[0] == epoch + 1


def test_unreachable_host_fails_within_the_launch_timeout(tmp_path):
    with netns.Hosts(2) as hosts:
        hosts.link(1, up=False)
        t0 = time.monotonic()
        rc, out, err = train(["--epochs", "1", "--out", str(tmp_path / "run"), "--workers", "2", "--hosts",
                               hosts.hostfile(tmp_path / "hosts"), "--launch-timeout", "6"], hosts, timeout=60)
        assert rc == 2 and time.monotonic() - t0 < 6 + 15
        # Open MPI gives up at once when the daemon cannot connect back, else the launch timeout ends it
        assert "tinytf: error: the workers did not all start within 6 s (--launch-timeout)" in err or \
            ("tinytf: error: the workers could not start on the machines of --hosts" in err
             and f"no connection from {hosts.addresses[1]}" in err), err[-3000:]
        assert empty(hosts, 0) and empty(hosts, 1), "processes left running"


def test_sigterm_to_the_launcher_stops_every_rank_and_frees_the_run(tmp_path):
    with netns.Hosts(2) as hosts:
        run = tmp_path / "run"
        p = start(["--epochs", "40", "--out", str(run), "--workers", "2",
                    "--hosts", hosts.hostfile(tmp_path / "hosts")], hosts)
        wait_for_epoch(run, 1, p)
        launcher = [pid for pid in hosts.pids(0) if b"tinytf" in open(f"/proc/{pid}/cmdline", "rb").read()
                    and b"prterun" not in open(f"/proc/{pid}/cmdline", "rb").read()]
        t0 = time.monotonic()
        os.kill(min(launcher), signal.SIGTERM)  # the first tinytf process in h0 is the launcher
        rc, out, err = finish(p, timeout=30)
        assert rc == 130 and time.monotonic() - t0 < 10, (rc, err[-2000:])
        assert "SIGTERM: stopped the workers" in err
        assert empty(hosts, 0) and empty(hosts, 1), "processes left running"
        assert checkpoint.lock_holder(str(run)) is None  # the run folder is free for --resume
        assert run_weights(run)[0] >= 1
