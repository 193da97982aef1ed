"""Pictures that explain what the tutorial's lost figures showed.

Each ``explain_<topic>(out_dir, **options)`` writes PNG (and for ``conv`` an animated GIF) files
into ``out_dir`` and returns the list of written paths. Topics: ``conv`` (one kernel over one
channel, several channels summed, several kernels, stride 1 vs 2), ``stride``, ``padding``
(VALID vs SAME vs explicit, with the output-size arithmetic), ``pool`` (2x2 max pool, the winner
of each window), ``bn`` (per-channel batch statistics) and ``rf`` (the receptive field growing
through LeNet-5).

The code is split into *compute* functions (``conv_data``, ``pool_data``, ``bn_data``,
``rf_data``...) that only call tinytf's kernels (:mod:`tinytf.kernels.conv`,
:mod:`~tinytf.kernels.pool`, :mod:`~tinytf.kernels.norm`, :mod:`~tinytf.kernels.padding`) and
:mod:`tinytf.tools.receptive_field`, and *draw* functions that turn their results into
pictures: every number shown is one the library computed. Inputs are small integers from a
seeded generator, so the numbers are readable and the pictures repeatable.

matplotlib (``pip install 'tinytf[plot]'``) draws the pictures, through its Agg canvas (the
global pyplot backend is left alone); Pillow (``pip install 'tinytf[image]'``) writes the GIF.

Pictures are laid out for about 1400 px width (cells of 0.26 to 0.5 inch, so small inputs give
smaller pictures); ``dpi`` (default 120) sets the resolution and, within those bounds, the scale.

Command line: ``python -m tinytf.tools.explain OUT_DIR [topic ...]``.
"""
import os

import numpy as np

from ..kernels.conv import conv2d_forward, geometry, pad_nhwc
from ..kernels.norm import channel_moments, normalize
from ..kernels.padding import normalize_padding
from ..kernels.pool import avg_pool_forward, max_pool_backward, max_pool_forward
from . import receptive_field as rfm

__all__ = ["conv_data", "pool_data", "bn_data", "rf_data", "size_arithmetic",
           "explain_conv", "explain_stride", "explain_padding", "explain_pool", "explain_bn",
           "explain_rf", "explain", "TOPICS"]

# ============================================================================ compute

_TUTORIAL_EXPLICIT = [[0, 0], [1, 1], [1, 1], [0, 0]]


def _plan_padding(padding):
    """A tf.nn-style padding ('SAME', 'valid', explicit list) -> geometry()'s hashable form."""
    return normalize_padding(padding)


def _window_cells(geo, oi, oj):
    """[(a, b, row, col)]: kernel offset (a, b) of output (oi, oj) reads padded cell (row, col).

    Read off the geometry's own per-offset slices (no window arithmetic here)."""
    cells = []
    for (a, b), (rows, cols) in geo.window_slices():
        cells.append((a, b, range(rows.start, rows.stop, rows.step)[oi],
                      range(cols.start, cols.stop, cols.step)[oj]))
    return cells


def _pad_mask(geo):
    """Boolean [PH, PW]: True on the padding cells of the padded input."""
    (pt, _), (pl, _) = geo.pads
    mask = np.ones(geo.padded_hw, dtype=bool)
    mask[pt:pt + geo.n_hw[0], pl:pl + geo.n_hw[1]] = False
    return mask


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
    geo = geometry((size, size), (kernel, kernel), (stride, stride), (1, 1), _plan_padding(padding))
    if geo.oh <= 0 or geo.ow <= 0:
        raise ValueError(f"a {kernel}x{kernel} kernel does not fit a {size}x{size} input "
                         f"with padding {padding!r}")
    y, _ = conv2d_forward(x, w, geo)
    partial = np.stack([conv2d_forward(x[..., c:c + 1], w[:, :, c:c + 1, :], geo)[0][0]
                        for c in range(channels)])
    steps = [{"index": (oi, oj), "cells": _window_cells(geo, oi, oj)}
             for oi in range(geo.oh) for oj in range(geo.ow)]
    covered = np.zeros(geo.padded_hw, dtype=bool)
    for _, (rows, cols) in geo.window_slices():
        covered[rows, cols] = True
    return {"x": x[0], "xpad": pad_nhwc(x, geo.pads)[0], "w": w, "y": y[0], "partial": partial,
            "geo": geo, "pad_mask": _pad_mask(geo), "covered": covered, "steps": steps,
            "padding": padding, "stride": stride, "kernel": kernel, "size": size}


