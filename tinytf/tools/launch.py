"""``tinytf train --workers N [--hosts FILE]``: the same command run under ``mpiexec -n N``.

Rank 0 is the command as usual (it alone locks and writes the run folder and prints); the other
ranks train their slice of every batch (tf.distribute) and write nothing.
"""
import os
import sys

from .errors import UserError


def launched_size():
    from ..distribute.comm import launched_size
    return launched_size()


def launched_rank():
    from ..distribute.comm import launched_rank
    return launched_rank()


def workers_scope():
    import contextlib
    if launched_size() <= 1:
        return contextlib.nullcontext()
    from .. import distribute
    return distribute.MultiWorkerMirroredStrategy().scope()


def launch_workers(a, train):
    """Run the command (``a.argv``) on ``--workers`` ranks; with one worker on this machine,
    ``train(a)`` here without ``mpiexec``."""
    import shutil
    import subprocess
    n = a.workers if a.workers is not None else 1
    if n < 1:
        raise UserError(f"--workers must be at least 1, got {n}")
    if a.hosts is not None and not os.path.isfile(a.hosts):
        raise UserError(f"--hosts {a.hosts}: no such file (a hostfile: one 'host slots=K' line per machine)")
    if n == 1 and a.hosts is None:
        return train(without_workers(a))
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        raise UserError("--workers needs mpiexec: pip install 'tinytf[distributed]' (mpi4py and Open MPI)")
    cmd = [exe, "-n", str(n), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    env = dict(os.environ)
    if a.hosts is not None:
        cmd += ["--hostfile", a.hosts]
    else:  # one machine: the ranks share its cores (one BLAS thread per rank on a 2-core machine)
        per = str(max(1, (os.cpu_count() or 1) // n))
        env.setdefault("OMP_NUM_THREADS", per)
        env.setdefault("OPENBLAS_NUM_THREADS", per)
    cmd += [sys.executable, "-m", "tinytf", *strip_worker_args(a.argv)]
    print(f"tinytf: running {n} workers: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, env=env)


def without_workers(a):
    a.workers = a.hosts = None
    return a


def strip_worker_args(argv):
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--workers", "--hosts"):
            skip = True
        elif not arg.startswith(("--workers=", "--hosts=")):
            out.append(arg)
    return out


def stop_workers(message):
    """Under `train --workers`, a rank that fails stops the others (they would wait for it)."""
    from ..distribute import comm
    if comm.launched_size() > 1:
        comm.world().abort(message)  # joins the others first if this rank failed before training
