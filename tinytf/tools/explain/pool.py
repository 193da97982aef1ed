"""Pooling picture: 2x2 max pooling with each window's winner, next to average pooling."""
import os

import numpy as np

from ...kernels.conv import geometry, pad_nhwc
from ...kernels.padding import normalize_padding
from ...kernels.pool import avg_pool_forward, max_pool_backward, max_pool_forward
from .common import LIGHT, PAD_FACE, PALETTE, bbox, Board, make_out_dir, pad_mask, pad_name, window_cells


def pool_data(size=4, pool=2, stride=2, padding="VALID", seed=0):
    """Max / average pooling of one small integer channel, with each window's winner.

    Returns a dict: ``x`` [H, W], ``xpad`` [PH, PW] (-inf on padding, as max pooling pads),
    ``y_max`` and ``y_avg`` [OH, OW] (``max_pool_forward`` / ``avg_pool_forward``), ``geo``,
    ``windows``: per output (row-major) a dict with ``index``, ``cells`` [(a, b, row, col)] and
    ``winner`` (row, col) in padded coordinates - the first cell in row-major order holding the
    max, the cell ``max_pool_backward`` routes the gradient to - and ``routed`` [H, W], the
    gradient ``max_pool_backward`` sends back for an all-ones output gradient.
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 10, (1, size, size, 1)).astype(np.float64)
    geo = geometry((size, size), (pool, pool), (stride, stride), (1, 1), normalize_padding(padding))
    y_max = max_pool_forward(x, geo)
    y_avg = avg_pool_forward(x, geo)
    routed = max_pool_backward(np.ones_like(y_max), x, y_max, geo)
    xpad = pad_nhwc(x, geo.pads, -np.inf)[0, :, :, 0]
    windows = []
    for oi in range(geo.oh):
        for oj in range(geo.ow):
            cells = window_cells(geo, oi, oj)
            winner = next((r, c) for _, _, r, c in cells if xpad[r, c] == y_max[0, oi, oj, 0])
            windows.append({"index": (oi, oj), "cells": cells, "winner": winner})
    return {"x": x[0, :, :, 0], "xpad": xpad, "y_max": y_max[0, :, :, 0], "y_avg": y_avg[0, :, :, 0],
            "geo": geo, "windows": windows, "routed": routed[0, :, :, 0], "pad_mask": pad_mask(geo),
            "pool": pool, "stride": stride, "size": size, "padding": padding}


def explain_pool(out_dir, size=4, pool=2, stride=2, padding="VALID", seed=0, dpi=120):
    """Max pooling (each window's winning cell highlighted) next to average pooling (``pool.png``)."""
    out_dir = make_out_dir(out_dir)
    d = pool_data(size, pool, stride, padding, seed)
    geo = d["geo"]
    ph, pw = geo.padded_hw
    oh, ow = geo.oh, geo.ow
    col_h = 2 * oh + 2.0
    body = max(ph, col_h)
    width = max(1 + pw + 2.8 + ow * 1.3 + 1, 17)
    height = 3.4 + body + 2.4
    b = Board(width, height, dpi=dpi, target_px=1000)
    b.text(width / 2, 0.8, f"Max pooling {pool}×{pool}, stride {stride}", size=0.66, weight="bold")
    b.text(width / 2, 1.65, "each coloured window keeps its largest value (bold, black box)",
           size=0.42, color="#444444")
    x0 = (width - (pw + 2.8 + ow * 1.3)) / 2
    y0 = 3.4 + (body - ph) / 2
    faces = [[PAD_FACE if d["pad_mask"][r, c] else None for c in range(pw)] for r in range(ph)]
    ofaces = [[None] * ow for _ in range(oh)]
    bold = np.zeros((ph, pw), dtype=bool)
    for n, win in enumerate(d["windows"]):
        col = n % len(LIGHT)
        for _, _, r, c in win["cells"]:
            if not d["pad_mask"][r, c]:
                faces[r][c] = LIGHT[col]
        oi, oj = win["index"]
        ofaces[oi][oj] = LIGHT[col]
        bold[win["winner"]] = True
    b.grid(x0, y0, d["xpad"], faces=faces, bold=bold, title=f"input ({size}×{size})",
           colors=[["#777777" if p else None for p in row] for row in d["pad_mask"]])
    for n, win in enumerate(d["windows"]):
        r0, c0, h, w = bbox(win["cells"])
        b.outline(x0 + c0, y0 + r0, w, h, PALETTE[n % len(PALETTE)], lw=3.0, inset=0.04)
        wr, wc = win["winner"]
        b.outline(x0 + wc, y0 + wr, 1, 1, "black", lw=2.6, inset=0.12, z=6)
    xo = x0 + pw + 2.8
    ym = 3.4 + (body - col_h) / 2 + 0.6
    ya = ym + oh + 1.4
    b.text(xo - 1.4, ym + oh / 2, "max →", size=0.46)
    b.grid(xo, ym, d["y_max"], cw=1.3, faces=ofaces, bold=[[True] * ow] * oh, title="max pool")
    b.text(xo - 1.4, ya + oh / 2, "mean →", size=0.46)
    b.grid(xo, ya, d["y_avg"], cw=1.3, faces=ofaces, title="avg pool (same windows)", size=0.4,
           title_size=0.4)
    pname = normalize_padding(padding)
    txt = (f"out = ⌊({size} − {pool}) / {stride}⌋ + 1 = {oh}" if pname == "VALID"
           else f"out = {oh} ({pad_name(padding)})")
    b.text(width / 2, 3.4 + body + 0.7, txt, size=0.44, va="top")
    b.text(width / 2, 3.4 + body + 1.45,
           "backward: each gradient goes to its window's winner (ties: the first)",
           size=0.4, va="top", color="#444444")
    return [b.save(os.path.join(out_dir, "pool.png"))]