def size_arithmetic(size, kernel, stride, padding):
    """The output-size arithmetic of one axis as text lines, with the numbers tinytf computed.

    ``padding``: 'VALID', 'SAME' or a tf.nn explicit list. The formulas are the ones in
    :mod:`tinytf.kernels.padding`; the results are read from the geometry it builds.
    """
    p = _plan_padding(padding)
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
        lines = [f"SAME: out = ⌈n / s⌉", f"= ⌈{n} / {s}⌉ = {out}",
                 "pad total = max((out − 1)·s + k − n, 0)",
                 f"= max({out - 1}·{s} + {k} − {n}, 0) = {before + after}",
                 f"→ top/left {before}, bottom/right {after}"
                 + (" (the odd one goes after)" if (before + after) % 2 else "")]
    else:
        lines = [f"explicit: out = ⌊(n + {before} + {after} − k) / s⌋ + 1",
                 f"= ⌊({n} + {before} + {after} − {k}) / {s}⌋ + 1 = {out}",
                 f"pad top/left {before}, bottom/right {after}"]
    return lines


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
    geo = geometry((size, size), (pool, pool), (stride, stride), (1, 1), _plan_padding(padding))
    y_max = max_pool_forward(x, geo)
    y_avg = avg_pool_forward(x, geo)
    routed = max_pool_backward(np.ones_like(y_max), x, y_max, geo)
    xpad = pad_nhwc(x, geo.pads, -np.inf)[0, :, :, 0]
    windows = []
    for oi in range(geo.oh):
        for oj in range(geo.ow):
            cells = _window_cells(geo, oi, oj)
            winner = next((r, c) for _, _, r, c in cells if xpad[r, c] == y_max[0, oi, oj, 0])
            windows.append({"index": (oi, oj), "cells": cells, "winner": winner})
    return {"x": x[0, :, :, 0], "xpad": xpad, "y_max": y_max[0, :, :, 0], "y_avg": y_avg[0, :, :, 0],
            "geo": geo, "windows": windows, "routed": routed[0, :, :, 0], "pad_mask": _pad_mask(geo),
            "pool": pool, "stride": stride, "size": size, "padding": padding}


_BN_RANGES = ((0, 6), (10, 31), (-8, 1), (2, 4))


