"""The kernel table (tinytf.kernels.table): one switch point, both paths agree, and every
compiled kernel gives bitwise-identical results run to run and for any thread count."""
import importlib.util
import inspect
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from tinytf.kernels import activation, conv, fast, norm, optim, pool, table, tail, winograd

HAS_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="Numba not installed")


@pytest.fixture
def restore_kernels():
    prev = table.active()
    yield
    table.use(prev)


def test_reference_kernels_do_not_branch_on_the_path():
    for mod in (conv, pool, norm, activation):
        src = inspect.getsource(mod)
        assert not re.search(r"numba|\b(fast|table)\.|import .*\b(fast|table)\b", src, re.I), mod.__name__


def test_use_installs_one_set_and_returns_the_previous(restore_kernels):
    table.use("numpy")
    assert table.active() == "numpy"
    assert table.col2im is conv.col2im and table.max_pool_backward_argmax is pool.max_pool_backward_argmax
    assert table.max_pool_forward_argmax is pool.max_pool_forward_argmax
    assert table.im2col is conv.im2col
    assert table.max_pool_forward is pool.max_pool_forward
    assert all(getattr(table, n) is getattr(norm, n) for n in ("channel_sum", "channel_moments", "normalize",
                                                                "batch_norm_train_backward", "channel_add"))
    assert table.relu_backward is activation.relu_backward and table.bias_relu is activation.bias_relu
    assert table.adam_update_many is optim.adam_update_many
    if HAS_NUMBA:
        assert table.use("numba") == "numpy"
        assert table.active() == "numba"
        assert all(getattr(table, n) is getattr(fast, n) for n in table.SWITCHED)
    assert table.use("auto") == table.active()
    assert table.active() == ("numba" if HAS_NUMBA else "numpy")


def test_bad_mode_is_refused(restore_kernels):
    with pytest.raises(ValueError, match="'auto', 'numpy' or 'numba'"):
        table.use("gpu")
    assert table.resolve(" NumPy ") == "numpy" and table.resolve("") == table.resolve("auto")


@pytest.mark.parametrize("env, active", [("numpy", "numpy"), (" NumPy ", "numpy"),
                                         ("auto", "numba" if HAS_NUMBA else "numpy"), ("bogus", None)])
def test_environment_variable_is_read_at_import(env, active):
    """The variable picks the kernels at ``import tinytf``; a bad value stops the import with the
    table's ValueError naming the variable, the value and the choices."""
    code = "import tinytf\nfrom tinytf.kernels import table\nprint(table.active())"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                       env={**os.environ, "TINYTF_KERNELS": env, "PYTHONPATH": root})
    if active is not None:
        assert r.returncode == 0 and r.stdout == active + "\n", r.stdout + r.stderr
        return
    assert r.returncode == 1 and r.stdout == "", r.stdout + r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last == "ValueError: kernels (TINYTF_KERNELS) must be 'auto', 'numpy' or 'numba', got 'bogus'", r.stderr
    trace = r.stderr.replace(os.sep, "/")
    assert "tinytf/__init__.py" in trace and "tinytf/kernels/table.py" in trace, r.stderr  # at import


# ---- the compiled path against the reference -------------------------------------------------

