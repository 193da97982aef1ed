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
:mod:`tinytf.kernels.receptive_field`, and *draw* functions that turn their results into
pictures: every number shown is one the library computed. Inputs are small integers from a
seeded generator, so the numbers are readable and the pictures repeatable.

One module per topic: :mod:`.conv` (conv, stride, padding), :mod:`.pool`, :mod:`.bn`, :mod:`.rf`;
:mod:`.common` holds the shared geometry readers, colours and drawing board. This package
re-exports every public name.

matplotlib (``pip install 'tinytf[plot]'``) draws the pictures, through its Agg canvas (the
global pyplot backend is left alone); Pillow (``pip install 'tinytf[image]'``) writes the GIF.

Pictures are laid out for about 1400 px width (cells of 0.26 to 0.5 inch, so small inputs give
smaller pictures); ``dpi`` (default 120) sets the resolution and, within those bounds, the scale.

Command line: ``python -m tinytf.tools.explain OUT_DIR [topic ...]``.
"""
from .bn import bn_data, explain_bn
from .common import (DONE_FACE, DROP_FACE, KERNEL_FACE, KERNEL_TEXT, LIGHT,  # noqa: F401 - as before
                     PAD_FACE, PALETTE, WINDOW, WINDOW_FACE, pil_image)
from .conv import conv_data, explain_conv, explain_padding, explain_stride, size_arithmetic
from .pool import explain_pool, pool_data
from .rf import explain_rf, rf_data

__all__ = ["conv_data", "pool_data", "bn_data", "rf_data", "size_arithmetic",
           "explain_conv", "explain_stride", "explain_padding", "explain_pool", "explain_bn",
           "explain_rf", "explain", "TOPICS"]

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

