"""Optimizer update kernels (kernels/optim.py via the table) against an element-by-element loop."""
import numpy as np
import pytest

from tinytf.kernels import optim, table


def adam_loop(g, w, m, v, vhat, alpha, c1, c2, eps):
    """Keras's Adam, one element at a time, every operation in the arrays' dtype."""
    w2, m2, v2 = np.empty_like(w), np.empty_like(m), np.empty_like(v)
    vh2 = None if vhat is None else np.empty_like(vhat)
    for i in np.ndindex(*g.shape):
        m2[i] = m[i] + (g[i] - m[i]) * c1
        v2[i] = v[i] + (g[i] * g[i] - v[i]) * c2
        vv = v2[i]
        if vhat is not None:
            vv = vh2[i] = np.maximum(vhat[i], v2[i])
        w2[i] = w[i] - m2[i] * alpha / (np.sqrt(vv) + eps)
    return w2, m2, v2, vh2


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_update_matches_the_loop_bitwise_and_leaves_its_inputs_alone(dtype, amsgrad):
    rng = np.random.default_rng(0)
    shape = (4, 3, 5)
    g, w, m = (rng.standard_normal(shape).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(shape)).astype(dtype)
    vhat = np.abs(rng.standard_normal(shape)).astype(dtype) if amsgrad else None
    g.flat[0] = np.nan
    hyper = (dtype(0.0123), dtype(1 - 0.9), dtype(1 - 0.999), dtype(1e-7))
    before = [a.copy() for a in (g, w, m, v, vhat) if a is not None]
    want = adam_loop(g, w, m, v, vhat, *hyper)
    def one_of_many(g, w, m, v, vhat, *hyper):
        return table.adam_update_many([g], [w], [m], [v], None if vhat is None else [vhat], *hyper)[0]
    for fn in (optim.adam_update, one_of_many):
        got = fn(g, w, m, v, vhat, *hyper)
        assert len(got) == 4 and (got[3] is None) == (not amsgrad)
        for x, y in zip(got, want):
            if y is not None:
                assert x.dtype == dtype and x.tobytes() == y.tobytes()
        assert all(a.tobytes() == b.tobytes() for a, b in
                   zip([a for a in (g, w, m, v, vhat) if a is not None], before))
        assert not any(x is a for x in got for a in (g, w, m, v, vhat) if a is not None)


def _adam_many_args(dtype, amsgrad, sizes):
    rng = np.random.default_rng(1)
    shapes = [(n,) if n < 8 else (2, n // 2) for n in sizes]
    gs, ws, ms = ([rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(3))
    vs = [np.abs(rng.standard_normal(s)).astype(dtype) for s in shapes]
    vhats = [np.abs(rng.standard_normal(s)).astype(dtype) for s in shapes] if amsgrad else None
    return gs, ws, ms, vs, vhats


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_update_many_is_adam_update_for_each_variable_bitwise(dtype, amsgrad):
    """Small variables share one compiled call (packed), larger ones (PACK_BELOW and up) get
    their own: every result has the bits of ``adam_update`` on that variable alone, and no
    result aliases an input or another variable's result."""
    from tinytf.kernels import fast
    sizes = [3, 0, 64, fast.PACK_BELOW, 1, fast.PACK_BELOW + 2, 10]
    gs, ws, ms, vs, vhats = _adam_many_args(dtype, amsgrad, sizes)
    hyper = (dtype(0.0123), dtype(1 - 0.9), dtype(1 - 0.999), dtype(1e-7))
    inputs = [a for arrs in (gs, ws, ms, vs, vhats or []) for a in arrs]
    before = [a.copy() for a in inputs]
    for fn in (optim.adam_update_many, table.adam_update_many):
        got = fn(gs, ws, ms, vs, vhats, *hyper)
        assert len(got) == len(sizes)
        for i, res in enumerate(got):
            want = optim.adam_update(gs[i], ws[i], ms[i], vs[i], None if vhats is None else vhats[i], *hyper)
            assert (res[3] is None) == (not amsgrad)
            for x, y in zip(res, want):
                if y is not None:
                    assert x.shape == y.shape and x.dtype == dtype and x.tobytes() == y.tobytes(), (fn, i)
        outs = [x for res in got for x in res if x is not None and x.size]
        assert not any(np.shares_memory(x, a) for x in outs for a in inputs)
        assert not any(np.shares_memory(x, y) for i, x in enumerate(outs) for y in outs[i + 1:])
        assert all(a.tobytes() == b.tobytes() for a, b in zip(inputs, before))


def test_adam_update_many_other_dtypes_go_one_by_one():
    """A float16 variable, or one of another dtype than the first, is updated alone, as before."""
    gs, ws, ms, vs, _ = _adam_many_args(np.float32, False, [4, 6, 8])
    gs[1], ws[1], ms[1], vs[1] = (a.astype(np.float64) for a in (gs[1], ws[1], ms[1], vs[1]))
    gs[2], ws[2], ms[2], vs[2] = (a.astype(np.float16) for a in (gs[2], ws[2], ms[2], vs[2]))
    hyper = (np.float32(0.01), np.float32(0.1), np.float32(0.001), np.float32(1e-7))
    got = table.adam_update_many(gs, ws, ms, vs, None, *hyper)
    for i, res in enumerate(got):
        want = optim.adam_update(gs[i], ws[i], ms[i], vs[i], None, *hyper)
        assert all(x.dtype == y.dtype and x.tobytes() == y.tobytes() for x, y in zip(res[:3], want[:3])), i
