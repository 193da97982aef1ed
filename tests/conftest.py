"""Make the shared test helpers (tests/gradcheck.py) importable from every test folder, give each
pytest-xdist worker one BLAS thread, run the kernel, op and parity tests on both kernel paths, count
calls of the compiled loops (``compiled_calls``) and select the Hypothesis profile."""
import collections
import importlib.util
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Hypothesis (the property tests): 'ci', the default, is derandomized (the same examples on every
# run and machine) and small; TINYTF_HYPOTHESIS=thorough draws 1000 new random examples a test.
HYPOTHESIS_PROFILES = ("ci", "thorough")
try:
    from hypothesis import HealthCheck, settings
except ImportError:
    settings = None
else:
    _QUIET = dict(deadline=None, database=None, print_blob=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    settings.register_profile("ci", derandomize=True, max_examples=25, **_QUIET)
    settings.register_profile("thorough", max_examples=1000, **_QUIET)

_MACHINE_BLAS_THREADS = None  # the machine's BLAS thread count, where a worker runs with one


def pytest_configure(config):
    """Load the Hypothesis profile. In an xdist worker (scripts/test.sh runs one per core), OpenBLAS's
    threads would spin against the other workers' and run the suite many times slower. Subprocesses
    keep the machine's setting."""
    global _MACHINE_BLAS_THREADS
    profile = os.environ.get("TINYTF_HYPOTHESIS", "ci")
    if profile not in HYPOTHESIS_PROFILES:
        raise pytest.UsageError(f"TINYTF_HYPOTHESIS must be one of {HYPOTHESIS_PROFILES}, got {profile!r}")
    if settings is not None:
        settings.load_profile(profile)
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
SLOW_FIRST = ("test_hosts_faults.py", "test_hosts.py", "test_programs_pipelines.py", "test_boundscheck.py", "test_cli.py", "test_distribute_mpi.py", "test_programs.py", "test_explain.py", "test_end_to_end.py",
              "test_reproducible.py", "test_onnx.py")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: i for i, name in enumerate(SLOW_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest keep their order


# Tests that run twice where Numba is installed: with the default kernels and with the NumPy
# references (``kernel_path`` ids ``default`` / ``numpy``), so both paths of the kernel table meet the
# same checks in one session. Only modules whose tests reach the compiled kernels (the rest, e.g.
# padding arithmetic or math ops, would run the same code twice); test_kernel_conv.py asserts per
# test that the compiled loops ran (``compiled_calls``). The property and bounds-check tests
# (test_kernel_properties.py, test_boundscheck.py) compare the two paths themselves, and
# tests/ops/test_op_properties.py runs the default kernels.
BOTH_PATHS = ("tests/kernels/test_kernel_conv.py", "tests/kernels/test_kernel_pool.py",
              "tests/kernels/test_kernel_norm.py", "tests/kernels/test_kernel_activation.py",
              "tests/kernels/test_kernel_optim.py", "tests/kernels/test_kernel_table.py",
              "tests/ops/test_nn_ops.py", "tests/ops/test_conv_ops.py", "tests/test_parity_nn.py",
              "tests/keras/test_parity_keras.py", "tests/keras/test_inference.py")


def _on_both_paths(path):
    rel = os.path.relpath(str(path), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).replace(os.sep, "/")
    return rel in BOTH_PATHS


def pytest_generate_tests(metafunc):
    if "kernel_path" in metafunc.fixturenames and _on_both_paths(metafunc.definition.path):
        from tinytf.kernels import table
        if table.resolve("auto") != "numpy":
            metafunc.parametrize("kernel_path", ["default", "numpy"], indirect=True)


@pytest.fixture(autouse=True)
def kernel_path(request):
    """The kernel path of this run of the test: 'numpy' installs the NumPy references for it."""
    if getattr(request, "param", "default") != "numpy":
        yield
        return
    from tinytf.kernels import table
    prev = table.use("numpy")
    try:
        yield
    finally:
        table.use(prev)


class CompiledCalls(collections.Counter):
    """Calls of each compiled loop (``_numba_kernels.<name>``) during one test; ``active`` is
    whether the test runs on the compiled kernels at all."""
    active = False

    def assert_reached(self, *names):
        """On the compiled path, every named loop ran at least once (a test that claims to check
        the compiled kernels must reach them: few channels, float16 or odd shapes go back to the
        NumPy references)."""
        if self.active:
            missed = [n for n in names if not self[n]]
            assert not missed, f"the compiled loops {missed} never ran (calls: {dict(self)})"


@pytest.fixture
def compiled_calls(kernel_path, monkeypatch):
    """A ``CompiledCalls`` counting every call into the compiled loops while the test runs."""
    calls = CompiledCalls()
    if importlib.util.find_spec("numba") is None:
        yield calls
        return
    import numba

    from tinytf.kernels import fast, table
    calls.active = table.active() == "numba"
    loops = fast.nb()
    for name, fn in list(vars(loops).items()):
        # not the '_' helpers: compiled loops call them by their global name, so a Python
        # wrapper there would fail the compilation of a loop not yet in Numba's cache
        if isinstance(fn, numba.core.dispatcher.Dispatcher) and not name.startswith("_"):
            def counted(*args, _fn=fn, _name=name):
                calls[_name] += 1
                return _fn(*args)
            monkeypatch.setattr(loops, name, counted)
    yield calls
