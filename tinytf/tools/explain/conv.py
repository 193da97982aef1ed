"""Convolution pictures: one kernel over one channel (PNG and GIF), channels summed, several
kernels, stride 1 vs 2, and VALID / SAME / explicit padding with the output-size arithmetic."""
import os

import numpy as np

from ...kernels.conv import conv2d_forward, geometry, pad_nhwc
from ...kernels.padding import normalize_padding
from .common import (DONE_FACE, DROP_FACE, KERNEL_FACE, KERNEL_TEXT, LIGHT, PAD_FACE, PALETTE, WINDOW,
                     WINDOW_FACE, bbox, Board, format_value, make_out_dir, pad_mask, pad_name, pil_image, term,
                     window_cells)

_TUTORIAL_EXPLICIT = [[0, 0], [1, 1], [1, 1], [0, 0]]


def conv_data(size=5, kernel=3, stride=1, padding="VALID", channels=1, filters=1, seed=0):
    """Everything the convolution pictures show, computed with ``conv2d_forward``.

    Returns a dict: ``x`` [H, W, C] and ``xpad`` [PH, PW, C] (padded with zeros), ``w``
    [k, k, C, O], ``y`` [OH, OW, O], ``partial`` [C, OH, OW, O] (channel c alone convolved with
    its kernel slice; they sum to ``y``), ``geo`` (the ConvGeometry), ``pad_mask`` [PH, PW],
    ``covered`` [PH, PW] (cells some window reads), and ``steps``: one dict per output position
    in row-major order with ``index`` (oi, oj) and ``cells`` [(a, b, row, col)] in padded
    coordinates.
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, (1, size, size, channels)).astype(np.float64)
    w = rng.integers(-1, 2, (kernel, kernel, channels, filters)).astype(np.float64)
    geo = geometry((size, size), (kernel, kernel), (stride, stride), (1, 1), normalize_padding(padding))
    if geo.oh <= 0 or geo.ow <= 0:
        raise ValueError(f"a {kernel}x{kernel} kernel does not fit a {size}x{size} input "
                         f"with padding {padding!r}")
    y, _ = conv2d_forward(x, w, geo)
    partial = np.stack([conv2d_forward(x[..., c:c + 1], w[:, :, c:c + 1, :], geo)[0][0]
                        for c in range(channels)])
    steps = [{"index": (oi, oj), "cells": window_cells(geo, oi, oj)}
             for oi in range(geo.oh) for oj in range(geo.ow)]
    covered = np.zeros(geo.padded_hw, dtype=bool)
    for _, (rows, cols) in geo.window_slices():
        covered[rows, cols] = True
    return {"x": x[0], "xpad": pad_nhwc(x, geo.pads)[0], "w": w, "y": y[0], "partial": partial,
            "geo": geo, "pad_mask": pad_mask(geo), "covered": covered, "steps": steps,
            "padding": padding, "stride": stride, "kernel": kernel, "size": size}


def size_arithmetic(size, kernel, stride, padding):
    """The output-size arithmetic of one axis as text lines, with the numbers tinytf computed.

    ``padding``: 'VALID', 'SAME' or a tf.nn explicit list. The formulas are the ones in
    :mod:`tinytf.kernels.padding`; the results are read from the geometry it builds.
    """
    p = normalize_padding(padding)
    geo = geometry((size, size), (kernel, kernel), (stride, stride), (1, 1), p)
    out, (before, after) = geo.oh, geo.pads[0]
    n, k, s = size, kernel, stride
    if p == "VALID":
        # rows the windows read: the last cell of the geometry's per-offset slices, plus one
        used = max((range(r.start, r.stop, r.step)[-1] + 1 for _, (r, _) in geo.window_slices()),
                   default=0) if out > 0 else 0
        lines = ["VALID: out = ⌊(n − k) / s⌋ + 1", f"= ⌊({n} − {k}) / {s}⌋ + 1 = {out}",
                 "no padding"]
        lines.append(f"the last {n - used} row(s)/col(s) are never read: dropped" if used < n
                     else "every row/col is read")
    elif p == "SAME":
        lines = ["SAME: out = ⌈n / s⌉", f"= ⌈{n} / {s}⌉ = {out}",
                 "pad total = max((out − 1)·s + k − n, 0)",
                 f"= max({out - 1}·{s} + {k} − {n}, 0) = {before + after}",
                 f"→ top/left {before}, bottom/right {after}"
                 + (" (the odd one goes after)" if (before + after) % 2 else "")]
    else:
        lines = [f"explicit: out = ⌊(n + {before} + {after} − k) / s⌋ + 1",
                 f"= ⌊({n} + {before} + {after} − {k}) / {s}⌋ + 1 = {out}",
                 f"pad top/left {before}, bottom/right {after}"]
    return lines


# ---------------------------------------------------------------- drawing

def _input_faces(d, show_dropped=False):
    """Per-cell face colours of a padded input: grey padding, optionally pink dropped cells."""
    faces = [[None] * d["geo"].padded_hw[1] for _ in range(d["geo"].padded_hw[0])]
    for r in range(len(faces)):
        for c in range(len(faces[0])):
            if d["pad_mask"][r, c]:
                faces[r][c] = PAD_FACE
            elif show_dropped and not d["covered"][r, c]:
                faces[r][c] = DROP_FACE
    return faces


def _pad_colors(d):
    return [["#777777" if p else None for p in row] for row in d["pad_mask"]]


def _draw_window_step(b, d, x0, y0, step, channel=0, filt=0, kernel_marks=True):
    """Padded input at (x0, y0) with the window of ``step`` highlighted (and the kernel weight
    written small in the corner of each window cell)."""
    xpad = d["xpad"][:, :, channel]
    faces = _input_faces(d)
    for _, _, r, c in step["cells"]:
        faces[r][c] = WINDOW_FACE
    b.grid(x0, y0, xpad, faces=faces, colors=_pad_colors(d))
    r0, c0, h, w = bbox(step["cells"])
    b.outline(x0 + c0, y0 + r0, w, h, WINDOW, lw=3.2)
    if kernel_marks:
        for a, bb, r, c in step["cells"]:
            b.text(x0 + c + 0.95, y0 + r + 0.93, "×" + format_value(d["w"][a, bb, channel, filt]),
                   size=0.27, ha="right", va="bottom", color=KERNEL_TEXT)


def _draw_partial_output(b, d, x0, y0, upto, filt=0, title=None):
    """Output grid with cells before step ``upto`` filled, step ``upto`` highlighted, rest blank."""
    oh, ow = d["y"].shape[:2]
    vals = np.full((oh, ow), np.nan)
    faces = [[None] * ow for _ in range(oh)]
    for k, st in enumerate(d["steps"][:upto + 1]):
        oi, oj = st["index"]
        vals[oi, oj] = d["y"][oi, oj, filt]
        faces[oi][oj] = WINDOW_FACE if k == upto else DONE_FACE
    bold = [[k == upto for k in range(r * ow, (r + 1) * ow)] for r in range(oh)]
    b.grid(x0, y0, vals, faces=faces, bold=bold, title=title)
    oi, oj = d["steps"][upto]["index"]
    b.outline(x0 + oj, y0 + oi, 1, 1, WINDOW, lw=3.2)


def _expression_lines(d, step, channel=0, filt=0):
    """'y[i,j] = x·w + ...' for one window, one line per kernel row."""
    k = d["w"].shape[0]
    rows = []
    for a in range(k):
        terms = [f"{term(d['xpad'][r, c, channel])}·{term(d['w'][aa, bb, channel, filt])}"
                 for aa, bb, r, c in step["cells"] if aa == a]
        rows.append(" + ".join(terms))
    oi, oj = step["index"]
    head = f"y[{oi},{oj}] = "
    pad = " " * len(head)
    lines = [head + rows[0]] + [pad + "+ " + r for r in rows[1:]]
    lines.append(pad + f"= {format_value(d['y'][oi, oj, filt])}")
    return lines


def _conv_header(b, d, x0, y0, channel=0, filt=0):
    """x ⊛ w = y, the full grids in one row; returns the row's width."""
    ph, pw = d["geo"].padded_hw
    k = d["w"].shape[0]
    oh, ow = d["y"].shape[:2]
    b.grid(x0, y0, d["xpad"][:, :, channel], faces=_input_faces(d), colors=_pad_colors(d),
           title=f"input x ({d['size']}×{d['size']})")
    x = x0 + pw + 0.8
    b.text(x, y0 + ph / 2, "⊛", size=0.9)
    x += 0.8
    b.grid(x, y0 + (ph - k) / 2, d["w"][:, :, channel, filt], face=KERNEL_FACE, colors=None,
           title=f"kernel w ({k}×{k})")
    x += k + 0.8
    b.text(x, y0 + ph / 2, "=", size=0.9)
    x += 0.8
    b.grid(x, y0 + (ph - oh) / 2, d["y"][:, :, filt], face=DONE_FACE, title=f"output y ({oh}×{ow})")
    return x + ow - x0


