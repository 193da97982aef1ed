"""The compiled kernels (tinytf/kernels/_numba_kernels.py) under ``NUMBA_BOUNDSCHECK=1``: an index
outside an array is then an IndexError instead of silent memory damage.

The test runs this file as a script in a subprocess with its own ``NUMBA_CACHE_DIR`` (Numba's cache
does not key on the bounds-check flag, so the checked machine code must not land in the normal
cache). The script drives every compiled loop through ``fast.py`` on random geometries, many of
them with windows that lie entirely inside the padding, strides larger than the kernel and
dilations, and checks each result against the NumPy reference as well. The old ``col2im``
(a negative slice end when a window starts past the right edge) fails here with an IndexError.
"""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _geometry(rng):
    """(x_shape, k_hw, strides, dilations, padding): pads up to twice the kernel, so that whole
    windows may lie in the padding on any side."""
    from tinytf.kernels import conv
    while True:
        k = tuple(int(v) for v in rng.integers(1, 5, 2))
        s = tuple(int(v) for v in rng.integers(1, 6, 2))
        d = tuple(int(v) for v in rng.integers(1, 4, 2)) if rng.random() < 0.4 else (1, 1)
        hw = tuple(int(v) for v in rng.integers(1, 10, 2))
        r = rng.random()
        if r < 0.15:
            pad = "SAME"
        elif r < 0.25:
            pad = "VALID"
        else:
            pad = tuple(tuple(int(v) for v in rng.integers(0, 2 * kk + 1, 2)) for kk in k)
        geo = conv.geometry(hw, k, s, d, pad)
        if geo.oh > 0 and geo.ow > 0:
            return (int(rng.integers(1, 3)),) + hw + (int(rng.integers(1, 18)),), geo


def _pool_geometry(rng):
    from tinytf.kernels import conv
    while True:
        k = tuple(int(v) for v in rng.integers(1, 5, 2))
        s = tuple(int(v) for v in rng.integers(1, 6, 2))
        hw = tuple(int(v) for v in rng.integers(1, 10, 2))
        pad = rng.choice(["SAME", "VALID", "explicit"])
        if pad == "explicit":
            pad = tuple(tuple(int(v) for v in rng.integers(0, 2 * kk + 1, 2)) for kk in k)
        geo = conv.geometry(hw, k, s, (1, 1), str(pad) if isinstance(pad, str) else pad)
        if geo.oh > 0 and geo.ow > 0:
            return (int(rng.integers(1, 3)),) + hw + (int(rng.integers(1, 18)),), geo


