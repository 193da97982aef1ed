"""The Numba-compiled loops behind ``fast.py`` (imported only on the first compiled kernel call).

Each function writes into a preallocated output, loops serially (parallel threads fought
OpenBLAS's for the 2 cores and were slower) and accumulates sums in float64. Serial loops also
keep every sum in one fixed order, so results are bitwise identical run to run and for any
thread count; a ``prange`` reduction would need fixed chunks combined in a fixed order
(tests/kernels/test_kernel_table.py checks every function here). Compiled on first use per
dtype and cached on disk.
"""
import numpy as np
from numba import njit

_OPTS = dict(cache=True, nogil=True, fastmath=False)


@njit(**_OPTS)
def col2im(dcols, dx, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl):
    """dx += each window row of dcols at its cells. With dw == 1 the kw cells of one kernel row
    are one contiguous run of kw * C numbers on both sides, added in one inner loop; the order
    of the adds to a cell (by output position, then kernel offset) is the same either way."""
    n, h, w, c = dx.shape
    df = dx.ravel()
    kwc = kw * c
    for b in range(n):
        for i in range(oh):
            for p in range(kh):
                hi = i * sh + p * dh - pt
                if hi < 0 or hi >= h:
                    continue
                row = (b * h + hi) * w
                for j in range(ow):
                    r = (b * oh + i) * ow + j
                    w0 = j * sw - pl
                    col = p * kwc
                    if dw == 1:
                        # Kernel columns q0 <= q < q1 lie inside x; both clipped to [0, kw] so that a
                        # window entirely in the padding gives q0 == q1 (two empty slices), never a
                        # negative slice end (which would wrap and make the slices differ in length).
                        q0 = min(max(-w0, 0), kw)
                        q1 = max(min(w - w0, kw), q0)
                        base = (row + w0) * c
                        # Through slices (views): the loop then vectorises, 3x faster than
                        # indexing df and dcols directly (LeNet/VGG shapes).
                        src = dcols[r, col + q0 * c:col + q1 * c]
                        dst = df[base + q0 * c:base + q1 * c]
                        for t in range(src.size):
                            dst[t] += src[t]
                    else:
                        for q in range(kw):
                            wj = w0 + q * dw
                            if 0 <= wj < w:
                                base = (row + wj) * c
                                for ch in range(c):
                                    df[base + ch] += dcols[r, col + q * c + ch]


@njit(**_OPTS)
def im2col(x, cols, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, padded):
    """cols [N*OH*OW, kh*kw*C] = every window of x [N, H, W, C] zero-padded by pt rows on top and
    pl columns on the left (and as needed at the bottom and right; ``padded`` False when no
    window reaches outside x), row by row, without building the padded input. With dw == 1 the
    kw cells of a kernel row are one run of kw * C numbers on both sides. (Slice views keep the
    copy loops vectorised.)"""
    n, h, w, c = x.shape
    xf = x.ravel()
    kwc = kw * c
    zero = cols.dtype.type(0)
    if not padded and dw == 1:  # every window inside x: kh plain runs each, no checks
        for b in range(n):
            for i in range(oh):
                for j in range(ow):
                    row = cols[(b * oh + i) * ow + j]
                    for p in range(kh):
                        s = ((b * h + i * sh + p * dh) * w + j * sw) * c
                        src = xf[s:s + kwc]
                        dst = row[p * kwc:(p + 1) * kwc]
                        for t in range(kwc):
                            dst[t] = src[t]
        return
    for b in range(n):
        for i in range(oh):
            h0 = i * sh - pt
            for j in range(ow):
                row = cols[(b * oh + i) * ow + j]
                w0 = j * sw - pl
                inside = dw == 1 and h0 >= 0 and h0 + (kh - 1) * dh < h and w0 >= 0 and w0 + kw <= w
                for p in range(kh):
                    hi = h0 + p * dh
                    dst = row[p * kwc:(p + 1) * kwc]
                    if inside:
                        s = ((b * h + hi) * w + w0) * c
                        src = xf[s:s + kwc]
                        for t in range(kwc):
                            dst[t] = src[t]
                        continue
                    if hi < 0 or hi >= h:
                        for t in range(kwc):
                            dst[t] = zero
                        continue
                    for q in range(kw):
                        wj = w0 + q * dw
                        d = dst[q * c:(q + 1) * c]
                        if 0 <= wj < w:
                            src = xf[((b * h + hi) * w + wj) * c:((b * h + hi) * w + wj + 1) * c]
                            for t in range(c):
                                d[t] = src[t]
                        else:
                            for t in range(c):
                                d[t] = zero


