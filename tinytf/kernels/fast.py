"""Compiled (Numba) versions of the memory-bound kernels, with the reference's names and signatures.

``table.py`` installs these in place of the NumPy references of ``conv.py``, ``pool.py``,
``norm.py``, ``activation.py`` and ``optim.py`` when the Numba path is selected: ``im2col``, ``col2im``,
``max_pool_forward`` (the max alone, for inference), ``max_pool_forward_argmax`` (the max and the
offset of the first max, one pass),
``max_pool_backward_argmax`` (the scatter to that offset), ``channel_sum``, ``channel_moments``,
``normalize``, ``batch_norm_train_backward``, ``channel_add``, ``bias_relu``, ``relu_backward``,
``adam_update_many`` (one pass per variable instead of a dozen, and one call for all the small
variables together), ``conv_tail`` (a convolution's bias, ReLU, batch norm and max pool at
inference), ``winograd_input`` / ``winograd_output`` (the transforms of ``winograd.py``). Each does its memory-bound work in one pass over the data with no temporaries; the
per-channel formulas around the loops are ``norm.py``'s, and cases the loops do not cover go back
to the reference. The GEMMs stay with BLAS. Work over more than
``parallel.BLOCK_ELEMENTS`` numbers runs in blocks of rows on tinytf's threads; every element is
computed the same way whichever thread takes its block, so the bits do not depend on the threads.

Nothing here imports Numba until the first kernel call, so ``import tinytf`` stays fast; the
loops (``_numba_kernels.py``) are cached on disk (``cache=True``), so only the very first run
compiles. The choice between these and the references is made in ``table.py``.
"""
import numpy as np

from . import activation, conv, norm, optim, parallel, pool, tail, winograd

_state = {"nb": None}


def nb():
    """The compiled functions (compiled or loaded from the cache on first use)."""
    if _state["nb"] is None:
        from . import _numba_kernels
        _state["nb"] = _numba_kernels
    return _state["nb"]


def _c(a):
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


_COMPILED_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))  # Numba has no float16 arrays

def _summed_in_blocks(loop, rows, row_elements, shape=()):
    """The sum of ``loop(start, end)``'s float64 sums (of ``shape`` + [row_elements]) over the
    blocks, added in block order (so the same bits for any thread count)."""
    sums = parallel.run_in_blocks(loop, rows, row_elements)
    total = sums[0] if sums else np.zeros(shape + (row_elements,))
    for s in sums[1:]:
        total += s
    return total


# ---- conv -------------------------------------------------------------------------------------

def im2col(x, geo, out=None):
    """The reference's [N*OH*OW, kh*kw*C] window matrix (or into ``out``), copied by a compiled
    loop that also writes the padding's zeros (no padded copy of x): 1.3-1.5x faster for
    cache-sized chunks. Few channels (< 4), pointwise convs, float16 and an ``out`` that is not
    C-contiguous go back to the reference."""
    c = x.shape[3]
    if geo.is_pointwise or c < 4 or x.dtype not in _COMPILED_FLOATS or \
            (out is not None and (not out.flags.c_contiguous or out.dtype != x.dtype)):
        return conv.im2col(x, geo, out)
    (kh, kw), (sh, sw), (dh, dw) = geo.k_hw, geo.strides, geo.dilations
    (pt, _), (pl, _) = geo.pads
    cols = np.empty((x.shape[0] * geo.oh * geo.ow, kh * kw * c), dtype=x.dtype) if out is None else out
    nb().im2col(_c(x), cols, geo.oh, geo.ow, kh, kw, sh, sw, dh, dw, pt, pl, geo.has_padding)
    return cols