def _conv_single_png(d, path, dpi):
    geo = d["geo"]
    ph, pw = geo.padded_hw
    oh, ow = geo.oh, geo.ow
    panel_w = pw + 1.4 + ow
    cols = ow
    width = cols * panel_w + (cols - 1) * 1.2 + 2
    head_h = ph + 3.4
    panel_h = ph + 2.0
    height = head_h + oh * panel_h + 1.2
    b = Board(width, height, dpi=dpi)
    b.text(width / 2, 0.8, f"Convolution: one {d['kernel']}×{d['kernel']} kernel slides over one "
           f"{d['size']}×{d['size']} channel (stride {d['stride']}, {pad_name(d['padding'])})",
           size=0.62, weight="bold")
    hw = _conv_header_width(d)
    _conv_header(b, d, (width - hw) / 2, 2.6)
    for k, st in enumerate(d["steps"]):
        oi, oj = st["index"]
        x0 = 1 + oj * (panel_w + 1.2)
        y0 = head_h + 0.9 + oi * panel_h
        _draw_window_step(b, d, x0, y0, st)
        b.text(x0 + pw + 0.7, y0 + ph / 2, "→", size=0.7)
        _draw_partial_output(b, d, x0 + pw + 1.4, y0 + (ph - oh) / 2, k)
        b.text(x0 + panel_w / 2, y0 - 0.5,
               f"step {k + 1}: y[{oi},{oj}] = Σ window ⊙ w = {format_value(d['y'][oi, oj, 0])}",
               size=0.42, va="bottom")
    return b.save(path)