def run(cases, seed, dtypes=(np.float32,)):
    """Every compiled kernel on ``cases`` random geometries per dtype; returns the calls made.
    (The index arithmetic does not depend on the dtype; float32 alone halves the compile time.)"""
    from tinytf.kernels import conv, fast, norm, optim, pool, tail, winograd
    from tinytf.kernels import activation as act
    rng = np.random.default_rng(seed)
    calls = 0

    def check(got, want, rtol):
        nonlocal calls
        calls += 1
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            if w is not None:
                np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)

    for dtype in dtypes:
        tol = 1e-4 if dtype == np.float32 else 1e-10
        for _ in range(cases):
            x_shape, geo = _geometry(rng)
            x = rng.standard_normal(x_shape).astype(dtype)
            check(fast.im2col(x, geo), conv.im2col(x, geo), 0)
            (kh, kw) = geo.k_hw
            d = rng.standard_normal((x_shape[0], geo.oh, geo.ow, kh, kw, x_shape[3])).astype(dtype)
            check(fast.col2im(d, x_shape, geo), conv.col2im(d, x_shape, geo), tol)
            hw, c = x_shape[1:3], x_shape[3]
            pads = tuple(tuple(int(v) for v in rng.integers(0, 5, 2)) for _ in range(2))
            wgeo = conv.geometry(hw, (3, 3), (1, 1), (1, 1), pads if rng.random() < 0.6 else "SAME")
            if wgeo.oh > 0 and wgeo.ow > 0:
                v = fast.winograd_input(x, wgeo)
                check(v, winograd.winograd_input(x, wgeo), 0)
                y_shape = (x_shape[0], wgeo.oh, wgeo.ow, c)
                check(fast.winograd_output(v, wgeo, np.empty(y_shape, dtype)),
                      winograd.winograd_output(v, wgeo, np.empty(y_shape, dtype)), 0)
            x_shape, geo = _pool_geometry(rng)
            x = np.round(rng.standard_normal(x_shape).astype(dtype))  # ties
            out, arg = fast.max_pool_forward_argmax(x, geo)
            check((out, arg), pool.max_pool_forward_argmax(x, geo), 0)
            check(fast.max_pool_forward(x, geo), out, 0)
            g = rng.standard_normal(out.shape).astype(dtype)
            check(fast.max_pool_backward_argmax(g, arg, x_shape, geo),
                  pool.max_pool_backward_argmax(g, arg, x_shape, geo), 0)
            c = x_shape[3]
            vec = [rng.standard_normal(c).astype(dtype) if rng.random() < 0.7 else None for _ in range(2)]
            steps = tail.Tail(vec[0], bool(rng.random() < 0.5), vec[1], None if vec[1] is None else vec[1] + 1,
                              bool(rng.random() < 0.5), geo if rng.random() < 0.8 else None, bool(rng.random() < 0.5))
            shape = steps.out_shape(x_shape)
            check(fast.conv_tail(x, steps, np.empty(shape, dtype)), tail.conv_tail(x, steps, np.empty(shape, dtype)), 0)
            m, c = int(rng.integers(1, 40)), int(rng.integers(1, 18))
            x2, g2 = rng.standard_normal((m, c)).astype(dtype), rng.standard_normal((m, c)).astype(dtype)
            b, gamma = rng.standard_normal(c).astype(dtype), rng.standard_normal(c).astype(dtype)
            mean, var = fast.channel_moments(x2)
            check((mean, var), norm.channel_moments(x2), tol)
            check(fast.channel_sum(x2), norm.channel_sum(x2), tol)
            eps = dtype(1e-3)
            check(fast.normalize(x2, mean, var, gamma, b, eps), norm.normalize(x2, mean, var, gamma, b, eps), tol)
            check(fast.batch_norm_train_backward(g2, x2, mean, var, gamma, eps),
                  norm.batch_norm_train_backward(g2, x2, mean, var, gamma, eps), tol)
            check(fast.channel_add(x2, b), norm.channel_add(x2, b), 0)
            check(fast.bias_relu(x2, b), act.bias_relu(x2, b), 0)
            check(fast.relu_backward(g2, np.maximum(x2, 0)), act.relu_backward(g2, np.maximum(x2, 0)), 0)
            hyper = (dtype(0.01), dtype(0.1), dtype(0.001), dtype(1e-7))
            vh = np.abs(b) if rng.random() < 0.5 else None
            check(fast.adam_update(g2[0], x2[0], b, np.abs(gamma), vh, *hyper),
                  optim.adam_update(g2[0], x2[0], b, np.abs(gamma), vh, *hyper), 0)
    return calls


needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="Numba not installed")


@needs_numba
def test_compiled_kernels_stay_in_bounds(tmp_path):
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache"),
           "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), "TINYTF_KERNELS": "numba"}
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "60", "0"], capture_output=True,
                       text=True, env=env, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "boundscheck on" in r.stdout and "calls 958" in r.stdout, r.stdout


def _main():
    import numba
    from numba.core import config
    cases, seed = int(sys.argv[1]), int(sys.argv[2])
    if not config.BOUNDSCHECK:
        sys.exit("NUMBA_BOUNDSCHECK=1 is not set")
    calls = run(cases, seed)
    from tinytf.kernels import _numba_kernels as K
    loops = {k: v for k, v in vars(K).items() if isinstance(v, numba.core.dispatcher.Dispatcher)}
    missed = sorted(k for k, d in loops.items() if not d.signatures)
    if missed:
        sys.exit(f"compiled loops never run: {missed}")
    print(f"boundscheck on, calls {calls}")


if __name__ == "__main__":
    _main()
