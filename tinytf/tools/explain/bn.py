"""Batch-norm picture: per-channel statistics over N, H, W and the normalised batch."""
import os

import numpy as np

from ...kernels.norm import channel_moments, normalize
from .common import LIGHT, PALETTE, Board, make_out_dir

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


def explain_bn(out_dir, batch=4, size=2, channels=3, eps=1e-3, seed=0, momentum=0.99, dpi=120):
    """Batch-norm statistics per channel over N, H, W, and the normalised batch (``bn.png``)."""
    out_dir = make_out_dir(out_dir)
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
    b = Board(width, height, dpi=dpi)
    from matplotlib.ticker import MaxNLocator   # matplotlib is there: Board checked
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
    b.text(width / 2, height - 1.75, "var of y = σ²/(σ² + ε), just under 1.   Training uses the "
           "batch μ, σ² and updates the moving ones:", size=0.4)
    b.text(width / 2, height - 0.95, f"μ_moving ← {momentum}·μ_moving + {1 - momentum:.2g}·μ_B   "
           f"(same for σ²);   at test time (training=False) the moving statistics are used",
           size=0.4)
    return [b.save(os.path.join(out_dir, "bn.png"))]

