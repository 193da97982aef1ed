"""What a training run reports: confusion matrix and per-class accuracy (text), training curves and
confusion picture (PNG, with matplotlib's Agg canvas; the pyplot backend is left alone) and
``report.md``.
"""
import os
import platform

import numpy as np

from ..files import atomic_write, write_text_atomic

PLOT_HINT = "pip install 'tinytf[plot]'"


class MissingDependency(ImportError):
    """An optional package is not installed; the message says how to install it."""


def _figure():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependency(f"drawing plots needs matplotlib: {PLOT_HINT}") from None
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig


def have_matplotlib():
    try:
        _figure()
        return True
    except MissingDependency:
        return False


# ------------------------------------------------------------------------------ numbers

def confusion_matrix(y_true, y_pred, n):
    """[n, n] counts: row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true, np.int64).ravel(), np.asarray(y_pred, np.int64).ravel()
    return np.bincount(y_true * n + y_pred, minlength=n * n).reshape(n, n)


def per_class_accuracy(cm):
    """Recall of each class (NaN for a class with no images)."""
    totals = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / np.maximum(totals, 1), np.nan)


def accuracy(cm):
    return float(np.trace(cm) / max(cm.sum(), 1))


def format_per_class(cm, names):
    acc, totals = per_class_accuracy(cm), cm.sum(axis=1)
    w = max(len("class"), *(len(f"{i} {n}") for i, n in enumerate(names)))
    lines = [f"{'class':<{w}}  accuracy  images"]
    for i, name in enumerate(names):
        a = "     -" if np.isnan(acc[i]) else f"{100 * acc[i]:6.1f}%"
        lines.append(f"{f'{i} {name}':<{w}}  {a:>8}  {totals[i]:>6}")
    return "\n".join(lines)


def format_confusion(cm, names):
    """The confusion matrix as text, rows = true class, columns = predicted class (by index)."""
    n = len(cm)
    w = max(3, len(str(cm.max())) + 1)
    lw = max(len(f"{i} {names[i]}") for i in range(n))
    head = " " * lw + "".join(f"{j:>{w}}" for j in range(n))
    rows = [f"{f'{i} {names[i]}':<{lw}}" + "".join(f"{v:>{w}}" for v in cm[i]) for i in range(n)]
    return "rows: true class, columns: predicted class\n" + "\n".join([head] + rows)


# ------------------------------------------------------------------------------ pictures

def plot_curves(history, path):
    """Loss and accuracy per epoch, training and validation, side by side."""
    fig = _figure()
    fig.set_size_inches(10, 4)
    epochs = [r["epoch"] for r in history]
    for k, (metric, title) in enumerate((("loss", "loss"), ("accuracy", "accuracy"))):
        ax = fig.add_subplot(1, 2, k + 1)
        for key, label, style in ((metric, "train", "o-"), ("val_" + metric, "validation (test split)", "s--")):
            vals = [r.get(key) for r in history]
            if any(v is not None for v in vals):
                ax.plot(epochs, [np.nan if v is None else v for v in vals], style, label=label)
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
        if len(epochs) <= 20:
            ax.set_xticks(epochs)
    fig.tight_layout()
    _save(fig, path)
    return path


def _save(fig, path):
    """Write the PNG atomically, as everything in a run folder."""
    with atomic_write(path) as f:
        fig.savefig(f, dpi=100, format="png")


def plot_confusion(cm, names, path):
    """The confusion matrix as a heat map with counts, class names on the axes."""
    fig = _figure()
    n = len(cm)
    size = max(5.0, 0.55 * n + 2.5)
    fig.set_size_inches(size + 1, size)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(names, rotation=45, ha="right")
    ax.set_yticklabels(names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"confusion matrix (accuracy {100 * accuracy(cm):.2f}%)")
    hi = cm.max() / 2 if cm.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > hi else "black")
    fig.tight_layout()
    _save(fig, path)
    return path


# ------------------------------------------------------------------------------ report.md

def _md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def write_report(run_dir, meta, cm, names, plots, model_text=""):
    """Write ``run_dir/report.md``. ``plots``: the PNG names drawn, or a note saying why not."""
    cfg, hist = meta["config"], meta.get("history", [])
    import tinytf
    settings = [
        ("model", f"`{cfg['model']}`: {cfg.get('model_description', '')}"),
        ("dataset", f"`{cfg['dataset']}`: {cfg['n_train']} training images"
                    + (f" (the first {cfg['limit']})" if cfg.get("limit") else "")
                    + f", input {'x'.join(map(str, cfg['input_shape']))}, {cfg['num_classes']} classes"),
        ("validation", f"the first {cfg['n_test']} images of the test split, after every epoch "
                       "(as the tutorial tests; no held-out training data)"),
        ("epochs", f"{meta.get('epoch', 0)} of {cfg['epochs']} completed"),
        ("batch size", cfg["batch_size"]),
        ("optimizer", f"{cfg['optimizer']}, learning rate {cfg['learning_rate']:g}"
                      + (f", {cfg['schedule']} schedule" if cfg.get("schedule", "constant") != "constant" else "")),
        ("augmentation", ", ".join(cfg.get("augment") or []) or "none"),
        ("loss", "sparse categorical cross-entropy on logits"),
        ("seed", cfg["seed"]),
        *([("recipe", cfg["recipe"])] if cfg.get("recipe") else []),
        ("parameters", f"{cfg.get('params', 0):,}"),
        ("software", f"tinytf {tinytf.__tinytf_version__} (TensorFlow {tinytf.__version__} API), "
                     f"NumPy {np.__version__}, Python {platform.python_version()}"),
    ]
    out = [f"# tinytf run: {cfg['model']} on {cfg['dataset_label']}", "", _md_table(("setting", "value"), settings), ""]
    out += ["## Results", "",
            f"Test accuracy with the final weights: **{100 * accuracy(cm):.2f}%** "
            f"({int(np.trace(cm))} of {int(cm.sum())} test images)."]
    if meta.get("best"):
        b = meta["best"]
        out.append(f"Best validation accuracy: {100 * b['val_accuracy']:.2f}% after epoch {b['epoch']} "
                   "(weights in `best.weights.npz`).")
    out.append("")
    if hist:
        keys = [k for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in hist[0]]
        rows = [[r["epoch"]] + [f"{r[k]:.4f}" for k in keys]
                + [f"{r['train_seconds']:.1f}", f"{r['epoch_seconds']:.1f}", f"{r['images_per_second']:.0f}"]
                for r in hist]
        out += ["## Per epoch", "",
                _md_table(["epoch"] + keys + ["train s", "epoch s (with validation)", "images/s"], rows), ""]
        total = sum(r["epoch_seconds"] for r in hist)
        ips = cfg["n_train"] * len(hist) / max(sum(r["train_seconds"] for r in hist), 1e-9)
        plural = "" if len(hist) == 1 else "s"
        out += [f"Total {total:.1f} s for {len(hist)} epoch{plural}; training speed {ips:.0f} images/s.", ""]
    acc, totals = per_class_accuracy(cm), cm.sum(axis=1)
    out += ["## Accuracy per class", "",
            _md_table(("class", "name", "accuracy", "test images"),
                      [(i, n, "-" if np.isnan(acc[i]) else f"{100 * acc[i]:.1f}%", totals[i])
                       for i, n in enumerate(names)]), ""]
    out += ["## Confusion matrix", "", "```", format_confusion(cm, names), "```", ""]
    if isinstance(plots, str):
        out += [f"_Pictures not drawn: {plots}_", ""]
    else:
        out += [f"![{os.path.splitext(p)[0]}]({p})" for p in plots] + [""]
    if model_text:
        out += ["## Model", "", "```", model_text, "```", ""]
    path = os.path.join(run_dir, "report.md")
    write_text_atomic(path, "\n".join(out))
    return path