def winograd_input(x, geo):
    """``winograd.winograd_input`` in one compiled pass (no padded copy of x)."""
    if x.dtype not in _COMPILED_FLOATS:
        return winograd.winograd_input(x, geo)
    th, tw = winograd.tiles(geo)
    (pt, _), (pl, _) = geo.pads
    v = np.empty((16, x.shape[0] * th * tw, x.shape[3]), dtype=x.dtype)
    nb().winograd_input(_c(x), v, th, tw, pt, pl)
    return v


def winograd_output(m, geo, y):
    """``winograd.winograd_output`` in one compiled pass."""
    if m.dtype not in _COMPILED_FLOATS or y.dtype != m.dtype or not y.flags.c_contiguous:
        return winograd.winograd_output(m, geo, y)
    nb().winograd_output(_c(m), y, *winograd.tiles(geo))
    return y


def col2im(dcols, x_shape, geo):
    """dcols [N*OH*OW, kh*kw*C] (or any shape of that size) -> dx [N, H, W, C]."""
    if geo.is_pointwise or dcols.dtype not in _COMPILED_FLOATS:
        return conv.col2im(dcols, x_shape, geo)
    n, h, w, c = x_shape
    (kh, kw), (sh, sw), (dh, dw) = geo.k_hw, geo.strides, geo.dilations
    (pt, _), (pl, _) = geo.pads
    dx = np.zeros(x_shape, dtype=dcols.dtype)
    nb().col2im(_c(dcols).reshape(n * geo.oh * geo.ow, kh * kw * c), dx, geo.oh, geo.ow, kh, kw,
                sh, sw, dh, dw, pt, pl)
    return dx


# ---- pooling ----------------------------------------------------------------------------------

def max_pool_forward(x, geo):
    """The plain max (inference): ``conv_tail`` with the pool as its only step, in blocks of
    images on tinytf's threads (LeNet's [1000,26,26,6] 2x2 pool: 1.9 ms against the reference's
    2.9 ms, both on two threads)."""
    if x.dtype not in _COMPILED_FLOATS or not x.size or geo.dilations != (1, 1):
        return pool.max_pool_forward(x, geo)
    x = _c(x)
    out = np.empty((x.shape[0], geo.oh, geo.ow, x.shape[3]), dtype=x.dtype)
    steps = tail.Tail(pool=geo)
    parallel.run_in_blocks(lambda a, b: conv_tail(x[a:b], steps, out[a:b]), x.shape[0], x[0].size)
    return out


def max_pool_forward_argmax(x, geo):
    (kh, kw), (sh, sw) = geo.k_hw, geo.strides
    (pt, _), (pl, _) = geo.pads
    if x.dtype not in _COMPILED_FLOATS or not x.size or geo.dilations != (1, 1):  # the loops: undilated windows
        return pool.max_pool_forward_argmax(x, geo)
    shape = (x.shape[0], geo.oh, geo.ow, x.shape[3])
    out = np.empty(shape, dtype=x.dtype)
    arg = np.empty(shape, dtype=pool.argmax_dtype(geo))
    x = _c(x)
    parallel.run_in_blocks(lambda a, b: nb().max_pool_fwd_argmax(x[a:b], out[a:b], arg[a:b], kh, kw, sh, sw, pt, pl),
                           x.shape[0], x[0].size)
    return out, arg


def max_pool_backward_argmax(g, arg, x_shape, geo):
    (kh, kw), (sh, sw) = geo.k_hw, geo.strides
    (pt, _), (pl, _) = geo.pads
    if g.dtype not in _COMPILED_FLOATS or g.shape != arg.shape or geo.dilations != (1, 1):
        return pool.max_pool_backward_argmax(g, arg, x_shape, geo)
    dx = np.zeros(x_shape, dtype=g.dtype)
    if g.size:
        g, arg = _c(g), _c(arg)
        parallel.run_in_blocks(lambda a, b: nb().max_pool_bwd_argmax(g[a:b], arg[a:b], dx[a:b], kh, kw, sh, sw, pt, pl),
                               g.shape[0], dx[0].size)
    return dx


