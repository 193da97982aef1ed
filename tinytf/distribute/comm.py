"""The processes a strategy trains on: one process (``LocalComm``) or the MPI world (``MPIComm``).

Every collective is deterministic: a sum adds the ranks' buffers **in rank order**, element by
element, so all ranks hold the same bits and a run repeats bit for bit (no reduction order depends
on timing or on the network). How the buffers travel depends on their size (``MPIComm.sum_arrays``):
small sums are an all-gather of every buffer followed by the rank-order sum on every rank (one
round, (N-1) x the buffer sent per rank); large ones a reduce-scatter and an all-gather (rank ``r``
receives slice ``r`` of every buffer, adds the slices in rank order, sends its sum to every rank:
2 (N-1)/N x the buffer sent per rank). Both give the same bits. Every transfer is point to point,
nonblocking and polled against a deadline: a rank that does not answer within ``timeout`` seconds
(killed, hung, a cut link, a lost machine) makes the others print a message naming it and its host,
and ``Abort`` the whole job instead of hanging. Nothing that changes a number depends on the polling.
"""
import json
import os
import sys
import time

import numpy as np

ABORT_EXIT = 75  # the exit status of a job that a collective timeout aborted
ABORT_GRACE = 5.0  # seconds MPI_Abort has to end this process before it ends itself
# Sums of buffers up to this size (bytes) travel as one all-gather, larger ones as reduce-scatter +
# all-gather (docs/DISTRIBUTED.md, "Moving the gradients": the measured crossover).
SCATTER_ABOVE = 256 * 1024
_TAG = 7  # every point-to-point message of the collectives; MPI keeps their order between two ranks
_RANK_VARS = ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MPI_LOCALNRANKS")


def launched_size():
    """How many processes the launcher (``mpiexec``) started, from its environment; 1 without one."""
    for k in _SIZE_VARS:
        if os.environ.get(k, "").isdigit():
            return int(os.environ[k])
    return 1


def launched_rank():
    for k in _RANK_VARS:
        if os.environ.get(k, "").isdigit():
            return int(os.environ[k])
    return 0


class LocalComm:
    """One process: every collective is the identity."""
    rank, size = 0, 1

    def sum_arrays(self, arrays, what="sum"):
        return [np.array(a, copy=True) for a in arrays]

    def gather_arrays(self, array, what="gather"):
        return [np.array(array, copy=True)]

    def bcast_bytes(self, data, what="broadcast"):
        return data

    def allgather_bytes(self, data, what="allgather"):
        return [data]

    def barrier(self, what="barrier"):
        pass


