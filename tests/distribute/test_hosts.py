"""`tinytf train --workers 2 --hosts FILE` across "machines" that are network namespaces on this one
(tests/distribute/netns.py): each rank in its own namespace with its own address, talking TCP over
veth pairs and a bridge, launched by Open MPI through scripts/netns-rsh instead of ssh: the same
weights as one machine, also over a slow link, and `--resume` with another number of workers. The
faults are in test_hosts_faults.py. Skipped where namespaces cannot be made (not root)."""
import shutil

import numpy as np
import pytest

import netns
from hosts_common import SKIP, run_weights, train

pytestmark = SKIP

@pytest.fixture(scope="module")
def one_machine(tmp_path_factory):
    """Two workers on this machine, 2 epochs: the reference."""
    run = tmp_path_factory.mktemp("local") / "run"
    rc, out, err = train(["--epochs", "2", "--out", str(run), "--workers", "2"])
    assert rc == 0, out[-2000:] + err[-2000:]
    return run


def test_two_hosts_give_the_one_machine_weights(one_machine, tmp_path):
    with netns.Hosts(2) as hosts:
        run = tmp_path / "run"
        rc, out, err = train(["--epochs", "2", "--out", str(run), "--workers", "2",
                               "--hosts", hosts.hostfile(tmp_path / "hosts")], hosts)
        assert rc == 0, out[-2000:] + err[-2000:]
        assert f"2 workers started: rank 0 on {hosts.names[0]}, rank 1 on {hosts.names[1]}" in out
    (e1, w1), (e2, w2) = run_weights(one_machine), run_weights(run)
    assert e1 == e2 == 2 and w1.keys() == w2.keys()
    for k in w1:  # the same ranks adding in the same order: the same bits, whatever carries them
        assert np.array_equal(w1[k], w2[k]), k


def test_slow_link_still_trains_to_the_same_weights(one_machine, tmp_path):
    with netns.Hosts(2) as hosts:
        hosts.slow(1)
        run = tmp_path / "run"
        rc, out, err = train(["--epochs", "2", "--out", str(run), "--workers", "2",
                               "--hosts", hosts.hostfile(tmp_path / "hosts")], hosts)
        assert rc == 0, out[-2000:] + err[-2000:]
    w1, w2 = run_weights(one_machine)[1], run_weights(run)[1]
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)


def test_resume_with_another_number_of_workers(tmp_path):
    """2 workers for 2 epochs, then 1 process for the 3rd: the run 2 workers would have made, up to
    float32 rounding (the global batch, the data order and the RNG state are the checkpoint's; the
    gradient sum's order differs). A model without batch norm: a BatchNormalization layer that is
    not synchronized normalises each worker's slice of the batch, so its steps depend on the count."""
    first = tmp_path / "first"
    rc, out, err = train(["--model", "lenet5-classic", "--epochs", "2", "--out", str(first), "--workers", "2"])
    assert rc == 0, out[-2000:] + err[-2000:]
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(first, one)
    shutil.copytree(first, two)
    rc, out, err = train(["--resume", str(one), "--epochs", "3"])
    assert rc == 0, out[-2000:] + err[-2000:]
    rc, out, err = train(["--resume", str(two), "--epochs", "3", "--workers", "2"])
    assert rc == 0, out[-2000:] + err[-2000:]
    (e1, w1), (e2, w2) = run_weights(one), run_weights(two)
    assert e1 == e2 == 3
    moved = False
    for k in w1:
        np.testing.assert_allclose(w1[k], w2[k], rtol=1e-5, atol=1e-6, err_msg=k)
        moved |= not np.array_equal(w1[k], run_weights(first)[1][k])
    assert moved  # the third epoch trained