# Below ROW_LOOP_CHANNELS channels the tail takes whole rows (``conv_tail_rows``). A part of 63
# [26,26,C] images through bias, batch norm, 2x2 pool and ReLU, ms, rows / channel-inner: C=1
# 0.076 / 0.207, C=3 0.152 / 0.262, C=6 (LeNet's conv1) 0.237 / 0.375, C=8 0.465 / 0.449, C=16
# 0.520 / 0.443; [8,32,32,64]: 0.42 / 0.15.
ROW_LOOP_CHANNELS = 8


def conv_tail(y, steps, out):
    """``tail.conv_tail`` in one pass over the part y (called inside a part: no blocks of its own)."""
    c = y.shape[3]
    vectors = [v for v in (steps.bias, steps.inv, steps.shift) if v is not None]
    if y.dtype not in _COMPILED_FLOATS or out.dtype != y.dtype or not out.flags.c_contiguous \
            or (steps.pool is not None and steps.pool.dilations != (1, 1)) \
            or any(v.dtype != y.dtype or v.shape != (c,) for v in vectors):
        return tail.conv_tail(y, steps, out)
    none = np.empty(0, y.dtype)
    if steps.pool is None:
        (kh, kw), (sh, sw), pt, (pl, pr) = (1, 1), (1, 1), 0, (0, 0)
    else:
        (kh, kw), (sh, sw) = steps.pool.k_hw, steps.pool.strides
        (pt, _), (pl, pr) = steps.pool.pads
    args = (_c(y), out, none if steps.bias is None else steps.bias, none if steps.inv is None else steps.inv,
            none if steps.shift is None else steps.shift, steps.bias is not None, steps.relu_conv,
            steps.inv is not None, steps.relu_norm, steps.relu_pool, kh, kw, sh, sw, pt, pl)
    if c < ROW_LOOP_CHANNELS:
        nb().conv_tail_rows(*args, pr)
    else:
        nb().conv_tail(*args)
    return out


# ---- activations ------------------------------------------------------------------------------

def relu_backward(g, out):
    if g.shape != out.shape or g.dtype not in _COMPILED_FLOATS or out.dtype not in _COMPILED_FLOATS \
            or not g.size:
        return activation.relu_backward(g, out)
    dx = np.empty(g.shape, dtype=g.dtype)
    gf, of, df = _c(g).reshape(-1), _c(out).reshape(-1), dx.reshape(-1)
    parallel.run_in_blocks(lambda a, b: nb().relu_bwd(gf[a:b], of[a:b], df[a:b]), gf.size, 1)
    return dx


# ---- batch norm -------------------------------------------------------------------------------
# An [M, C] array with few channels is viewed as [M/k, k*C] (``norm.wide``: k rows side by side)
# and the per-channel vectors are tiled k times, so the compiled loops run over long contiguous rows.

_wide, _fold = norm.wide, norm.fold


def _tile(v, k, dtype):
    """v [C] (cast to dtype) repeated k times; a filled buffer costs less than ``np.tile``."""
    out = np.empty((k, np.size(v)), dtype=dtype)
    out[...] = v
    return out.reshape(-1)


def channel_sum(x2d):
    if x2d.dtype not in _COMPILED_FLOATS or x2d.size == 0:
        return norm.channel_sum(x2d)
    xw, _ = _wide(x2d)
    zero = np.zeros(xw.shape[1])
    sums = _summed_in_blocks(lambda a, b: nb().wide_sums(xw[a:b], zero, False), *xw.shape)
    return _fold(sums, x2d.shape[1]).astype(x2d.dtype)