@njit(**_OPTS)
def wide_sums(x, ref, sq):
    """Column sums of x [R, L] in float64; with sq, sums of (x - ref)**2 instead."""
    r_, l_ = x.shape
    acc = np.zeros(l_)
    if sq:
        for r in range(r_):
            for l in range(l_):
                d = np.float64(x[r, l]) - ref[l]
                acc[l] += d * d
    else:
        for r in range(r_):
            for l in range(l_):
                acc[l] += x[r, l]
    return acc


@njit(**_OPTS)
def wide_scale_shift(x, inv, shift, y):
    """y = x * inv + shift, inv and shift tiled to the row length of x [R, L]."""
    r_, l_ = x.shape
    for r in range(r_):
        for l in range(l_):
            y[r, l] = x[r, l] * inv[l] + shift[l]


@njit(**_OPTS)
def wide_bias_relu(x, b, y):
    """y = relu(x + b), b tiled to the row length of x [R, L]; as NumPy's ``maximum(v, 0)``, a
    NaN passes through and -0 gives +0."""
    r_, l_ = x.shape
    zero = y.dtype.type(0)
    for r in range(r_):
        for l in range(l_):
            v = x[r, l] + b[l]
            y[r, l] = v if ((v > zero) | (v != v)) else zero


@njit(**_OPTS)
def wide_bn_sums(g, x, mean, rstd):
    """Column sums of g and of g * (x - mean) * rstd, float64."""
    r_, l_ = x.shape
    sg = np.zeros(l_)
    sgx = np.zeros(l_)
    for r in range(r_):
        for l in range(l_):
            gv = np.float64(g[r, l])
            sg[l] += gv
            sgx[l] += gv * ((x[r, l] - mean[l]) * rstd[l])
    return sg, sgx


@njit(**_OPTS)
def wide_bn_dx(g, x, mean, rstd, a, bb, scale, dx):
    r_, l_ = x.shape
    for r in range(r_):
        for l in range(l_):
            xh = (x[r, l] - mean[l]) * rstd[l]
            dx[r, l] = (g[r, l] - a[l] - xh * bb[l]) * scale[l]


@njit(**_OPTS)
def max_pool_fwd_argmax(x, out, arg, kh, kw, sh, sw, pt, pl):
    """out = the window max as NumPy's ``maximum`` chain gives it (a NaN wins; of equal values
    the later one, which decides the sign of a zero max), arg = the offset p * kw + q of the
    first cell equal to it (the last offset for a NaN max). Padded cells count as -inf, which
    never changes either. x is [N, H, W, C], out and arg [N, OH, OW, C]; channels innermost, so
    each cell's update runs over a contiguous row (branch-free: random data mispredicts)."""
    n, h, w, c = x.shape
    _, oh, ow, _ = out.shape
    last = kh * kw - 1
    ninf = x.dtype.type(-np.inf)
    for b in range(n):
        for i in range(oh):
            h0 = i * sh - pt
            for j in range(ow):
                w0 = j * sw - pl
                m = out[b, i, j]
                a = arg[b, i, j]
                m[:] = ninf
                a[:] = 0
                for p in range(kh):
                    hi = h0 + p
                    if hi < 0 or hi >= h:
                        continue
                    for q in range(kw):
                        wj = w0 + q
                        if wj < 0 or wj >= w:
                            continue
                        v = x[b, hi, wj]
                        k = p * kw + q
                        for ch in range(c):
                            mv, vv = m[ch], v[ch]
                            a[ch] = k if vv > mv else a[ch]
                            m[ch] = mv if ((mv > vv) | (mv != mv)) else vv
                for ch in range(c):
                    if m[ch] != m[ch]:
                        a[ch] = last