def _conv_header_width(d):
    pw = d["geo"].padded_hw[1]
    return pw + 1.6 + d["w"].shape[0] + 1.6 + d["y"].shape[1]


def _conv_gif(d, path, dpi, duration_ms=900):
    Image = pil_image()
    geo = d["geo"]
    ph, pw = geo.padded_hw
    k = d["w"].shape[0]
    oh, ow = geo.oh, geo.ow
    width = pw + 1.6 + k + 1.6 + ow + 2
    width = max(width, 17)
    height = ph + 3.2 + (k + 1) * 0.85 + 0.6
    frames = []
    for n, st in enumerate(d["steps"]):
        b = Board(width, height, dpi=dpi, target_px=900)
        oi, oj = st["index"]
        b.text(width / 2, 0.7, f"step {n + 1} of {len(d['steps'])}: output y[{oi},{oj}]",
               size=0.6, weight="bold")
        x0 = (width - _conv_header_width(d)) / 2
        y0 = 2.4
        _draw_window_step(b, d, x0, y0, st)
        b.text(x0 + pw / 2, y0 - 0.45, "input x", size=0.44, va="bottom")
        b.text(x0 + pw + 0.8, y0 + ph / 2, "⊛", size=0.9)
        b.grid(x0 + pw + 1.6, y0 + (ph - k) / 2, d["w"][:, :, 0, 0], face=KERNEL_FACE,
               colors=[[KERNEL_TEXT] * k] * k, title="kernel w")
        xo = x0 + pw + 1.6 + k + 1.6
        b.text(xo - 0.8, y0 + ph / 2, "=", size=0.9)
        _draw_partial_output(b, d, xo, y0 + (ph - oh) / 2, n, title="output y")
        for i, line in enumerate(_expression_lines(d, st)):
            b.text(x0, y0 + ph + 1.0 + i * 0.85, line, size=0.48, ha="left", family="monospace")
        frames.append(Image.fromarray(b.rgba()).convert("RGB"))
    pal = [f.convert("P", palette=Image.ADAPTIVE, colors=128) for f in frames]
    pal[0].save(path, save_all=True, append_images=pal[1:], duration=duration_ms, loop=0,
                optimize=False)
    return path