class MPIComm:
    """``MPI.COMM_WORLD`` with deadline-polled nonblocking collectives."""

    def __init__(self, timeout, startup_timeout):
        import threading
        # MPI_Init waits for every process of the job; one that died before it (cannot import tinytf,
        # a script error) would make it wait for ever: a watchdog ends this process instead.
        watchdog = threading.Timer(startup_timeout, _startup_failed, (startup_timeout,))
        watchdog.daemon = True
        watchdog.start()
        try:
            from mpi4py import MPI
            MPI.COMM_WORLD.Barrier()
        except ImportError as e:
            watchdog.cancel()
            raise ImportError(
                f"tinytf.distribute: this process was started by mpiexec with {launched_size()} processes, but "
                f"mpi4py cannot be imported ({e}); install it with: pip install 'tinytf[distributed]'") from e
        watchdog.cancel()
        self.MPI, self.comm = MPI, MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.timeout = float(timeout)
        self.comm_seconds = 0.0  # time spent in collectives (for the measurements in DISTRIBUTED.md)
        self.calls = 0
        self.hosts = None  # each rank's machine, known after the version check
        # an uncaught exception on one rank (mpi4py then finalizes MPI and exits cleanly) would leave
        # the others waiting for it: print it, then stop the whole job
        plain = sys.excepthook

        def excepthook(kind, value, tb):
            plain(kind, value, tb)
            self.abort(f"an uncaught {kind.__name__} ended this worker")
        sys.excepthook = excepthook

    # ---- waiting with a deadline ----------------------------------------------------------------
    def _wait(self, req, what, timeout=None):
        self._wait_all({None: [req]}, what, timeout)

    def _wait_all(self, requests, what, timeout=None):
        """Wait for ``requests`` (peer rank -> its requests; None: a collective of all ranks) until
        the deadline; past it, abort naming the peers whose transfers did not complete."""
        t0 = time.perf_counter()
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        delay = 0.0
        pending = {peer: list(reqs) for peer, reqs in requests.items()}
        while True:
            pending = {peer: left for peer, reqs in pending.items() if (left := [r for r in reqs if not r.Test()])}
            if not pending:
                break
            if time.monotonic() > deadline:
                self.abort(f"no answer from {self._who(pending)} within {limit:g} s during {what}: a worker died, "
                           f"hangs or lost its connection")
            time.sleep(delay)
            delay = min(delay * 2 or 2e-5, 1e-3)
        self.comm_seconds += time.perf_counter() - t0
        self.calls += 1

    def _who(self, peers):
        if None in peers:
            return "every worker"
        return ", ".join(f"rank {p}" + (f" on {self.hosts[p]}" if self.hosts else "") for p in sorted(peers))

    def abort(self, message):
        sys.stdout.flush()
        me = f"rank {self.rank} of {self.size}" + (f" on {self.hosts[self.rank]}" if self.hosts else "")
        sys.stderr.write(f"\ntinytf.distribute: {me}: {message}. Stopping all {self.size} workers (exit status "
                         f"{ABORT_EXIT}); files already written (checkpoints) are complete.\n")
        sys.stderr.flush()
        import threading  # MPI_Abort can wait for ever for a launcher it cannot reach: end this process then
        threading.Timer(ABORT_GRACE, os._exit, (ABORT_EXIT,)).start()
        self.comm.Abort(ABORT_EXIT)

    # ---- collectives ------------------------------------------------------------------------------
    def _exchange(self, sends, recvs, what, timeout=None):
        """Point to point: ``sends[p]`` goes to rank ``p`` while ``recvs[p]`` is filled from rank ``p``."""
        requests = {}
        for p, buf in recvs.items():
            requests.setdefault(p, []).append(self.comm.Irecv(buf, source=p, tag=_TAG))
        for p, buf in sends.items():
            requests.setdefault(p, []).append(self.comm.Isend(buf, dest=p, tag=_TAG))
        self._wait_all(requests, what, timeout)

    def gather_arrays(self, array, what="gather", timeout=None):
        """Every rank's ``array`` (same shape and dtype on all ranks), in rank order, on every rank."""
        a = np.ascontiguousarray(array)
        out = np.empty((self.size,) + a.shape, a.dtype)
        out[self.rank] = a
        peers = [p for p in range(self.size) if p != self.rank]
        self._exchange({p: a for p in peers}, {p: out[p] for p in peers}, what, timeout)
        return list(out)

    def sum_arrays(self, arrays, what="sum"):
        """Element-wise sums over the ranks of each array, added in rank order (the same bits on
        every rank). Arrays of one dtype travel in one message."""
        arrays = [np.asarray(a) for a in arrays]
        out = [None] * len(arrays)
        for dt in sorted({a.dtype.str for a in arrays}):
            idx = [i for i, a in enumerate(arrays) if a.dtype.str == dt]
            flat = np.concatenate([arrays[i].ravel() for i in idx])
            total = self.sum_flat(flat, what)
            pos = 0
            for i in idx:
                n = arrays[i].size
                out[i] = total[pos:pos + n].reshape(arrays[i].shape)
                pos += n
        return out

    def sum_flat(self, flat, what="sum", scatter_above=None):
        """The rank-order sum of a 1-D buffer: all-gather for small buffers and for two ranks (a
        scatter would move no fewer bytes), else reduce-scatter + all-gather (same bits)."""
        limit = SCATTER_ABOVE if scatter_above is None else scatter_above
        if flat.nbytes <= limit or self.size == 2:
            return rank_order_sum(self.gather_arrays(flat, what))
        cuts = slice_bounds(flat.size, self.size)
        mine = slice(*cuts[self.rank])
        parts = np.empty((self.size, mine.stop - mine.start), flat.dtype)
        parts[self.rank] = flat[mine]
        peers = [p for p in range(self.size) if p != self.rank]
        self._exchange({p: np.ascontiguousarray(flat[slice(*cuts[p])]) for p in peers},
                       {p: parts[p] for p in peers}, what)
        total = np.empty_like(flat)
        total[mine] = rank_order_sum(parts)
        self._exchange({p: total[mine] for p in peers}, {p: total[slice(*cuts[p])] for p in peers}, what)
        return total

    def allgather_bytes(self, data, what="allgather", timeout=None):
        n = np.array([len(data)], np.int64)
        sizes = [int(s[0]) for s in self.gather_arrays(n, what, timeout)]
        buf = np.zeros(max(sizes), np.uint8)
        buf[:len(data)] = np.frombuffer(data, np.uint8)
        parts = self.gather_arrays(buf, what, timeout)
        return [bytes(p[:s]) for p, s in zip(parts, sizes)]

    def bcast_bytes(self, data, what="broadcast"):
        """Rank 0's ``data`` on every rank."""
        n = np.array([len(data) if self.rank == 0 else 0], np.int64)
        self._wait(self.comm.Ibcast(n, root=0), what)
        buf = np.zeros(int(n[0]), np.uint8)
        if self.rank == 0:
            buf[:] = np.frombuffer(data, np.uint8)
        self._wait(self.comm.Ibcast(buf, root=0), what)
        return bytes(buf)

    def barrier(self, what="barrier"):
        self._wait(self.comm.Ibarrier(), what)


