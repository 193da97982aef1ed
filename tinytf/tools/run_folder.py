"""The ``tinytf train`` run folder: choosing a new one, refusing one another run is writing or
that holds a run or the user's files, creating and locking it (the lock itself and tinytf's
temp-file names are :mod:`tinytf.tools.checkpoint`'s).
"""
import os
import time

from .errors import UserError

RUN_FILES = ("checkpoint.npz", "best.weights.npz", "history.csv", "curves.png", "confusion.png", "report.md")


def new_run_dir(cfg, out, overwrite=False):
    """The run folder for a new run, after :func:`check_out`; creates nothing."""
    if out is None:
        base = os.path.join("runs", f"{cfg['model']}-{cfg['dataset_label']}-{time.strftime('%Y%m%d-%H%M%S')}")
        out, k = base, 1
        while os.path.exists(out):
            k += 1
            out = f"{base}-{k}"
    check_out(out, overwrite)
    return out


def check_out(out, overwrite, locked=False):
    """Refuse an ``--out`` folder that another run is writing, or (without ``--overwrite``) that
    holds a run or files tinytf did not write. ``locked``: this process holds its lock."""
    from . import checkpoint
    if not os.path.exists(out):
        return
    if not os.path.isdir(out):
        raise UserError(f"--out {out} exists and is not a folder")
    if not locked:
        check_not_locked(out)
    names = sorted(n for n in os.listdir(out) if n != checkpoint.LOCK and not checkpoint.is_temp_file(n))
    if overwrite or not names:
        return
    if checkpoint.CHECKPOINT in names:
        raise UserError(f"{out} already holds a run; continue it with: tinytf train --resume {out} "
                        "(or choose another --out, or replace it with --overwrite)")
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    raise UserError(f"--out {out} is not empty and not a tinytf run (it holds {shown}); choose a new or "
                    f"empty folder, or give --overwrite to replace the files a run writes there "
                    f"({', '.join(RUN_FILES)}) and keep the others")


def check_not_locked(run_dir):
    from . import checkpoint
    pid = checkpoint.lock_holder(run_dir)
    if pid is not None:
        raise locked_error(run_dir, pid)


def locked_error(run_dir, pid):
    who = f" (pid {pid})" if pid else ""
    return UserError(f"another tinytf run{who} is writing {run_dir}; wait for it to end, or use another folder")


def take_run_dir(run_dir):
    """Create and lock the run folder (an open file to keep while writing it), checking that it can
    be written before any training."""
    from . import checkpoint
    try:
        os.makedirs(run_dir, exist_ok=True)
        return checkpoint.lock_run_dir(run_dir)
    except checkpoint.RunLocked as e:
        raise locked_error(run_dir, e.args[0]) from None
    except OSError as e:
        raise UserError(f"cannot write to run folder {run_dir}: {e.strerror or e}") from None


def report_missing(run_dir):
    """Whether report.md is missing or older than the checkpoint (a kill after the last epoch)."""
    from . import checkpoint
    try:
        report = os.stat(os.path.join(run_dir, "report.md")).st_mtime_ns
    except FileNotFoundError:
        return True
    return report < os.stat(os.path.join(run_dir, checkpoint.CHECKPOINT)).st_mtime_ns