def _cases(dtype):
    """(name, args) for every switched kernel, with the fallbacks the compiled side hands back."""
    rng = np.random.default_rng(0)

    def a(*shape):
        return rng.standard_normal(shape).astype(dtype)

    out = []
    for n_hw, k, s, d, pad in [((9, 8), (3, 2), (2, 1), (1, 2), "SAME"), ((6, 6), (1, 1), (1, 1),
                                (1, 1), "VALID"), ((7, 7), (3, 3), (1, 1), (1, 1), ((1, 0), (2, 1)))]:
        geo = conv.geometry(n_hw, k, s, d, pad)
        x_shape = (3,) + n_hw + (5,)
        out.append(("col2im", (a(3, geo.oh, geo.ow, k[0], k[1], 5), x_shape, geo)))
        out.append(("im2col", (a(*x_shape), geo)))
        out.append(("im2col", (a(*x_shape)[..., ::2], geo)))  # 3 channels: reference
        out.append(("im2col", (np.swapaxes(a(3, n_hw[1], n_hw[0], 5), 1, 2), geo)))  # not contiguous
    for n_hw, k, s, d in [((7, 6), (3, 3), (2, 1), (1, 1)), ((8, 8), (2, 3), (1, 1), (2, 1))]:
        out.append(("im2col", (a(2, *n_hw, 4), conv.geometry(n_hw, k, s, d, "VALID"))))  # no padding
    for n_hw, k, s, pad in [((8, 9), (2, 2), (2, 2), "VALID"), ((7, 7), (3, 3), (2, 2), "SAME"),
                            ((6, 7), (3, 2), (1, 1), "SAME")]:  # disjoint and overlapping windows
        geo = conv.geometry(n_hw, k, s, (1, 1), pad)
        x = np.round(a(2, *n_hw, 3))  # rounded: many ties inside windows
        y, arg = pool.max_pool_forward_argmax(x, geo)
        out += [("max_pool_forward", (x, geo)), ("max_pool_forward_argmax", (x, geo)),
                ("max_pool_backward_argmax", (a(*y.shape), arg, x.shape, geo))]
        b, inv = a(3), a(3)
        steps = tail.Tail(b, False, inv, inv - 1, True, geo, True)
        wide = np.concatenate([x] * 3, axis=3)  # 9 channels: the channel-inner loop (3: rows)
        wide_steps = tail.Tail(a(9), False, a(9), a(9), False, geo, True)
        out += [("conv_tail", (x, steps, np.empty(steps.out_shape(x.shape), dtype))),
                ("conv_tail", (wide, wide_steps, np.empty(wide_steps.out_shape(wide.shape), dtype))),
                ("conv_tail", (x, tail.Tail(b, True), np.empty(x.shape, dtype))),  # no pool
                ("conv_tail", (x, steps._replace(bias=b.astype(np.float16)),  # mixed dtypes: reference
                               np.empty(steps.out_shape(x.shape), dtype)))]
    for n_hw, pad in [((7, 8), "SAME"), ((6, 5), "VALID"), ((2, 3), ((3, 2), (0, 4)))]:
        geo = conv.geometry(n_hw, (3, 3), (1, 1), (1, 1), pad)
        th, tw = winograd.tiles(geo)
        out += [("winograd_input", (a(2, *n_hw, 5), geo)),
                ("winograd_input", (a(2, *n_hw, 5)[..., ::2], geo)),  # not contiguous: copied
                ("winograd_output", (a(16, 2 * th * tw, 4), geo, np.empty((2, geo.oh, geo.ow, 4), dtype)))]
    eps = dtype(1e-3)
    for shape in [(4, 5, 6, 3), (2, 3, 3, 7), (5, 1, 1, 2)]:
        c = shape[-1]
        x, g, gamma, beta = a(*shape) * 3 + 1, a(*shape), a(c), a(c)
        mean, var = norm.channel_moments(x.reshape(-1, c))
        out += [("channel_moments", (x.reshape(-1, c),)),
                ("normalize", (x, mean, var, gamma, beta, eps)),
                ("normalize", (x, mean, var, None, None, eps)),
                ("normalize", (x, mean, var, gamma[None], beta, eps)),  # not [C]: reference
                ("batch_norm_train_backward", (g.reshape(-1, c), x.reshape(-1, c), mean, var, gamma, eps)),
                ("batch_norm_train_backward", (g.reshape(-1, c), x.reshape(-1, c), mean, var, None, eps)),
                ("channel_add", (x, beta)),
                ("channel_add", (x, beta.astype(np.float64))),  # mixed dtypes: reference
                ("channel_add", (x[0, 0, 0], beta)),            # 1-D: reference
                ("channel_sum", (g.reshape(-1, c),)),
                ("channel_sum", (g.reshape(-1, c)[::2],)),      # not contiguous: copied
                ("channel_sum", (g.reshape(-1, c)[:0],)),       # no rows: zeros
                ("bias_relu", (x - 1, beta)),
                ("bias_relu", (x - 1, beta.astype(np.float64))),  # mixed dtypes: reference
                ("bias_relu", (x[0, 0, 0] - 1, beta))]          # 1-D: reference
    for shape in [(4, 5, 6, 3), (7,)]:
        o = np.maximum(a(*shape), 0)
        o.flat[::5] = np.nan
        g = a(*shape)
        out += [("relu_backward", (g, o)),
                ("relu_backward", (g[..., ::-1], o)),   # not contiguous: copied
                ("relu_backward", (g[:1], o))]          # broadcasting: reference
    for shape in [(5, 3), (7,)]:
        g, w, m, vh = a(*shape), a(*shape), a(*shape), np.abs(a(*shape))
        v = np.abs(a(*shape))
        hyper = (dtype(0.01), dtype(0.1), dtype(0.001), dtype(1e-7))
        two = [[a, a[::-1].copy()] for a in (g, w, m, v, vh)]  # two variables: one packed call
        out += [("adam_update_many", ([g], [w], [m], [v], None) + hyper),
                ("adam_update_many", ([g], [w], [m], [v], [vh]) + hyper),
                ("adam_update_many", tuple(two[:4]) + (None,) + hyper),
                ("adam_update_many", tuple(two) + hyper),
                ("adam_update_many", ([g], [w], [m], [v.astype(np.float16)], None) + hyper),  # mixed: reference
                ("adam_update_many", ([g], [w], [m], [v], None, 0.01) + hyper[1:])]  # a Python float: reference
    return out