def rank_order_sum(parts):
    """``parts[0] + parts[1] + ...`` in that order (the one summation order of every collective)."""
    total = np.array(parts[0], copy=True)
    for p in parts[1:]:
        total += p
    return total


def slice_bounds(n, k):
    """``k`` contiguous ``(start, stop)`` slices of ``range(n)``, the first ``n % k`` one longer."""
    size, extra = divmod(n, k)
    starts = [r * size + min(r, extra) for r in range(k + 1)]
    return [(starts[r], starts[r + 1]) for r in range(k)]


def bcast_json(comm, obj, what):
    return json.loads(comm.bcast_bytes(json.dumps(obj).encode() if comm.rank == 0 else b"", what).decode())


_WORLD = None


def current_world():
    """The communicator ``world()`` made, or None before any strategy asked for it."""
    return _WORLD


def world(timeout=None, startup_timeout=None):
    """The process-wide communicator, created once: ``LocalComm`` unless launched by mpiexec with
    more than one process. On creation every rank checks that all run the same tinytf."""
    global _WORLD
    if _WORLD is None:
        if launched_size() <= 1:
            _WORLD = LocalComm()
        else:
            t = float(os.environ.get("TINYTF_COLLECTIVE_TIMEOUT", 300.0)) if timeout is None else timeout
            limit = float(os.environ.get("TINYTF_STARTUP_TIMEOUT", 120.0)) if startup_timeout is None else \
                startup_timeout
            comm = MPIComm(t, limit)
            _check_versions(comm, limit)
            _WORLD = comm
    return _WORLD


def _startup_failed(limit):
    sys.stdout.flush()
    sys.stderr.write(f"\ntinytf.distribute: rank {launched_rank()} of {launched_size()}: not every worker joined "
                     f"within {limit:g} s of the start (a worker failed to start: cannot import tinytf or mpi4py, "
                     f"a script error before the strategy, or a lost machine; see its output above). Stopping "
                     f"(exit status {ABORT_EXIT}).\n")
    sys.stderr.flush()
    os._exit(ABORT_EXIT)


def _check_versions(comm, startup_timeout):
    import platform

    import tinytf
    mine = {"tinytf": tinytf.__tinytf_version__, "python": platform.python_version(), "numpy": np.__version__,
            "host": platform.node()}
    limit = startup_timeout
    everyone = [json.loads(b) for b in comm.allgather_bytes(json.dumps(mine).encode(), "the version check", limit)]
    comm.hosts = [w["host"] for w in everyone]
    for key in ("tinytf", "numpy", "python"):
        versions = {w[key] for w in everyone}
        if len(versions) > 1:
            table = ", ".join(f"rank {r} ({w['host']}): {w[key]}" for r, w in enumerate(everyone))
            raise RuntimeError(f"tinytf.distribute: the workers run different {key} versions ({table}); install the "
                               f"same {key} on every machine")