def channel_moments(x2d):
    if x2d.dtype not in _COMPILED_FLOATS:
        return norm.channel_moments(x2d)
    m, c = x2d.shape
    xw, k = _wide(x2d)
    zero = np.zeros(xw.shape[1])
    mean = _fold(_summed_in_blocks(lambda a, b: nb().wide_sums(xw[a:b], zero, False), *xw.shape), c) / m
    mean_t = np.tile(mean, k)
    var = _fold(_summed_in_blocks(lambda a, b: nb().wide_sums(xw[a:b], mean_t, True), *xw.shape), c) / m
    return mean.astype(x2d.dtype), var.astype(x2d.dtype)


def normalize(x, mean, var, gamma, beta, eps):
    inv, shift = norm.scale_shift(mean, var, gamma, beta, eps)
    c = x.shape[-1]
    dtype = np.result_type(x, inv, shift)
    if np.shape(inv) != (c,) or np.shape(shift) != (c,) or x.size == 0 or dtype not in _COMPILED_FLOATS:
        return x * inv + shift
    xw, k = _wide(x.reshape(-1, c))
    y = np.empty(xw.shape, dtype=dtype)
    inv_t, shift_t = _tile(inv, k, dtype), _tile(shift, k, dtype)
    parallel.run_in_blocks(lambda a, b: nb().wide_scale_shift(xw[a:b], inv_t, shift_t, y[a:b]),
                           xw.shape[0], xw.shape[1])
    return y.reshape(x.shape)


def batch_norm_train_backward(g2d, x2d, mean, var, gamma, eps):
    m, c = x2d.shape
    dtype = np.result_type(g2d, x2d)
    if dtype not in _COMPILED_FLOATS or g2d.shape != x2d.shape or np.shape(mean) != (c,) \
            or np.shape(var) != (c,) or np.size(gamma) not in (1, c):  # the loops read [C] vectors
        return norm.batch_norm_train_backward(g2d, x2d, mean, var, gamma, eps)
    rstd = norm.inv_std(var, eps)
    xw, k = _wide(x2d)
    gw = _c(g2d).reshape(xw.shape)
    mean_t, rstd_t = _tile(mean, k, dtype), _tile(rstd, k, dtype)
    sg, sgx = _summed_in_blocks(lambda a, b: np.stack(nb().wide_bn_sums(gw[a:b], xw[a:b], mean_t, rstd_t)),
                                *xw.shape, shape=(2,))
    dbeta, dgamma = _fold(sg, c), _fold(sgx, c)
    dx = np.empty(xw.shape, dtype=dtype)
    a_t, b_t = _tile(dbeta / m, k, dtype), _tile(dgamma / m, k, dtype)
    scale_t = _tile(norm.grad_scale(rstd, gamma), k, dtype)
    parallel.run_in_blocks(lambda a, b: nb().wide_bn_dx(gw[a:b], xw[a:b], mean_t, rstd_t, a_t, b_t, scale_t, dx[a:b]),
                           xw.shape[0], xw.shape[1])
    return dx.reshape(m, c), dgamma.astype(dtype), dbeta.astype(dtype)


def channel_add(x, b):
    if not (x.ndim >= 2 and x.size and x.dtype == b.dtype and x.dtype in _COMPILED_FLOATS
            and b.shape == x.shape[-1:]):
        return norm.channel_add(x, b)
    c = x.shape[-1]
    xw, k = _wide(x.reshape(-1, c))
    y = np.empty(xw.shape, dtype=np.result_type(x, b))
    ones, b_t = np.ones(xw.shape[1], y.dtype), _tile(b, k, y.dtype)
    parallel.run_in_blocks(lambda a, b: nb().wide_scale_shift(xw[a:b], ones, b_t, y[a:b]), xw.shape[0], xw.shape[1])
    return y.reshape(x.shape)


def bias_relu(x, b):
    if not (x.ndim >= 2 and x.size and x.dtype == b.dtype and x.dtype in _COMPILED_FLOATS
            and b.shape == x.shape[-1:]):
        return activation.bias_relu(x, b)
    c = x.shape[-1]
    xw, k = _wide(x.reshape(-1, c))
    y = np.empty(xw.shape, dtype=x.dtype)
    b_t = _tile(b, k, y.dtype)
    parallel.run_in_blocks(lambda a, b: nb().wide_bias_relu(xw[a:b], b_t, y[a:b]), xw.shape[0], xw.shape[1])
    return y.reshape(x.shape)