def _flat(r):
    if isinstance(r, list):  # adam_update_many: one tuple per variable
        return [x for t in r for x in _flat(t)]
    if isinstance(r, tuple):
        return [x for x in r if x is not None]
    return [r]


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_kernels_match_the_reference(dtype):
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-5)
    for name, args in _cases(dtype):
        want = _table_numpy()[name](*args)
        got = getattr(fast, name)(*args)
        for w, g in zip(_flat(want), _flat(got)):
            assert g.shape == w.shape and g.dtype == w.dtype, name
            np.testing.assert_allclose(g, w, err_msg=name, **tol)


def _table_numpy():
    prev = table.use("numpy")
    try:
        return {n: getattr(table, n) for n in table.SWITCHED}
    finally:
        table.use(prev)


# ---- determinism ------------------------------------------------------------------------------

def _run_all(dtype):
    return [r.tobytes() for name, args in _cases(dtype) for r in _flat(getattr(fast, name)(*args))]


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_kernels_are_bitwise_deterministic(dtype):
    """Twice with all threads, then with one: the same bits (a prange reduction split by the
    scheduler would break this). Every compiled loop must be exercised."""
    import numba

    from tinytf.kernels import _numba_kernels
    first = _run_all(dtype)
    assert _run_all(dtype) == first
    n = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        assert _run_all(dtype) == first
    finally:
        numba.set_num_threads(n)
    loops = {k: v for k, v in vars(_numba_kernels).items()  # ('_' helpers: compiled into their callers)
             if isinstance(v, numba.core.dispatcher.Dispatcher) and not k.startswith("_")}
    assert loops and all(d.signatures for d in loops.values()), [k for k, d in loops.items() if not d.signatures]


@needs_numba
def test_float16_goes_to_the_reference():
    """Numba has no float16 arrays: every compiled kernel hands float16 to the reference."""
    for name, args in _cases(np.float16):
        want = _table_numpy()[name](*args)
        got = getattr(fast, name)(*args)
        for w, g in zip(_flat(want), _flat(got)):
            assert g.dtype == w.dtype and g.tobytes() == w.tobytes(), name