@njit(**_OPTS)
def max_pool_bwd_argmax(g, arg, dx, kh, kw, sh, sw, pt, pl):
    """dx (zeros) += each output gradient at the window cell its arg (offset p * kw + q) names.
    Arrays are flat (C order); dx is [N, H, W, C], g and arg [N, OH, OW, C]. Disjoint windows:
    each cell gets at most one gradient, in one pass; overlapping ones add in kernel-offset
    order, as the reference does, so the sums are the same."""
    n, h, w, c = dx.shape
    _, oh, ow, _ = g.shape
    gf, af, df = g.ravel(), arg.ravel(), dx.ravel()
    kk = kh * kw
    off = np.empty(kk, np.int64)
    for k in range(kk):
        off[k] = ((k // kw) * w + k % kw) * c
    disjoint = sh >= kh and sw >= kw
    for k0 in range(1 if disjoint else kk):
        for b in range(n):
            for i in range(oh):
                h0 = i * sh - pt
                for j in range(ow):
                    w0 = j * sw - pl
                    ob = ((b * oh + i) * ow + j) * c
                    base = ((b * h + h0) * w + w0) * c
                    if disjoint and h0 >= 0 and h0 + kh <= h and w0 >= 0 and w0 + kw <= w:
                        for ch in range(c):
                            df[base + off[af[ob + ch]] + ch] += gf[ob + ch]
                        continue
                    for ch in range(c):
                        k = np.int64(af[ob + ch])
                        if not disjoint and k != k0:
                            continue
                        hi = h0 + k // kw
                        wj = w0 + k % kw
                        if 0 <= hi < h and 0 <= wj < w:
                            df[((b * h + hi) * w + wj) * c + ch] += gf[ob + ch]


@njit(**_OPTS)
def relu_bwd(g, out, dx):
    """dx = g where out > 0, else +0; all three flat and of one size."""
    zero = g.dtype.type(0)
    for i in range(g.size):
        dx[i] = g[i] if out[i] > 0 else zero


@njit(**_OPTS)
def adam(g, w, m, v, vh, amsgrad, alpha, c1, c2, eps, w2, m2, v2, vh2):
    """optim.adam_update element by element (flat arrays; vh and vh2 unused without amsgrad):
    the same float operations in the same order, so the same bits."""
    for i in range(g.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * c1
        vi = v[i] + (gi * gi - v[i]) * c2
        m2[i] = mi
        v2[i] = vi
        if amsgrad:
            vi = vh[i] if vh[i] > vi else vi
            vi = vh[i] if vh[i] != vh[i] else vi
            vh2[i] = vi
        w2[i] = w[i] - mi * alpha / (np.sqrt(vi) + eps)


@njit(**_OPTS)
def conv_tail(y, out, bias, inv, shift, has_bias, relu_conv, has_norm, relu_norm, relu_pool,
              kh, kw, sh, sw, pt, pl):
    """out = a convolution output y [N, OH, OW, C] through its tail (``kernels/tail.py``): per
    cell the bias add, ReLU, ``v * inv + shift``, ReLU as flagged, then the max over the pool
    window in row-major order (a 1x1 window with stride 1: no pool), as NumPy's ``maximum`` chain
    gives it (``max_pool_fwd_argmax``'s max; padded cells count as -inf), then the flagged ReLU.
    With no other step it is the inference max pool (``fast.max_pool_forward``). ReLU is NumPy's ``maximum(v, 0)``: a NaN stays, -0 gives +0."""
    n, h, w, c = y.shape
    _, oh, ow, _ = out.shape
    ninf = y.dtype.type(-np.inf)
    zero = y.dtype.type(0)
    for b in range(n):
        for i in range(oh):
            h0 = i * sh - pt
            for j in range(ow):
                w0 = j * sw - pl
                o = out[b, i, j]
                o[:] = ninf
                for p in range(kh):
                    hi = h0 + p
                    if hi < 0 or hi >= h:
                        continue
                    for q in range(kw):
                        wj = w0 + q
                        if wj < 0 or wj >= w:
                            continue
                        v = y[b, hi, wj]
                        for ch in range(c):
                            t = v[ch]
                            if has_bias:
                                t = t + bias[ch]
                            if relu_conv:
                                t = t if ((t > zero) | (t != t)) else zero
                            if has_norm:
                                t = t * inv[ch] + shift[ch]
                            if relu_norm:
                                t = t if ((t > zero) | (t != t)) else zero
                            m = o[ch]
                            o[ch] = m if ((m > t) | (m != m)) else t
                if relu_pool:
                    for ch in range(c):
                        m = o[ch]
                        o[ch] = m if ((m > zero) | (m != m)) else zero


@njit(**_OPTS)
def conv_tail_rows(y, out, bias, inv, shift, has_bias, relu_conv, has_norm, relu_norm, relu_pool,
                   kh, kw, sh, sw, pt, pl, pr):
    """``conv_tail`` for few channels, a row at a time: the steps before the pool over whole
    contiguous rows (the [C] vectors tiled along the row) into a scratch row with -inf in the
    pool's left and right padding, then the window maxima over the whole output row, each
    window cell gathered, in the same row-major window order; rows in the padding are skipped.
    The channel-inner loop of ``conv_tail`` runs C numbers at a time, too few to vectorise."""
    n, h, w, c = y.shape
    _, oh, ow, _ = out.shape
    wc, owc, lo = w * c, ow * c, pl * c
    ninf = y.dtype.type(-np.inf)
    zero = y.dtype.type(0)
    bias_t, inv_t, shift_t = np.empty(wc, y.dtype), np.empty(wc, y.dtype), np.empty(wc, y.dtype)
    for k in range(wc):
        if has_bias:
            bias_t[k] = bias[k % c]
        if has_norm:
            inv_t[k], shift_t[k] = inv[k % c], shift[k % c]
    first = np.empty(owc, np.int64)  # where output f's window row starts in a scratch row
    for f in range(owc):
        first[f] = (f // c) * sw * c + f % c
    rows = np.full((h, (w + pl + pr) * c), ninf, y.dtype)
    m = np.empty(owc, y.dtype)
    for b in range(n):
        for r in range(h):
            src = y[b, r].reshape(wc)
            dst = rows[r, lo:lo + wc]
            for k in range(wc):
                t = src[k]
                if has_bias:
                    t = t + bias_t[k]
                if relu_conv:
                    t = t if ((t > zero) | (t != t)) else zero
                if has_norm:
                    t = t * inv_t[k] + shift_t[k]
                if relu_norm:
                    t = t if ((t > zero) | (t != t)) else zero
                dst[k] = t
        for i in range(oh):
            m[:] = ninf
            for p in range(kh):
                hi = i * sh - pt + p
                if hi < 0 or hi >= h:
                    continue
                row = rows[hi]
                for q in range(kw):
                    off = q * c
                    for f in range(owc):
                        t = row[first[f] + off]
                        v = m[f]
                        m[f] = v if ((v > t) | (v != v)) else t
            o = out[b, i].reshape(owc)
            for f in range(owc):
                v = m[f]
                o[f] = v if ((not relu_pool) | (v > zero) | (v != v)) else zero


@njit(**_OPTS)
def _row_b(d0, d1, d2, d3, e0, e1, e2, e3):
    """(e0, e1, e2, e3) = B^T (d0, d1, d2, d3), each a vector over the channels, a contiguous loop
    per output (which vectorises)."""
    for k in range(e0.shape[0]):
        e0[k] = d0[k] - d2[k]
    for k in range(e1.shape[0]):
        e1[k] = d1[k] + d2[k]
    for k in range(e2.shape[0]):
        e2[k] = d2[k] - d1[k]
    for k in range(e3.shape[0]):
        e3[k] = d1[k] - d3[k]


@njit(**_OPTS)
def winograd_input(x, v, th, tw, pt, pl):
    """v [16, N*TH*TW, C] = B^T d B for every 4x4 tile d of x [N, H, W, C] (``winograd.py``: tile
    (i, j) starts at row 2i - pt, column 2j - pl; cells outside x are 0), with the reference's
    operations in its order; a tile that reaches outside x is copied out first."""
    n, h, w, c = x.shape
    e = np.empty((4, 4, c), x.dtype)  # e[s, r]: the tile's column s transformed down the rows
    cells = np.empty((4, c), x.dtype)  # one column of a tile at the border
    zero = x.dtype.type(0)
    for b in range(n):
        for i in range(th):
            h0 = 2 * i - pt
            for j in range(tw):
                w0 = 2 * j - pl
                t = (b * th + i) * tw + j
                inside = h0 >= 0 and h0 + 3 < h and w0 >= 0 and w0 + 3 < w
                for s_ in range(4):
                    if inside:
                        _row_b(x[b, h0, w0 + s_], x[b, h0 + 1, w0 + s_], x[b, h0 + 2, w0 + s_],
                               x[b, h0 + 3, w0 + s_], e[s_, 0], e[s_, 1], e[s_, 2], e[s_, 3])
                        continue
                    for r in range(4):
                        if 0 <= h0 + r < h and 0 <= w0 + s_ < w:
                            cells[r, :] = x[b, h0 + r, w0 + s_]
                        else:
                            cells[r, :] = zero
                    _row_b(cells[0], cells[1], cells[2], cells[3], e[s_, 0], e[s_, 1], e[s_, 2], e[s_, 3])
                for r in range(4):
                    _row_b(e[0, r], e[1, r], e[2, r], e[3, r], v[4 * r, t], v[4 * r + 1, t], v[4 * r + 2, t],
                           v[4 * r + 3, t])


@njit(**_OPTS)
def winograd_output(m, y, th, tw):
    """y [N, OH, OW, O] = A^T m A from the 16 products m [16, N*TH*TW, O] (``winograd.py``), with
    the reference's operations in its order; outputs past OH or OW are dropped."""
    n, oh, ow, o = y.shape
    f = np.empty((4, 2, o), m.dtype)  # f[s, a]: column s of the products transformed down the rows
    for b in range(n):
        for i in range(th):
            for j in range(tw):
                t = (b * th + i) * tw + j
                for s_ in range(4):
                    m0, m1, m2, m3 = m[s_, t], m[4 + s_, t], m[8 + s_, t], m[12 + s_, t]
                    fa, fb = f[s_, 0], f[s_, 1]
                    for k in range(o):
                        fa[k] = (m0[k] + m1[k]) + m2[k]
                        fb[k] = (m1[k] - m2[k]) - m3[k]
                for a in range(2):
                    if 2 * i + a >= oh:
                        continue
                    f0, f1, f2, f3 = f[0, a], f[1, a], f[2, a], f[3, a]
                    left = y[b, 2 * i + a, 2 * j]
                    for k in range(o):
                        left[k] = (f0[k] + f1[k]) + f2[k]
                    if 2 * j + 1 < ow:
                        right = y[b, 2 * i + a, 2 * j + 1]
                        for k in range(o):
                            right[k] = (f1[k] - f2[k]) - f3[k]
