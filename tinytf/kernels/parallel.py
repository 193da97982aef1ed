"""tinytf's own threads for the big kernels: parts fixed by the shape, taken by any thread.

The pattern is a fork-join parallel for with a fixed partition (OpenMP's ``schedule(dynamic)``
over chunks whose bounds depend only on the data's shape). ``run(fn, n)`` calls ``fn(i)`` for
every part ``i < n``; the calling thread and the pool's workers take the next part from a shared
counter until none is left. Each part writes only its own slice of the output, or its own partial
sum that the caller then adds in part order, so a result has the same bits whichever thread took
which part, for 1, 2 or 16 threads, run to run: nothing that changes a number depends on timing.

Why tinytf runs its own threads instead of letting NumPy's BLAS split each GEMM: a convolution
copies its windows into a cache-sized block and multiplies it. When OpenBLAS hands half of that
GEMM to its worker on the other core, the worker reads lines still dirty in the first core's
cache, and on VMs whose two vCPUs the host places on different L3 domains that read is 2-3.5x
slower (docs/PERFORMANCE.md, "The two speed states"). Here the thread that copies a block also
multiplies it, BLAS runs on one thread inside (``hold_blas``), so no OpenBLAS worker spins on a
core these threads need, and the memory-bound copies run on both cores too.

The thread count: ``tf.config.threading.set_intra_op_parallelism_threads`` when set (> 0), else
NumPy's BLAS's own count (``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` / threadpoolctl limits),
else the CPUs this process may run on. Where tinytf cannot hold NumPy's BLAS at one thread (not
OpenBLAS), it runs everything on the calling thread and leaves the threading to BLAS, as before.
"""
import contextlib
import ctypes
import itertools
import os
import queue
import threading

# Loops over more than BLOCK_ELEMENTS numbers run in blocks of whole rows of about that many
# (``run_in_blocks``; relu backward on VGG's [64,32,32,64] float32: ~1 ms a call on one core).
BLOCK_ELEMENTS = 1 << 18

_settings = {"threads": 0}  # 0: follow BLAS (see threads())
_pool = {"workers": [], "pid": None}
_local = threading.local()


class _OpenBLAS:
    """NumPy's OpenBLAS, held at one thread while any tinytf kernel runs (a count of holders, so
    concurrent callers keep it there until the last leaves), then given back its own count."""

    def __init__(self):
        import numpy
        self.get = self.set = self.path = None
        self.lock, self.holders, self.saved = threading.Lock(), 0, None
        try:
            paths = {line.split()[-1] for line in open("/proc/self/maps")
                     if "openblas" in line.rsplit("/", 1)[-1].lower()}
        except OSError:  # not Linux
            return
        # NumPy's own copy first (a wheel's numpy.libs/; SciPy may have loaded another OpenBLAS)
        ours = os.path.dirname(os.path.dirname(numpy.__file__))
        for path in sorted(paths, key=lambda p: (not p.startswith(os.path.join(ours, "numpy")), p)):
            try:
                lib = ctypes.CDLL(path)  # already loaded: this only finds its symbols
            except OSError:  # e.g. the file was replaced on disk since it was loaded
                continue
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                                   ("openblas", "64_"), ("openblas", "")):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    self.get, self.set, self.path = get, set_, path
                    return

    def threads(self):
        """BLAS's own thread count (the one it has outside tinytf's kernels)."""
        with self.lock:
            return self.saved if self.holders else self.get()

    @contextlib.contextmanager
    def one_thread(self):
        with self.lock:
            if self.holders == 0:
                self.saved = self.get()
                if self.saved != 1:
                    self.set(1)
            self.holders += 1
        try:
            yield
        finally:
            with self.lock:
                self.holders -= 1
                if self.holders == 0 and self.saved != 1:
                    self.set(self.saved)


_blas = None


def _openblas():
    global _blas
    if _blas is None:
        _blas = _OpenBLAS()
    return _blas


def hold_blas():
    """A context in which NumPy's BLAS runs on one thread (nothing where it is not OpenBLAS)."""
    blas = _openblas()
    return blas.one_thread() if blas.get is not None else contextlib.nullcontext()


def set_threads(n):
    """Use ``n`` threads (0: the default, see the module docstring)."""
    _settings["threads"] = int(n)


def threads():
    """How many threads ``run`` uses now (1 where BLAS cannot be held at one thread)."""
    blas = _openblas()
    if blas.get is None:
        return 1
    if _settings["threads"] > 0:
        return _settings["threads"]
    return blas.threads() or len(os.sched_getaffinity(0))


def inside():
    """Whether the calling thread is running a part (parts do not split their work again)."""
    return getattr(_local, "inside", False)


class _Job:
    """One ``run``: the parts' counter, how many are finished, and the first error."""
    __slots__ = ("fn", "n", "next_part", "done", "lock", "finished", "error")

    def __init__(self, fn, n):
        self.fn, self.n = fn, n
        self.next_part = itertools.count()  # next() on it is atomic under the GIL
        self.done, self.lock, self.finished, self.error = 0, threading.Lock(), threading.Event(), None

    def work(self):
        outer, _local.inside = inside(), True
        try:
            while True:
                i = next(self.next_part)
                if i >= self.n:
                    return
                try:
                    self.fn(i)
                except BaseException as e:  # handed to the caller of run()
                    with self.lock:
                        self.error = self.error or e
                with self.lock:
                    self.done += 1
                    if self.done == self.n:
                        self.finished.set()
        finally:
            _local.inside = outer


def _worker(jobs):
    while True:
        jobs.get().work()


def _workers(count):
    """The pool's job queues, started on first use (and again in a forked child, which has none
    of its parent's threads)."""
    if _pool["pid"] != os.getpid():
        _pool["workers"], _pool["pid"] = [], os.getpid()
    workers = _pool["workers"]
    while len(workers) < count:
        jobs = queue.SimpleQueue()
        threading.Thread(target=_worker, args=(jobs,), name=f"tinytf-worker-{len(workers) + 1}",
                         daemon=True).start()
        workers.append(jobs)
    return workers[:count]


def run(fn, n):
    """Call ``fn(i)`` for ``i`` in ``range(n)``, spread over tinytf's threads, BLAS on one thread;
    returns when every part is done (re-raising the first error). Inside a part it runs the parts
    on the calling thread."""
    if n <= 0:
        return
    count = 1 if inside() else min(threads(), n)
    with hold_blas():
        if count == 1:
            outer, _local.inside = inside(), True
            try:
                for i in range(n):
                    fn(i)
            finally:
                _local.inside = outer
            return
        job = _Job(fn, n)
        for jobs in _workers(count - 1):
            jobs.put(job)
        job.work()
        job.finished.wait()
    if job.error is not None:
        raise job.error


def run_in_blocks(loop, rows, row_elements):
    """Call ``loop(start, end)`` over blocks of whole rows (``rows`` rows of ``row_elements``
    numbers, about BLOCK_ELEMENTS numbers a block) with ``run``; returns the calls' results in
    block order."""
    step = max(1, BLOCK_ELEMENTS // max(row_elements, 1))
    results = [None] * -(-rows // step)

    def block(i):
        results[i] = loop(i * step, min(rows, (i + 1) * step))
    run(block, len(results))
    return results
