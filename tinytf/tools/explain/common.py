"""Shared by the topic modules: reading a ``ConvGeometry`` (window cells, padding), colours and
the drawing board (matplotlib and Pillow are imported only when a picture is drawn)."""
import os

import numpy as np

from ...kernels.padding import normalize_padding

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


def window_cells(geo, oi, oj):
    """[(a, b, row, col)]: kernel offset (a, b) of output (oi, oj) reads padded cell (row, col).

    Read off the geometry's own per-offset slices (no window arithmetic here)."""
    cells = []
    for (a, b), (rows, cols) in geo.window_slices():
        cells.append((a, b, range(rows.start, rows.stop, rows.step)[oi],
                      range(cols.start, cols.stop, cols.step)[oj]))
    return cells


def pad_mask(geo):
    """Boolean [PH, PW]: True on the padding cells of the padded input."""
    (pt, _), (pl, _) = geo.pads
    mask = np.ones(geo.padded_hw, dtype=bool)
    mask[pt:pt + geo.n_hw[0], pl:pl + geo.n_hw[1]] = False
    return mask


def pad_name(padding):
    p = normalize_padding(padding)
    if isinstance(p, str):
        return p
    (t, b), (l, r) = p
    return f"explicit [[0,0],[{t},{b}],[{l},{r}],[0,0]]"


def _mpl():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:
        raise ImportError(_PLOT_MSG) from None
    return Figure, FigureCanvasAgg, Rectangle


def pil_image():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(_IMAGE_MSG) from None
    return Image


def format_value(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if np.isinf(v):
        return "−∞" if v < 0 else "∞"
    v = float(v)
    if v.is_integer():
        return str(int(v))
    return f"{v:.2f}"


def term(v):
    s = format_value(v)
    return f"({s})" if s.startswith("-") else s


class Board:
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
             bold=None, size=0.42, title=None, title_size=0.44, fmt=format_value):
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


def make_out_dir(out_dir):
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    return out_dir


def bbox(cells):
    rows = [r for _, _, r, _ in cells]
    cols = [c for _, _, _, c in cells]
    return min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1

