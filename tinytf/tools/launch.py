"""``tinytf train --workers N [--hosts FILE]``: the same command run under ``mpiexec -n N``.

Rank 0 is the command as usual (it alone locks and writes the run folder and prints); the other
ranks train their slice of every batch (tf.distribute) and write nothing. The launcher checks every
option before ``mpiexec`` starts, relays the job's output, waits at most ``--launch-timeout``
seconds for rank 0's line saying that every worker started, and on Ctrl-C / SIGTERM (or that
timeout) stops ``mpiexec`` and every process it started (ranks, ssh or the launch agent), so no
rank trains on as an orphan and the run folder's lock is released.
"""
import os
import signal
import sys
import threading
import time

from .errors import EXIT_INTERRUPT, UserError

WORKERS_PER_CORE = 4  # without --hosts, more ranks than this per core is a typo, not a plan
STOP_GRACE = 3.0      # seconds between SIGTERM to mpiexec and SIGKILL to whatever it left running
ABORT_GRACE = 5.0     # seconds mpiexec has to end the job after a rank stopped it (an unreachable machine can
                      # make it wait for ever for that machine's daemon)
ABORTED = "Stopping all"  # the line of a rank that stops the job (distribute/comm.py: MPIComm.abort)
STARTED = "workers started:"  # rank 0's line once every rank has joined (the launcher waits for it)
FINISHED = "workers finished"  # rank 0's last line when the command succeeded
FORWARDED = ("TINYTF_", "PYTHONPATH", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")  # to other machines' ranks

_announced = False


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
    strategy = distribute.MultiWorkerMirroredStrategy()
    _announce()
    return strategy.scope()


def _announce():
    """Rank 0 says once that every rank joined, and where each runs."""
    global _announced
    from ..distribute import comm
    world = comm.world()
    if world.rank == 0 and not _announced:
        where = ", ".join(f"rank {r} on {h}" for r, h in enumerate(world.hosts or []))
        print(f"tinytf: {world.size} {STARTED} {where}", flush=True)
    _announced = True


def finished(status):
    """Rank 0 says that the command succeeded: Open MPI may end a job with status 0 when a machine
    died, so the launcher trusts only this line."""
    if status == 0 and launched_size() > 1 and launched_rank() == 0:
        print(f"tinytf: {launched_size()} {FINISHED}", flush=True)


def read_hostfile(path):
    """``[(host, slots or None), ...]`` of an Open MPI hostfile (``host [slots=K] ...`` lines, ``#`` comments)."""
    if not os.path.isfile(path):
        raise UserError(f"--hosts {path}: no such file (a hostfile: one 'host slots=K' line per machine)")
    hosts = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            slots = None
            for w in words[1:]:
                key, _, value = w.partition("=")
                if key == "slots":
                    if not value.isdigit() or int(value) < 1:
                        raise UserError(f"--hosts {path}, line {number}: slots must be a positive whole number, "
                                        f"got {value!r}")
                    slots = int(value)
            hosts.append((words[0], slots))
    if not hosts:
        raise UserError(f"--hosts {path} names no machine (one 'host slots=K' line per machine)")
    return hosts


def check_workers(a, batch_size):
    """``--workers``/``--hosts`` against each other and the batch size, before anything starts."""
    n = a.workers if a.workers is not None else 1
    cores = os.cpu_count() or 1
    if a.hosts is not None:
        hosts = read_hostfile(a.hosts)
        bound = sum(s if s is not None else WORKERS_PER_CORE * cores for _, s in hosts)
        where = f"the {bound} slots of --hosts {a.hosts}"
    else:
        bound = WORKERS_PER_CORE * cores
        where = f"{WORKERS_PER_CORE} per core on this machine ({cores} cores)"
    if not 1 <= n <= bound:
        raise UserError(f"--workers must be between 1 and {bound} ({where}), got {n}")
    if batch_size < n:
        raise UserError(f"--batch-size {batch_size} is smaller than --workers {n}: every worker needs at least one "
                        f"image of each batch")
    if a.launch_timeout is not None and not a.launch_timeout > 0:
        raise UserError(f"--launch-timeout must be positive, got {a.launch_timeout}")
    return n


def launch_workers(a, n, train):
    """Run the command (``a.argv``) on ``n`` ranks; with one worker on this machine, ``train(a)``
    here without ``mpiexec``."""
    import shutil
    import subprocess
    if n == 1 and a.hosts is None:
        return train(without_workers(a))
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        raise UserError("--workers needs mpiexec: pip install 'tinytf[distributed]' (mpi4py and Open MPI)")
    cmd = [exe, "-n", str(n)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    env = dict(os.environ)
    if a.hosts is not None:
        cmd += ["--hostfile", a.hosts]
        for name in sorted(env):  # what the ranks on other machines need of this environment
            if name.startswith(FORWARDED):
                cmd += ["-x", name]
    else:  # one machine: the ranks share its cores (one BLAS thread per rank on a 2-core machine)
        cmd.append("--oversubscribe")  # (with --hosts, Open MPI would then put every rank on the first machine)
        per = str(max(1, (os.cpu_count() or 1) // n))
        env.setdefault("OMP_NUM_THREADS", per)
        env.setdefault("OPENBLAS_NUM_THREADS", per)
    cmd += [sys.executable, "-m", "tinytf", *strip_worker_args(a.argv)]
    print(f"tinytf: running {n} workers: {' '.join(cmd)}", flush=True)
    job = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    return Supervisor(job, a.launch_timeout or float(os.environ.get("TINYTF_LAUNCH_TIMEOUT", 60)), a.hosts).run()


class Supervisor:
    """Relays a job's output, and stops the job and everything it started on a signal or when its
    workers do not all start in time."""

    def __init__(self, job, launch_timeout, hosts):
        self.job, self.launch_timeout, self.hosts = job, launch_timeout, hosts
        self.started, self.aborted, self.finished = threading.Event(), None, False
        self.said = b""  # the end of the job's output, for naming a machine that failed to start
        self.stop_signal = None

    def _relay(self, src, dst):
        tail = b""
        for chunk in iter(lambda: os.read(src.fileno(), 65536), b""):
            dst.buffer.write(chunk)
            dst.flush()
            tail = (tail + chunk)[-4096:]
            self.said = (self.said + chunk)[-16384:]
            if STARTED.encode() in tail:
                self.started.set()
            if self.aborted is None and ABORTED.encode() in tail:
                self.aborted = time.monotonic()
            if FINISHED.encode() in tail:
                self.finished = True

    def _on_signal(self, sig, frame):
        self.stop_signal = sig

    def run(self):
        relays = [threading.Thread(target=self._relay, args=(self.job.stdout, sys.stdout), daemon=True),
                  threading.Thread(target=self._relay, args=(self.job.stderr, sys.stderr), daemon=True)]
        for t in relays:
            t.start()
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        old = {s: signal.signal(s, self._on_signal) for s in handled}
        deadline = time.monotonic() + self.launch_timeout
        family, seen = {}, 0.0  # pid -> its start time (a pid may be reused once its process is gone)
        try:
            while self.job.poll() is None:
                if time.monotonic() - seen > 1.0:  # the job's processes, to end any it leaves behind
                    family.update((pid, _started(pid)) for pid in descendants(self.job.pid))
                    seen = time.monotonic()
                if self.stop_signal is not None:
                    stop_job(self.job, list(family))
                    print(f"\ntinytf: {signal.Signals(self.stop_signal).name}: stopped the workers; the last "
                          f"checkpoint is kept (continue with --resume)", file=sys.stderr, flush=True)
                    return EXIT_INTERRUPT
                if self.aborted is not None and time.monotonic() > self.aborted + ABORT_GRACE:
                    from ..distribute.comm import ABORT_EXIT
                    stop_job(self.job, list(family))
                    print(f"tinytf: mpiexec did not end the job within {ABORT_GRACE:g} s of a worker stopping it "
                          f"(a machine it cannot reach?); stopped every process it started here", file=sys.stderr,
                          flush=True)
                    return ABORT_EXIT
                if not self.started.is_set() and time.monotonic() > deadline:
                    stop_job(self.job, list(family))
                    where = f"the machines of --hosts {self.hosts}" if self.hosts else "this machine"
                    raise UserError(f"the workers did not all start within {self.launch_timeout:g} s "
                                    f"(--launch-timeout) on {where}: a machine that does not answer, no ssh "
                                    f"access, or a firewall between them; every process the launch started "
                                    f"is stopped")
                time.sleep(0.05)
        finally:
            for s, h in old.items():
                signal.signal(s, h)
            for t in relays:
                t.join(timeout=2)
        if _alive(family):  # mpiexec ended but left processes behind (a rank it could not reach in time)
            time.sleep(STOP_GRACE)
            for pid in _alive(family):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if not self.started.is_set() and self.job.returncode != 0:
            where = f"the machines of --hosts {self.hosts}" if self.hosts else "this machine"
            import re
            named = sorted(set(re.findall(rb"Remote host:\s*(\S+)", self.said)))
            which = f": no connection from {', '.join(h.decode(errors='replace') for h in named)}" if named else ""
            raise UserError(f"the workers could not start on {where}{which} (mpiexec's exit status "
                            f"{self.job.returncode}; its message is above)")
        if self.job.returncode == 0 and not self.finished:
            from ..distribute.comm import ABORT_EXIT
            print("tinytf: the job ended before rank 0 finished (a worker or a machine was lost: see above); "
                  "the last checkpoint is kept (continue with --resume)", file=sys.stderr, flush=True)
            return ABORT_EXIT
        return self.job.returncode


def descendants(pid):
    """Every living process started (directly or not) by ``pid``, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop_job(job, family=()):
    """SIGTERM to ``mpiexec`` (it stops its ranks), then SIGKILL to whatever of the job is left
    (``family``: its processes seen earlier, which may have lost their parent by now)."""
    import subprocess
    family = list(family) + descendants(job.pid)
    job.send_signal(signal.SIGTERM)
    try:
        job.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        pass
    family += descendants(job.pid)
    try:
        os.killpg(job.pid, signal.SIGKILL)  # the job's process group (mpiexec started a new session)
    except OSError:
        pass
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    job.wait()


def _started(pid):
    """The start time of process ``pid`` (clock ticks since boot), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(family):
    """The pids of ``family`` (pid -> start time) whose process still runs: same start time, not a zombie."""
    alive = []
    for pid, started in family.items():
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if started is not None and int(fields[19]) == started and fields[0] != b"Z":
            alive.append(pid)
    return alive


def without_workers(a):
    a.workers = a.hosts = None
    return a


def strip_worker_args(argv):
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--workers", "--hosts", "--launch-timeout"):
            skip = True
        elif not arg.startswith(("--workers=", "--hosts=", "--launch-timeout=")):
            out.append(arg)
    return out


def stop_workers(message):
    """Under `train --workers`, a rank that fails stops the others (they would wait for it)."""
    from ..distribute import comm
    if comm.launched_size() > 1:
        comm.world().abort(message)  # joins the others first if this rank failed before training