def _conv_multichannel_png(d, path, dpi):
    geo = d["geo"]
    ph, pw = geo.padded_hw
    k = d["w"].shape[0]
    oh, ow = geo.oh, geo.ow
    C = d["x"].shape[2]
    row_h = ph + 1.6
    width = 1 + pw + 1.6 + k + 1.6 + ow + 2.2 + ow + 1.2
    height = 3.6 + C * row_h + 0.6
    b = Board(width, height, dpi=dpi)
    b.text(width / 2, 0.8, f"{C} input channels, one kernel: the channel results are summed",
           size=0.56, weight="bold")
    b.text(width / 2, 1.65, f"x [{d['size']},{d['size']},{C}] ⊛ w [{k},{k},{C},1] → y "
           f"[{oh},{ow},1]", size=0.44)
    xs = 1
    xk = xs + pw + 1.6
    xp = xk + k + 1.6
    xy = xp + ow + 2.2
    st0 = d["steps"][0]
    r0, c0, hh, ww = bbox(st0["cells"])
    for c in range(C):
        y0 = 3.6 + c * row_h
        faces = _input_faces(d)
        for _, _, r, cc in st0["cells"]:
            faces[r][cc] = LIGHT[c]
        b.grid(xs, y0, d["xpad"][:, :, c], faces=faces, colors=_pad_colors(d), title=f"x channel {c}")
        b.outline(xs + c0, y0 + r0, ww, hh, PALETTE[c], lw=2.6)
        b.text(xs + pw + 0.8, y0 + ph / 2, "⊛", size=0.85)
        b.grid(xk, y0 + (ph - k) / 2, d["w"][:, :, c, 0], face=KERNEL_FACE, title=f"w[:,:,{c},0]")
        b.text(xk + k + 0.8, y0 + ph / 2, "=", size=0.85)
        faces = [[None] * ow for _ in range(oh)]
        faces[0][0] = LIGHT[c]
        b.grid(xp, y0 + (ph - oh) / 2, d["partial"][c, :, :, 0], faces=faces, title=f"channel {c} part")
        b.outline(xp, y0 + (ph - oh) / 2, 1, 1, PALETTE[c], lw=2.6)
        if c < C - 1:
            below = y0 + (ph + oh) / 2
            title_top = y0 + row_h + (ph - oh) / 2 - 1.0
            b.text(xp + ow / 2, (below + title_top) / 2, "+", size=0.8, weight="bold")
    ymid = 3.6 + (C * row_h - 1.6) / 2
    b.text(xy - 1.1, ymid, "Σ →", size=0.6)
    faces = [[None] * ow for _ in range(oh)]
    faces[0][0] = WINDOW_FACE
    b.grid(xy, ymid - oh / 2, d["y"][:, :, 0], face=DONE_FACE, faces=faces, title="output y")
    b.outline(xy, ymid - oh / 2, 1, 1, WINDOW, lw=3)
    parts = " + ".join(term(d["partial"][c, 0, 0, 0]) for c in range(C))
    b.text(width / 2, height - 0.9, f"y[0,0] = {parts} = {format_value(d['y'][0, 0, 0])}   "
           "(each channel's window times its own kernel slice, then added)", size=0.44)
    return b.save(path)


def _conv_multikernel_png(d, path, dpi):
    geo = d["geo"]
    ph, pw = geo.padded_hw
    k = d["w"].shape[0]
    oh, ow = geo.oh, geo.ow
    C, O = d["w"].shape[2], d["w"].shape[3]
    in_h = C * (ph + 1.3)
    row_h = k + 1.5
    body = max(in_h, O * row_h)
    width = 1 + pw + 2.4 + C * (k + 0.5) + 2.2 + ow + 1.2
    height = 3.8 + body + 0.4
    b = Board(width, height, dpi=dpi)
    b.text(width / 2, 0.8, f"{O} kernels → {O} output channels", size=0.6, weight="bold")
    b.text(width / 2, 1.7, f"x [{d['size']},{d['size']},{C}] ⊛ w [{k},{k},{C},{O}] → y [{oh},{ow},{O}]:"
           f" kernel o (its {C} slices) makes output channel o", size=0.42)
    top = 3.8
    y_in = top + (body - in_h) / 2
    for c in range(C):
        b.grid(1, y_in + c * (ph + 1.3), d["xpad"][:, :, c], faces=_input_faces(d),
               colors=_pad_colors(d), title=f"x channel {c}", size=0.38)
    b.text(1 + pw + 1.2, top + body / 2, "⊛", size=0.9)
    xk = 1 + pw + 2.4
    xo = xk + C * (k + 0.5) + 2.2 - 0.5
    y_k = top + (body - O * row_h) / 2
    for o in range(O):
        y0 = y_k + o * row_h
        b.rect(xk - 0.25, y0 - 0.95, C * (k + 0.5), k + 1.25, face=LIGHT[o % len(LIGHT)],
               edge=PALETTE[o % len(PALETTE)], lw=1.5, z=0)
        for c in range(C):
            b.grid(xk + c * (k + 0.5), y0, d["w"][:, :, c, o], face="white", size=0.36,
                   title=f"w[:,:,{c},{o}]", title_size=0.34)
        b.text(xo - 1.0, y0 + k / 2, "→", size=0.75, color=PALETTE[o % len(PALETTE)])
        b.grid(xo, y0 + (k - oh) / 2, d["y"][:, :, o], face=LIGHT[o % len(LIGHT)], size=0.38,
               title=f"y[:,:,{o}]", title_size=0.34)
    return b.save(path)