def bn_data(batch=4, size=2, channels=3, eps=1e-3, seed=0):
    """Batch-norm statistics of a small [N, H, W, C] integer batch (channels on different scales).

    Returns a dict: ``x`` and ``y`` [N, H, W, C] (``y`` normalised with gamma=1, beta=0),
    ``mean`` and ``var`` [C] (``channel_moments`` over N, H, W), ``y_mean`` / ``y_var`` [C]
    (the normalised batch's moments), ``eps``.
    """
    rng = np.random.default_rng(seed)
    cols = [rng.integers(*_BN_RANGES[c % len(_BN_RANGES)], (batch, size, size))
            for c in range(channels)]
    x = np.stack(cols, axis=-1).astype(np.float64)
    x2d = x.reshape(-1, channels)
    mean, var = channel_moments(x2d)
    y = normalize(x, mean, var, None, None, eps)
    y_mean, y_var = channel_moments(y.reshape(-1, channels))
    return {"x": x, "y": y, "mean": mean, "var": var, "y_mean": y_mean, "y_var": y_var, "eps": eps}


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
    specs = rfm.parse_stack(stack) if isinstance(stack, str) else list(stack)
    fields = rfm.receptive_fields(specs, input_size)
    if not fields or fields[-1].is_global:
        raise ValueError("rf pictures need a stack of conv/pool layers that does not end global")
    sizes = [input_size] + [f.out[0] for f in fields]
    if unit is None:
        unit = ((sizes[-1] - 1) // 2, (sizes[-1] - 1) // 2)
    # growing boxes: from the last layer back, the unit of each layer whose field lies inside
    # the next box and is nearest its centre, so the boxes nest
    nested = [None] * len(fields)
    nested[-1] = {"layer": len(fields) - 1, "unit": tuple(unit),
                  "window": rfm.input_window(specs, unit, input_size)}
    for i in range(len(fields) - 2, -1, -1):
        outer = nested[i + 1]["window"].span
        best = None
        for u0 in range(fields[i].out[0]):
            for u1 in range(fields[i].out[1]):
                win = rfm.input_window(specs[:i + 1], (u0, u1), input_size)
                if all(outer[a][0] <= win.span[a][0] and win.span[a][1] <= outer[a][1] for a in (0, 1)):
                    off = sum(abs(win.span[a][0] + win.span[a][1] - outer[a][0] - outer[a][1])
                              for a in (0, 1))
                    if best is None or off < best[0]:
                        best = (off, (u0, u1), win)
        nested[i] = {"layer": i, "unit": best[1], "window": best[2]}
    back = [rfm.input_window(specs[i:], unit, sizes[i]) for i in range(len(specs))]
    back.append(rfm.input_window([], unit, sizes[-1]))
    return {"specs": specs, "fields": fields, "sizes": sizes, "unit": tuple(unit),
            "window": rfm.input_window(specs, unit, input_size), "nested": nested, "back": back,
            "input_size": input_size}


# ============================================================================ drawing helpers

_PLOT_MSG = "tinytf explain needs matplotlib: pip install 'tinytf[plot]'"
_IMAGE_MSG = "tinytf explain needs Pillow to write GIFs: pip install 'tinytf[image]'"

WINDOW = "#f08a24"          # the current window / winner
WINDOW_FACE = "#fde3c4"
DONE_FACE = "#dcebf9"       # output cells already computed
KERNEL_FACE = "#e8def8"
KERNEL_TEXT = "#5b2c9f"
PAD_FACE = "#d9d9d9"
DROP_FACE = "#f7d4d4"
PALETTE = ["#e4572e", "#2e86ab", "#3f9e4d", "#c9a227", "#8e44ad", "#17a2b8", "#d63384", "#6c757d"]
LIGHT = ["#fbd9cf", "#cfe6f2", "#d3ecd6", "#f5ecc4", "#e6d6f0", "#cdeef3", "#f7d3e5", "#e2e3e5"]


def _mpl():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:
        raise ImportError(_PLOT_MSG) from None
    return Figure, FigureCanvasAgg, Rectangle


def _pil_image():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(_IMAGE_MSG) from None
    return Image


def _fmt(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if np.isinf(v):
        return "−∞" if v < 0 else "∞"
    v = float(v)
    if v.is_integer():
        return str(int(v))
    return f"{v:.2f}"


def _term(v):
    s = _fmt(v)
    return f"({s})" if s.startswith("-") else s


class _Board:
    """One figure whose coordinates are grid cells (x right, y down): grids, boxes and text
    are placed in cell units, so every picture has the same cell and font sizes."""

    def __init__(self, width, height, dpi=120, target_px=1400, cell_in=None):
        Figure, FigureCanvasAgg, self._Rect = _mpl()
        if cell_in is None:
            cell_in = min(max(target_px / dpi / width, 0.26), 0.5)
        self.cell_in, self.dpi = cell_in, dpi
        self.fig = Figure(figsize=(width * cell_in, height * cell_in), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes([0, 0, 1, 1])
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(height, 0)
        self.ax.axis("off")
        self.width, self.height = width, height

    def fs(self, rel):
        """A font size (points) relative to the cell height."""
        return rel * self.cell_in * 72

    def text(self, x, y, s, size=0.42, ha="center", va="center", **kw):
        self.ax.text(x, y, s, fontsize=self.fs(size), ha=ha, va=va, **kw)

    def rect(self, x, y, w, h, face="none", edge="black", lw=1.0, z=2, **kw):
        # add_artist, not add_patch: the limits are fixed, so skip add_patch's limit update
        self.ax.add_artist(self._Rect((x, y), w, h, facecolor=face, edgecolor=edge, linewidth=lw,
                                      zorder=z, **kw))

    def outline(self, x, y, w, h, color, lw=3.0, inset=0.0, z=5):
        self.rect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, edge=color, lw=lw, z=z)

    def grid(self, x0, y0, values, cw=1.0, ch=1.0, face="white", faces=None, colors=None,
             bold=None, size=0.42, title=None, title_size=0.44, fmt=_fmt):
        """Draw a 2-D array as a table of numbered cells; ``faces`` / ``colors`` / ``bold`` are
        optional per-cell arrays (None entries fall back to the defaults)."""
        values = np.asarray(values, dtype=float)
        for r in range(values.shape[0]):
            for c in range(values.shape[1]):
                f = faces[r][c] if faces is not None and faces[r][c] else face
                self.rect(x0 + c * cw, y0 + r * ch, cw, ch, face=f, edge="#555555", lw=0.8, z=1)
                col = colors[r][c] if colors is not None and colors[r][c] else "black"
                wt = "bold" if bold is not None and bold[r][c] else "normal"
                self.text(x0 + (c + 0.5) * cw, y0 + (r + 0.5) * ch, fmt(values[r, c]), size=size,
                          color=col, weight=wt, zorder=3)
        self.rect(x0, y0, values.shape[1] * cw, values.shape[0] * ch, edge="black", lw=1.6, z=4)
        if title:
            self.text(x0 + values.shape[1] * cw / 2, y0 - 0.45, title, size=title_size, va="bottom")

    def save(self, path):
        self.fig.savefig(path, dpi=self.dpi, facecolor="white")
        return path

    def rgba(self):
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba()).copy()


def _out_dir(out_dir):
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    return out_dir


def _bbox(cells):
    rows = [r for _, _, r, _ in cells]
    cols = [c for _, _, _, c in cells]
    return min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


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
    r0, c0, h, w = _bbox(step["cells"])
    b.outline(x0 + c0, y0 + r0, w, h, WINDOW, lw=3.2)
    if kernel_marks:
        for a, bb, r, c in step["cells"]:
            b.text(x0 + c + 0.95, y0 + r + 0.93, "×" + _fmt(d["w"][a, bb, channel, filt]),
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
        terms = [f"{_term(d['xpad'][r, c, channel])}·{_term(d['w'][aa, bb, channel, filt])}"
                 for aa, bb, r, c in step["cells"] if aa == a]
        rows.append(" + ".join(terms))
    oi, oj = step["index"]
    head = f"y[{oi},{oj}] = "
    pad = " " * len(head)
    lines = [head + rows[0]] + [pad + "+ " + r for r in rows[1:]]
    lines.append(pad + f"= {_fmt(d['y'][oi, oj, filt])}")
    return lines


# ============================================================================ topics

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
    b = _Board(width, height, dpi=dpi)
    b.text(width / 2, 0.8, f"Convolution: one {d['kernel']}×{d['kernel']} kernel slides over one "
           f"{d['size']}×{d['size']} channel (stride {d['stride']}, {_pad_name(d['padding'])})",
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
               f"step {k + 1}: y[{oi},{oj}] = Σ window ⊙ w = {_fmt(d['y'][oi, oj, 0])}",
               size=0.42, va="bottom")
    return b.save(path)


def _conv_header_width(d):
    pw = d["geo"].padded_hw[1]
    return pw + 1.6 + d["w"].shape[0] + 1.6 + d["y"].shape[1]


def _pad_name(padding):
    p = _plan_padding(padding)
    if isinstance(p, str):
        return p
    (t, b), (l, r) = p
    return f"explicit [[0,0],[{t},{b}],[{l},{r}],[0,0]]"


def _conv_gif(d, path, dpi, duration_ms=900):
    Image = _pil_image()
    geo = d["geo"]
    ph, pw = geo.padded_hw
    k = d["w"].shape[0]
    oh, ow = geo.oh, geo.ow
    width = pw + 1.6 + k + 1.6 + ow + 2
    width = max(width, 17)
    height = ph + 3.2 + (k + 1) * 0.85 + 0.6
    frames = []
    for n, st in enumerate(d["steps"]):
        b = _Board(width, height, dpi=dpi, target_px=900)
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
    b = _Board(width, height, dpi=dpi)
    b.text(width / 2, 0.8, f"{C} input channels, one kernel: the channel results are summed",
           size=0.56, weight="bold")
    b.text(width / 2, 1.65, f"x [{d['size']},{d['size']},{C}] ⊛ w [{k},{k},{C},1] → y "
           f"[{oh},{ow},1]", size=0.44)
    xs = 1
    xk = xs + pw + 1.6
    xp = xk + k + 1.6
    xy = xp + ow + 2.2
    st0 = d["steps"][0]
    r0, c0, hh, ww = _bbox(st0["cells"])
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
    parts = " + ".join(_term(d["partial"][c, 0, 0, 0]) for c in range(C))
    b.text(width / 2, height - 0.9, f"y[0,0] = {parts} = {_fmt(d['y'][0, 0, 0])}   "
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
    b = _Board(width, height, dpi=dpi)
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
    b = _Board(width, height, dpi=dpi)
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
            r0, c0, h, w = _bbox(st["cells"])
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
    out_dir = _out_dir(out_dir)
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
    out_dir = _out_dir(out_dir)
    ds = [conv_data(size, kernel, s, padding, seed=seed) for s in strides]
    return [_stride_png(ds, os.path.join(out_dir, "conv_stride.png"), dpi)]


def explain_padding(out_dir, size=5, kernel=3, stride=3, paddings=("VALID", "SAME", _TUTORIAL_EXPLICIT),
                    seed=0, dpi=120):
    """VALID (the edge that no window reaches is dropped) vs SAME (zeros added, the odd one after)
    vs explicit padding, with the output-size arithmetic under each panel (``padding.png``).

    The default is the tutorial's ``strides=3, padding='SAME'`` case on a 5x5 input, where SAME
    pads 1 in total: 0 before, 1 after."""
    out_dir = _out_dir(out_dir)
    ds = [conv_data(size, kernel, stride, p, seed=seed) for p in paddings]
    maxp = max(d["geo"].padded_hw[1] for d in ds)
    maxo = max(d["geo"].ow for d in ds)
    panel_w = max(maxp + 1.8 + maxo, 10.5)
    width = len(ds) * panel_w + (len(ds) - 1) * 1.2 + 2
    maxph = max(d["geo"].padded_hw[0] for d in ds)
    nlines = max(len(size_arithmetic(size, kernel, stride, d["padding"])) for d in ds)
    height = 3.4 + maxph + 0.9 + nlines * 0.75 + 0.4
    b = _Board(width, height, dpi=dpi, target_px=1600)
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
               colors=_pad_colors(d), title=_pad_name(d["padding"]), title_size=0.5)
        ofaces = [[None] * geo.ow for _ in range(geo.oh)]
        for n, st in enumerate(d["steps"][:len(PALETTE)]):
            r0, c0, h, w = _bbox(st["cells"])
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


def explain_pool(out_dir, size=4, pool=2, stride=2, padding="VALID", seed=0, dpi=120):
    """Max pooling (each window's winning cell highlighted) next to average pooling (``pool.png``)."""
    out_dir = _out_dir(out_dir)
    d = pool_data(size, pool, stride, padding, seed)
    geo = d["geo"]
    ph, pw = geo.padded_hw
    oh, ow = geo.oh, geo.ow
    col_h = 2 * oh + 2.0
    body = max(ph, col_h)
    width = max(1 + pw + 2.8 + ow * 1.3 + 1, 17)
    height = 3.4 + body + 2.4
    b = _Board(width, height, dpi=dpi, target_px=1000)
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
        r0, c0, h, w = _bbox(win["cells"])
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
    pname = _plan_padding(padding)
    txt = (f"out = ⌊({size} − {pool}) / {stride}⌋ + 1 = {oh}" if pname == "VALID"
           else f"out = {oh} ({_pad_name(padding)})")
    b.text(width / 2, 3.4 + body + 0.7, txt, size=0.44, va="top")
    b.text(width / 2, 3.4 + body + 1.45,
           "backward: each gradient goes to its window's winner (ties: the first)",
           size=0.4, va="top", color="#444444")
    return [b.save(os.path.join(out_dir, "pool.png"))]


def explain_bn(out_dir, batch=4, size=2, channels=3, eps=1e-3, seed=0, momentum=0.99, dpi=120):
    """Batch-norm statistics per channel over N, H, W, and the normalised batch (``bn.png``)."""
    out_dir = _out_dir(out_dir)
    d = bn_data(batch, size, channels, eps, seed)
    x, y = d["x"], d["y"]
    N, H, W, C = x.shape
    m = H * W
    cw = 1.35
    col_w = m * cw + 1.6
    left = 3.6
    width = left + C * col_w + 0.6
    plot_h = 3.2
    y_raw = 3.9
    y_plot = y_raw + N + 2.2
    y_norm = y_plot + plot_h + 2.0
    height = y_norm + N + 3.5
    b = _Board(width, height, dpi=dpi)
    from matplotlib.ticker import MaxNLocator   # matplotlib is there: _Board checked
    b.text(width / 2, 0.8, f"Batch normalisation: statistics per channel over N, H, W "
           f"(batch [{N},{H},{W},{C}])", size=0.58, weight="bold")
    b.text(width / 2, 1.7, f"each channel's {N}×{H}×{W} = {N * m} values share one mean μ and "
           f"variance σ²;  y = (x − μ) / √(σ² + ε),  ε = {eps:g}", size=0.44)
    b.text(left - 0.3, y_raw + N / 2, "x\n(row = sample n,\ncol = pixel h,w)", size=0.36, ha="right")
    b.text(left - 0.3, y_plot + plot_h / 2, "● x, top axis\n○ y, bottom axis\ndashed: μ\nband: μ ± σ",
           size=0.34, ha="right")
    b.text(left - 0.3, y_norm + N / 2, "y = BN(x)", size=0.4, ha="right")
    for c in range(C):
        x0 = left + c * col_w + 0.8
        col = PALETTE[c % len(PALETTE)]
        vals = x[..., c].reshape(N, m)
        b.grid(x0, y_raw, vals, cw=cw, face=LIGHT[c % len(LIGHT)], size=0.4,
               title=f"channel {c}", title_size=0.52)
        b.text(x0 + m * cw / 2, y_raw + N + 0.55,
               f"μ = {d['mean'][c]:.2f}   σ² = {d['var'][c]:.2f}", size=0.44, color=col, weight="bold")
        # value distribution: raw values (top axis) and normalised ones (bottom axis); the two
        # axes are aligned (y = (x - mu) / sqrt(var + eps)), so each dot sits above its image
        fx0, fy0 = x0 / b.width, 1 - (y_plot + plot_h) / b.height
        ax = b.fig.add_axes([fx0, fy0, m * cw / b.width, plot_h / b.height])
        raw, nrm = vals.ravel(), y[..., c].ravel()
        sd = float(np.sqrt(d["var"][c] + eps))
        lim = 2.6
        ax.set_xlim(-lim, lim)
        ax.set_ylim(0, 1)
        ax.axvspan(-1, 1, color=col, alpha=0.12)
        ax.axvline(0, color=col, lw=1.5, ls="--")
        order = np.argsort(raw, kind="stable")
        level = np.zeros(raw.size)
        for i in range(1, raw.size):   # stack equal values so every dot shows
            if raw[order[i]] == raw[order[i - 1]]:
                level[order[i]] = level[order[i - 1]] + 1
        lift = level * min(0.09, 0.36 / max(level.max(), 1))
        ax.scatter(nrm, 0.56 + lift, s=24, color=col, zorder=3)
        ax.scatter(nrm, 0.08 + lift, s=24, facecolors="white", edgecolors="black", zorder=3)
        ax.set_yticks([])
        ax.set_xticks([-2, -1, 0, 1, 2])
        ax.tick_params(labelsize=b.fs(0.3))
        ax.set_xlabel("y: normalised values (○)", fontsize=b.fs(0.32))
        top = ax.secondary_xaxis("top", functions=(lambda v, mu=d["mean"][c], sd=sd: v * sd + mu,
                                                   lambda v, mu=d["mean"][c], sd=sd: (v - mu) / sd))
        top.tick_params(labelsize=b.fs(0.3))
        top.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        top.set_xlabel("x: raw values (●)", fontsize=b.fs(0.32))
        b.grid(x0, y_norm, y[..., c].reshape(N, m), cw=cw, face="#f4f4f4", size=0.36)
        b.text(x0 + m * cw / 2, y_norm + N + 0.55,
               f"mean = {d['y_mean'][c] + 0.0:.2f}   var = {d['y_var'][c]:.3f}", size=0.42)
    b.text(width / 2, height - 1.75, f"var of y = σ²/(σ² + ε), just under 1.   Training uses the "
           f"batch μ, σ² and updates the moving ones:", size=0.4)
    b.text(width / 2, height - 0.95, f"μ_moving ← {momentum}·μ_moving + {1 - momentum:.2g}·μ_B   "
           f"(same for σ²);   at test time (training=False) the moving statistics are used",
           size=0.4)
    return [b.save(os.path.join(out_dir, "bn.png"))]


def explain_rf(out_dir, stack="conv3,pool2/2,conv3,pool2/2", input_size=28, unit=None, dpi=120):
    """The receptive field growing through a conv/pool stack (LeNet-5 by default): nested boxes
    on the input (``rf.png``) and the region of every feature map one output unit depends on
    (``rf_layers.png``)."""
    out_dir = _out_dir(out_dir)
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
        k, st, ke = sp.kernel[0], sp.stride[0], sp.k_eff[0]
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
    b = _Board(width, height, dpi=dpi)
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
    b = _Board(width, height, dpi=dpi)
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


TOPICS = {"conv": explain_conv, "stride": explain_stride, "padding": explain_padding,
          "pool": explain_pool, "bn": explain_bn, "rf": explain_rf}


def explain(out_dir, topics=None, **options):
    """Write the pictures of ``topics`` (default: conv, padding, pool, bn, rf; conv includes
    stride) into ``out_dir``; returns every written path. Each option goes to the topics that
    take it (``dpi``, ``seed``...); one that no chosen topic takes is a ``TypeError``."""
    import inspect
    topics = ["conv", "padding", "pool", "bn", "rf"] if topics is None else list(topics)
    bad = [t for t in topics if t not in TOPICS]
    if bad:
        raise ValueError(f"unknown explain topic(s) {bad}; choose from {sorted(TOPICS)}")
    params = {t: set(inspect.signature(TOPICS[t]).parameters) for t in topics}
    unused = [k for k in options if not any(k in p for p in params.values())]
    if unused:
        raise TypeError(f"explain: no topic among {topics} takes option(s) {unused}")
    paths = []
    for t in topics:
        paths += TOPICS[t](out_dir, **{k: v for k, v in options.items() if k in params[t]})
    return paths


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m tinytf.tools.explain",
                                description="Write pictures explaining convolution, stride, padding, "
                                            "pooling, batch norm and receptive fields.")
    p.add_argument("out_dir")
    p.add_argument("topics", nargs="*", metavar="topic",
                   help=f"any of {', '.join(sorted(TOPICS))} (default: all)")
    p.add_argument("--dpi", type=int, default=120)
    a = p.parse_args(argv)
    bad = [t for t in a.topics if t not in TOPICS]
    if bad:
        p.error(f"unknown topic(s) {', '.join(bad)}; choose from {', '.join(sorted(TOPICS))}")
    for path in explain(a.out_dir, a.topics or None, dpi=a.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
