"""Make the shared test helpers (tests/gradcheck.py) importable from every test folder, and give each
pytest-xdist worker one BLAS thread."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

_MACHINE_BLAS_THREADS = None  # the machine's BLAS thread count, where a worker runs with one


def pytest_configure(config):
    """In an xdist worker (scripts/test.sh runs one per core), OpenBLAS's threads would spin against
    the other workers' and run the suite many times slower. Subprocesses keep the machine's setting."""
    global _MACHINE_BLAS_THREADS
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    try:
        import numpy  # noqa: F401 - loads the BLAS that threadpoolctl finds
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return
    counts = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    if counts and max(counts) > 1:
        _MACHINE_BLAS_THREADS = max(counts)
        threadpool_limits(1, user_api="blas")


@pytest.fixture
def machine_blas_threads():
    """The machine's own BLAS thread count during the test (for tests of what BLAS threads do to bits)."""
    if _MACHINE_BLAS_THREADS is None:
        yield
        return
    from threadpoolctl import threadpool_limits
    with threadpool_limits(_MACHINE_BLAS_THREADS, user_api="blas"):
        yield


# Modules that mostly wait on subprocesses, longest first: under pytest-xdist they start first, so the
# workers do not end on them while the other core idles.
SLOW_FIRST = ("test_cli.py", "test_distribute_mpi.py", "test_programs.py", "test_explain.py", "test_end_to_end.py",
              "test_reproducible.py", "test_onnx.py")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: i for i, name in enumerate(SLOW_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest keep their order