# ---- optimizers -------------------------------------------------------------------------------

def _adam_compiles(arrays, scalars):
    dt = arrays[1].dtype
    return dt in _COMPILED_FLOATS and all(a.dtype == dt and a.shape == arrays[1].shape for a in arrays) \
        and all(type(s) is dt.type for s in scalars)


def adam_update(g, w, m, v, vhat, alpha, one_minus_b1, one_minus_b2, eps):
    arrays = (g, w, m, v) if vhat is None else (g, w, m, v, vhat)
    if not _adam_compiles(arrays, (alpha, one_minus_b1, one_minus_b2, eps)):
        return optim.adam_update(g, w, m, v, vhat, alpha, one_minus_b1, one_minus_b2, eps)
    dt = w.dtype
    flat = [_c(a).reshape(-1) for a in arrays]
    out = [np.empty(w.shape, dt) for _ in arrays[1:]]
    vh, vh2 = (flat[3], out[2]) if vhat is None else (flat[4], out[3])
    o = [a.reshape(-1) for a in (out[0], out[1], out[2], vh2)]
    parallel.run_in_blocks(lambda a, b: nb().adam(flat[0][a:b], flat[1][a:b], flat[2][a:b], flat[3][a:b], vh[a:b],
                                                  vhat is not None, alpha, one_minus_b1, one_minus_b2, eps,
                                                  o[0][a:b], o[1][a:b], o[2][a:b], o[3][a:b]), w.size, 1)
    return out[0], out[1], out[2], (None if vhat is None else out[3])


# Variables under PACK_BELOW elements share one compiled call: their gradients, weights and slots
# are copied into one flat array each, and each variable takes views of the call's outputs. A
# call of its own costs ~9 us, as much as copying the four arrays of ~10k numbers (AVX-512 EPYC),
# so larger variables get one.
PACK_BELOW = 1 << 13


def adam_update_many(gs, ws, ms, vs, vhats, alpha, one_minus_b1, one_minus_b2, eps):
    """``optim.adam_update_many``: the small variables of the first one's dtype in one call (the
    same element-wise arithmetic, so the same bits), the others one call each."""
    scalars = (alpha, one_minus_b1, one_minus_b2, eps)
    amsgrad = vhats is not None
    rows = [(g, w, m, v) + ((vh,) if amsgrad else ()) for g, w, m, v, vh in
            zip(gs, ws, ms, vs, vhats if amsgrad else ws)]
    dt = ws[0].dtype if ws else None
    packed = [i for i, r in enumerate(rows)
              if r[1].size < PACK_BELOW and r[1].dtype == dt and _adam_compiles(r, scalars)]
    if len(packed) < 2:
        packed = []
    out = [None] * len(rows)
    together = set(packed)
    for i, r in enumerate(rows):
        if i not in together:
            out[i] = adam_update(r[0], r[1], r[2], r[3], r[4] if amsgrad else None, *scalars)
    if packed:
        flat = [np.concatenate([rows[i][k].reshape(-1) for i in packed]) for k in range(len(rows[0]))]
        new = np.empty((4 if amsgrad else 3, flat[0].size), dt)
        nb().adam(flat[0], flat[1], flat[2], flat[3], flat[4] if amsgrad else flat[3], amsgrad, *scalars,
                  new[0], new[1], new[2], new[3] if amsgrad else new[2])
        at = 0
        for i in packed:
            shape, n = ws[i].shape, ws[i].size
            views = [a[at:at + n].reshape(shape) for a in new]
            out[i] = (views[0], views[1], views[2], views[3] if amsgrad else None)
            at += n
    return out