def _stride_png(ds, path, dpi, n_windows=3):
    geo0 = ds[0]["geo"]
    ph, pw = geo0.padded_hw
    maxo = max(d["geo"].ow for d in ds)
    panel_w = pw + 1.6 + maxo
    width = len(ds) * panel_w + (len(ds) - 1) * 2.0 + 2
    height = ph + 5.4
    b = Board(width, height, dpi=dpi)
    k = ds[0]["kernel"]
    b.text(width / 2, 0.8, f"Stride: the same {ds[0]['size']}×{ds[0]['size']} input and {k}×{k} kernel, "
           + " vs ".join(f"stride {d['stride']}" for d in ds), size=0.56, weight="bold")
    b.text(width / 2, 1.6, "boxes: the windows of y[0,0], y[0,1] and y[1,0] and the outputs they make",
           size=0.42, color="#444444")
    for i, d in enumerate(ds):
        x0 = 1 + i * (panel_w + 2.0)
        y0 = 3.2
        geo = d["geo"]
        picks = [st for st in d["steps"] if st["index"] in ((0, 0), (0, 1), (1, 0))][:n_windows]
        faces = _input_faces(d)
        b.grid(x0, y0, d["xpad"][:, :, 0], faces=faces, colors=_pad_colors(d),
               title=f"stride {d['stride']}", title_size=0.52)
        ofaces = [[None] * geo.ow for _ in range(geo.oh)]
        for n, st in enumerate(picks):
            r0, c0, h, w = bbox(st["cells"])
            b.outline(x0 + c0, y0 + r0, w, h, PALETTE[n], lw=2.8, inset=0.07 * n)
            oi, oj = st["index"]
            ofaces[oi][oj] = LIGHT[n]
        xo = x0 + pw + 1.6
        yo = y0 + (ph - geo.oh) / 2
        b.text(xo - 0.8, y0 + ph / 2, "→", size=0.8)
        b.grid(xo, yo, d["y"][:, :, 0], faces=ofaces, face="white", title=f"y ({geo.oh}×{geo.ow})")
        for n, st in enumerate(picks):
            oi, oj = st["index"]
            b.outline(xo + oj, yo + oi, 1, 1, PALETTE[n], lw=2.8)
        lines = size_arithmetic(d["size"], d["kernel"], d["stride"], d["padding"])
        b.text(x0 + panel_w / 2, y0 + ph + 0.6, f"{lines[0]} {lines[1]}", size=0.44, va="top")
        b.text(x0 + panel_w / 2, y0 + ph + 1.4,
               f"the window moves {d['stride']} pixel{'s' if d['stride'] > 1 else ''} at a time",
               size=0.42, va="top", color="#444444")
    return b.save(path)


def explain_conv(out_dir, size=5, kernel=3, channels=3, filters=4, padding="VALID", seed=0,
                 gif=True, dpi=120, stride=True):
    """One kernel over one channel (PNG grid + animated GIF), several channels summed, several
    kernels, and (``stride=True``) stride 1 vs 2. Returns the written paths."""
    out_dir = make_out_dir(out_dir)
    paths = []
    d1 = conv_data(size, kernel, 1, padding, channels=1, filters=1, seed=seed)
    paths.append(_conv_single_png(d1, os.path.join(out_dir, "conv_single.png"), dpi))
    if gif:
        paths.append(_conv_gif(d1, os.path.join(out_dir, "conv_single.gif"), dpi))
    dc = conv_data(size, kernel, 1, padding, channels=channels, filters=1, seed=seed + 1)
    paths.append(_conv_multichannel_png(dc, os.path.join(out_dir, "conv_multichannel.png"), dpi))
    dk = conv_data(size, kernel, 1, padding, channels=channels, filters=filters, seed=seed + 2)
    paths.append(_conv_multikernel_png(dk, os.path.join(out_dir, "conv_multikernel.png"), dpi))
    if stride:
        paths += explain_stride(out_dir, kernel=kernel, seed=seed, dpi=dpi)
    return paths


