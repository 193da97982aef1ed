"""Projective image transforms with TensorFlow's ``ImageProjectiveTransformV3`` semantics.

A transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` maps the output pixel (x = column, y = row)
to the input point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``.
Points outside the image are first mapped by ``fill_mode`` ('reflect' dcba|abcd|dcba, 'wrap'
abcd|abcd, 'nearest' aaaa|abcd|dddd, 'constant': left outside); then sampled 'nearest'
(round half away from zero) or 'bilinear'; a tap outside the image reads ``fill_value``.
Everything is in float32 as TF's kernel.
"""
import numpy as np

F32 = np.float32
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _map(coord, size, mode):
    n = F32(size)
    if mode == "constant":
        return coord
    if mode == "nearest" or size <= 1:
        return np.clip(coord, F32(0), n - F32(1)) if size > 1 else np.zeros_like(coord)
    c = coord.copy()
    neg, pos = c < 0, c > n - 1  # one branch per point, chosen before either moves it
    cn, cp = c[neg], c[pos]
    if mode == "reflect":
        sz2 = F32(2 * size)
        cn = sz2 * np.trunc(-cn / sz2) + cn  # trunc: C's cast to an integer
        c[neg] = np.where(cn < -n, cn + sz2, -cn - F32(1))
        cp = cp - sz2 * np.trunc(cp / sz2)
        c[pos] = np.where(cp >= n, sz2 - cp - F32(1), cp)
    else:  # wrap
        sz = F32(size - 1)
        c[neg] = cn + n * (np.trunc(-cn / sz) + F32(1))
        c[pos] = cp - n * np.trunc(cp / sz)
    return np.clip(c, F32(0), n - F32(1))


def sample_plan(shape, transforms, interpolation="bilinear", fill_mode="constant"):
    """Where each output pixel reads: ``(index, weight, valid)``, each ``[taps, N, H, W]``:
    flat row indices into the ``[N*H*W, C]`` image, the tap weights, and whether the tap is inside.

    ``shape`` is the image's ``(N, H, W)``; ``transforms`` is ``[N, 8]`` or ``[1, 8]``.
    """
    n, h, w = shape
    t = np.broadcast_to(np.asarray(transforms, F32).reshape(-1, 8), (n, 8))
    t = [t[:, k, None, None] for k in range(8)]
    ys, xs = np.meshgrid(np.arange(h, dtype=F32), np.arange(w, dtype=F32), indexing="ij")
    k = t[6] * xs + t[7] * ys + F32(1)
    safe = np.where(k == 0, F32(1), k)
    in_x = _map((t[0] * xs + t[1] * ys + t[2]) / safe, w, fill_mode)
    in_y = _map((t[3] * xs + t[4] * ys + t[5]) / safe, h, fill_mode)
    if interpolation == "nearest":
        iy = [np.copysign(np.floor(np.abs(in_y) + F32(0.5)), in_y)]
        ix = [np.copysign(np.floor(np.abs(in_x) + F32(0.5)), in_x)]
        wts = [np.ones_like(in_x)]
    else:
        y0, x0 = np.floor(in_y), np.floor(in_x)
        y1, x1 = y0 + F32(1), x0 + F32(1)
        iy, ix = [y0, y0, y1, y1], [x0, x1, x0, x1]
        wts = [(y1 - in_y) * (x1 - in_x), (y1 - in_y) * (in_x - x0),
               (in_y - y0) * (x1 - in_x), (in_y - y0) * (in_x - x0)]
    iy, ix = np.stack(iy), np.stack(ix)
    valid = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w) & (k != 0)
    iy = np.clip(iy, 0, h - 1).astype(np.int64)
    ix = np.clip(ix, 0, w - 1).astype(np.int64)
    index = (np.arange(n)[:, None, None] * h + iy) * w + ix
    return index, np.stack(wts), valid


def transform(images, transforms, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """``[N, H, W, C]`` images -> the transformed ``[N, H, W, C]`` (float32 unless float64)."""
    n, h, w, c = images.shape
    dt = np.float64 if images.dtype == np.float64 else F32
    index, wts, valid = sample_plan((n, h, w), transforms, interpolation, fill_mode)
    flat = images.reshape(-1, c).astype(dt, copy=False)
    fill = dt(fill_value)
    out = np.zeros((n, h, w, c), dt)
    for k in range(index.shape[0]):  # 1 or 4 taps
        out += wts[k][..., None].astype(dt) * np.where(valid[k][..., None], flat[index[k]], fill)
    return out


def transform_backward(g, shape, transforms, interpolation="bilinear", fill_mode="constant"):
    """Gradient of ``transform`` w.r.t. the image: each tap's weight scattered back to its pixel."""
    n, h, w, c = shape
    index, wts, valid = sample_plan((n, h, w), transforms, interpolation, fill_mode)
    gx = np.zeros((n * h * w, c), g.dtype)
    for k in range(index.shape[0]):
        wk = np.where(valid[k], wts[k], 0).astype(g.dtype)[..., None] * g
        np.add.at(gx, index[k].reshape(-1), wk.reshape(-1, c))
    return gx.reshape(shape)
