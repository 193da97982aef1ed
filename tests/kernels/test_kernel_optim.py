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
    for fn in (optim.adam_update, table.adam_update):
        got = fn(g, w, m, v, vhat, *hyper)
        assert len(got) == 4 and (got[3] is None) == (not amsgrad)
        for x, y in zip(got, want):
            if y is not None:
                assert x.dtype == dtype and x.tobytes() == y.tobytes()
        assert all(a.tobytes() == b.tobytes() for a, b in
                   zip([a for a in (g, w, m, v, vhat) if a is not None], before))
        assert not any(x is a for x in got for a in (g, w, m, v, vhat) if a is not None)