def explain_stride(out_dir, size=7, kernel=3, strides=(1, 2), padding="VALID", seed=0, dpi=120):
    """The same input convolved with stride 1 and stride 2 (``conv_stride.png``)."""
    out_dir = make_out_dir(out_dir)
    ds = [conv_data(size, kernel, s, padding, seed=seed) for s in strides]
    return [_stride_png(ds, os.path.join(out_dir, "conv_stride.png"), dpi)]


def explain_padding(out_dir, size=5, kernel=3, stride=3, paddings=("VALID", "SAME", _TUTORIAL_EXPLICIT),
                    seed=0, dpi=120):
    """VALID (the edge that no window reaches is dropped) vs SAME (zeros added, the odd one after)
    vs explicit padding, with the output-size arithmetic under each panel (``padding.png``).

    The default is the tutorial's ``strides=3, padding='SAME'`` case on a 5x5 input, where SAME
    pads 1 in total: 0 before, 1 after."""
    out_dir = make_out_dir(out_dir)
    ds = [conv_data(size, kernel, stride, p, seed=seed) for p in paddings]
    maxp = max(d["geo"].padded_hw[1] for d in ds)
    maxo = max(d["geo"].ow for d in ds)
    panel_w = max(maxp + 1.8 + maxo, 10.5)
    width = len(ds) * panel_w + (len(ds) - 1) * 1.2 + 2
    maxph = max(d["geo"].padded_hw[0] for d in ds)
    nlines = max(len(size_arithmetic(size, kernel, stride, d["padding"])) for d in ds)
    height = 3.4 + maxph + 0.9 + nlines * 0.75 + 0.4
    b = Board(width, height, dpi=dpi, target_px=1600)
    b.text(width / 2, 0.8, f"Padding: {size}×{size} input, {kernel}×{kernel} kernel, stride {stride}",
           size=0.6, weight="bold")
    b.text(width / 2, 1.6, "grey = zero padding,  pink = input never read (dropped),  "
           "coloured boxes = the windows", size=0.42, color="#444444")
    for i, d in enumerate(ds):
        geo = d["geo"]
        ph, pw = geo.padded_hw
        x0 = 1 + i * (panel_w + 1.2) + (panel_w - (pw + 1.8 + geo.ow)) / 2
        y0 = 3.4
        b.grid(x0, y0, d["xpad"][:, :, 0], faces=_input_faces(d, show_dropped=True),
               colors=_pad_colors(d), title=pad_name(d["padding"]), title_size=0.5)
        ofaces = [[None] * geo.ow for _ in range(geo.oh)]
        for n, st in enumerate(d["steps"][:len(PALETTE)]):
            r0, c0, h, w = bbox(st["cells"])
            b.outline(x0 + c0, y0 + r0, w, h, PALETTE[n], lw=2.8, inset=0.07 * (n % 2))
            oi, oj = st["index"]
            ofaces[oi][oj] = LIGHT[n]
        xo = x0 + pw + 1.8
        yo = y0 + (ph - geo.oh) / 2
        b.text(xo - 0.9, y0 + ph / 2, "→", size=0.8)
        b.grid(xo, yo, d["y"][:, :, 0], faces=ofaces, title=f"y ({geo.oh}×{geo.ow})")
        for n, st in enumerate(d["steps"][:len(PALETTE)]):
            oi, oj = st["index"]
            b.outline(xo + oj, yo + oi, 1, 1, PALETTE[n], lw=2.8)
        cx = 1 + i * (panel_w + 1.2) + panel_w / 2
        for j, line in enumerate(size_arithmetic(size, kernel, stride, d["padding"])):
            b.text(cx, 3.4 + maxph + 0.9 + j * 0.75, line, size=0.42, va="top")
    return [b.save(os.path.join(out_dir, "padding.png"))]

