"""Receptive-field pictures: nested boxes on the input, and what one unit depends on map by map."""
import os

from ...kernels import receptive_field
from .common import LIGHT, PAD_FACE, PALETTE, Board, make_out_dir


def rf_data(stack="conv3,pool2/2,conv3,pool2/2", input_size=28, unit=None):
    """Receptive-field facts for the pictures (square input, one unit of the last layer).

    Returns a dict: ``specs``, ``fields`` (``receptive_fields``), ``sizes`` (the map size before
    each layer and after the last: [28, 26, 13, 11, 5] for LeNet-5), ``unit`` (row, col) of the
    last layer (default: the centre), ``window`` (its ``InputWindow`` in the input),
    ``nested``: per layer a unit of that layer and its input window, chosen from the last
    layer back so that each box lies inside the next and is as centred as it can be (the
    growing boxes), ``back``: per map (input first) the window of
    that map the chosen unit depends on.
    """
    specs = receptive_field.parse_stack(stack) if isinstance(stack, str) else list(stack)
    fields = receptive_field.receptive_fields(specs, input_size)
    if not fields or fields[-1].is_global:
        raise ValueError("rf pictures need a stack of conv/pool layers that does not end global")
    sizes = [input_size] + [f.out[0] for f in fields]
    if unit is None:
        unit = ((sizes[-1] - 1) // 2, (sizes[-1] - 1) // 2)
    # growing boxes: from the last layer back, the unit of each layer whose field lies inside
    # the next box and is nearest its centre, so the boxes nest
    nested = [None] * len(fields)
    nested[-1] = {"layer": len(fields) - 1, "unit": tuple(unit),
                  "window": receptive_field.input_window(specs, unit, input_size)}
    for i in range(len(fields) - 2, -1, -1):
        outer = nested[i + 1]["window"].span
        best = None
        for u0 in range(fields[i].out[0]):
            for u1 in range(fields[i].out[1]):
                win = receptive_field.input_window(specs[:i + 1], (u0, u1), input_size)
                if all(outer[a][0] <= win.span[a][0] and win.span[a][1] <= outer[a][1] for a in (0, 1)):
                    off = sum(abs(win.span[a][0] + win.span[a][1] - outer[a][0] - outer[a][1])
                              for a in (0, 1))
                    if best is None or off < best[0]:
                        best = (off, (u0, u1), win)
        nested[i] = {"layer": i, "unit": best[1], "window": best[2]}
    back = [receptive_field.input_window(specs[i:], unit, sizes[i]) for i in range(len(specs))]
    back.append(receptive_field.input_window([], unit, sizes[-1]))
    return {"specs": specs, "fields": fields, "sizes": sizes, "unit": tuple(unit),
            "window": receptive_field.input_window(specs, unit, input_size), "nested": nested, "back": back,
            "input_size": input_size}


def explain_rf(out_dir, stack="conv3,pool2/2,conv3,pool2/2", input_size=28, unit=None, dpi=120):
    """The receptive field growing through a conv/pool stack (LeNet-5 by default): nested boxes
    on the input (``rf.png``) and the region of every feature map one output unit depends on
    (``rf_layers.png``)."""
    out_dir = make_out_dir(out_dir)
    d = rf_data(stack, input_size, unit)
    paths = [_rf_boxes_png(d, os.path.join(out_dir, "rf.png"), dpi),
             _rf_layers_png(d, os.path.join(out_dir, "rf_layers.png"), dpi)]
    return paths


def _rf_table_lines(d):
    def row(name, k, st, r, j, out):
        return f"{name:<9s} {k:>2s} {st:>2s}   {r:<19s} {j:<9s} {out:>3s}"
    lines = [row("layer", "k", "s", "r = r' + (k−1)·j'", "j = j'·s", "out"),
             row("input", "", "", "1", "1", str(d["input_size"]))]
    r_prev, j_prev = 1, 1
    for f in d["fields"]:
        sp = f.spec
        st, ke = sp.stride[0], sp.k_eff[0]
        lines.append(row(sp.name[:9], str(ke), str(st), f"{f.r[0]} = {r_prev} + {ke - 1}·{j_prev}",
                         f"{f.j[0]} = {j_prev}·{st}", str(f.out[0])))
        r_prev, j_prev = f.r[0], f.j[0]
    return lines


def _span_rect(b, x0, y0, cell, win, **kw):
    """Rectangle of an InputWindow's span (may reach into the padding around the map)."""
    (r0, r1), (c0, c1) = win.span
    b.rect(x0 + c0 * cell, y0 + r0 * cell, (c1 - c0 + 1) * cell, (r1 - r0 + 1) * cell, **kw)


def _clip_rect(b, x0, y0, cell, win, **kw):
    """Rectangle of the in-image part of an InputWindow."""
    b.rect(x0 + win.cols.start * cell, y0 + win.rows.start * cell, len(win.cols) * cell,
           len(win.rows) * cell, **kw)


def _window_text(win):
    s = f"rows {win.rows.start}..{win.rows.stop - 1}, cols {win.cols.start}..{win.cols.stop - 1}"
    if any(win.in_padding):
        s += f" (+{max(win.in_padding)} in padding)"
    return s


def _rf_boxes_png(d, path, dpi):
    n = d["input_size"]
    margin = max(max(nd["window"].pad_rows + nd["window"].pad_cols) for nd in d["nested"])
    cell = 14.0 / (n + 2 * margin)
    img = n * cell
    table = _rf_table_lines(d)
    notes = ["r: how many input pixels one unit sees (per side)",
             "j: input pixels between two neighbouring units",
             "k: kernel (or pool) size, s: stride, ' = previous layer"]
    L = len(d["fields"])
    tab_w = 0.36 * max(len(s) for s in table)
    right_h = 0.4 + L * 1.0 + 0.8 + 1.6 + (len(table) + len(notes)) * 0.75
    width = 1.6 + 14.0 + 1.2 + max(tab_w, 13.5) + 0.6
    y0 = 3.2
    height = y0 + max(14.0, right_h) + 0.8
    b = Board(width, height, dpi=dpi)
    uy, ux = d["unit"]
    b.text(width / 2, 0.8, f"Receptive field through {' → '.join(f.spec.name for f in d['fields'])} "
           f"on a {n}×{n} input", size=0.6, weight="bold")
    b.text(width / 2, 1.7, f"boxes: the input pixels one unit of each layer sees, around output "
           f"unit ({uy},{ux}) of the last layer", size=0.42, color="#444444")
    x0, yi = 1.6 + margin * cell, y0 + margin * cell
    if margin:
        b.rect(1.6, y0, 14.0, 14.0, face=PAD_FACE, edge="#999999", lw=0.8, z=0, hatch="//")
        b.text(1.6 + 7.0, y0 + 14.0 + 0.15, "grey: zero padding", size=0.34, va="top", color="#555555")
    for r in range(n):
        for c in range(n):
            b.rect(x0 + c * cell, yi + r * cell, cell, cell, face="#fafafa" if (r + c) % 2 else "#eeeeee",
                   edge="#dddddd", lw=0.3, z=0.5)
    b.rect(x0, yi, img, img, edge="black", lw=1.4, z=1)
    step = 4 if n <= 40 else 8
    for t in range(0, n, step):
        b.text(1.45, yi + (t + 0.5) * cell, str(t), size=0.26, ha="right", color="#666666")
        b.text(x0 + (t + 0.5) * cell, y0 - 0.1, str(t), size=0.26, va="bottom", color="#666666")
    for i in reversed(range(L)):
        win = d["nested"][i]["window"]
        col = PALETTE[i % len(PALETTE)]
        _clip_rect(b, x0, yi, cell, win, face=LIGHT[i % len(LIGHT)], edge="none", lw=0,
                   z=2 + (L - i) * 0.01)
        _span_rect(b, x0, yi, cell, win, edge=col, lw=2.4, z=5)
    xt = 1.6 + 14.0 + 1.2
    for i, f in enumerate(d["fields"]):
        col = PALETTE[i % len(PALETTE)]
        yl = y0 + 0.4 + i * 1.0
        b.rect(xt, yl - 0.3, 0.6, 0.6, face=LIGHT[i % len(LIGHT)], edge=col, lw=2.2)
        u = d["nested"][i]["unit"]
        b.text(xt + 0.9, yl, f"{f.spec.name} unit ({u[0]},{u[1]}): r = {_fmt_rc(f.r)}, "
               + _window_text(d["nested"][i]["window"]), size=0.4, ha="left", color="black")
    ty = y0 + 0.4 + L * 1.0 + 0.8
    b.text(xt, ty, "r₀ = 1, j₀ = 1;  r = r' + (k − 1)·j',  j = j'·s", size=0.42, ha="left",
           weight="bold")
    for i, line in enumerate(table):
        b.text(xt, ty + 1.0 + i * 0.75, line, size=0.38, ha="left", family="monospace")
    for i, line in enumerate(notes):
        b.text(xt, ty + 1.6 + (len(table) + i) * 0.75, line, size=0.38, ha="left", color="#444444")
    return b.save(path)


def _fmt_rc(p):
    return str(p[0]) if p[0] == p[1] else f"{p[0]}×{p[1]}"


def _rf_layers_png(d, path, dpi):
    maps = len(d["sizes"])
    side = 6.0
    gap = 1.6
    width = maps * side + (maps - 1) * gap + 2
    height = side + 5.2
    b = Board(width, height, dpi=dpi)
    uy, ux = d["unit"]
    b.text(width / 2, 0.8, f"What output unit ({uy},{ux}) of the last layer depends on, map by map",
           size=0.6, weight="bold")
    names = ["input"] + [f.spec.name for f in d["fields"]]
    for i, (n, win) in enumerate(zip(d["sizes"], d["back"])):
        x0 = 1 + i * (side + gap)
        y0 = 2.8
        cell = side / n
        b.rect(x0, y0, side, side, face="#f6f6f6", edge="black", lw=1.4, z=1)
        if n <= 30:
            for t in range(1, n):
                b.ax.plot([x0 + t * cell] * 2, [y0, y0 + side], color="#d0d0d0", lw=0.4, zorder=1,
                          solid_capstyle="butt")
                b.ax.plot([x0, x0 + side], [y0 + t * cell] * 2, color="#d0d0d0", lw=0.4, zorder=1,
                          solid_capstyle="butt")
        col = PALETTE[(i - 1) % len(PALETTE)] if i else "#333333"
        face = LIGHT[(i - 1) % len(LIGHT)] if i else "#cccccc"
        _clip_rect(b, x0, y0, cell, win, face=face, edge=col, lw=2.2, z=3)
        b.text(x0 + side / 2, y0 - 0.35, f"{names[i]}: {n}×{n}", size=0.46, va="bottom",
               weight="bold" if i == maps - 1 else "normal")
        b.text(x0 + side / 2, y0 + side + 0.5, _window_text(win), size=0.36, va="top")
        b.text(x0 + side / 2, y0 + side + 1.3, f"{len(win.rows)}×{len(win.cols)} region",
               size=0.4, va="top", color=col)
        if i < maps - 1:
            b.text(x0 + side + gap / 2, y0 + side / 2, "→", size=0.8)
    return b.save(path)

