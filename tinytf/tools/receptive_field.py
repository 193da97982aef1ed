"""``tinytf rf`` / ``python -m tinytf.tools.receptive_field``: receptive-field tables.

The arithmetic (``r``, ``j``, ``start`` per layer, input windows, the stack syntax) lives in
:mod:`tinytf.kernels.receptive_field`, which ``model.summary`` and the explain pictures use too,
and layer objects become specs in :mod:`tinytf.keras.summary` (``from_layers``); this module
re-exports both and adds the text table and the command line.
"""
from ..kernels import receptive_field
from ..kernels.receptive_field import (  # noqa: F401 - re-exported
    KINDS, InputWindow, LayerField, LayerSpec, input_window, parse_stack, receptive_fields)
from ..keras.summary import from_layers  # noqa: F401 - re-exported

__all__ = ["LayerSpec", "LayerField", "InputWindow", "parse_stack", "from_layers",
           "receptive_fields", "input_window", "format_table"]


def _fmt_pair(p, fmt="{}"):
    if p is None:
        return "-"
    a, b = (fmt.format(v) for v in p)
    return a if a == b else f"{a}|{b}"


def format_table(fields):
    """A plain-text table of :func:`receptive_fields` output."""
    rows = [("layer", "r", "j", "start", "out", "pad")]
    for f in fields:
        if f.is_global:
            rows.append((f.spec.name, "global", "-", "-", "-", "-"))
            continue
        pads = "-" if f.pads is None else _fmt_pair(tuple(f"{b}+{a}" for b, a in f.pads))
        rows.append((f.spec.name, _fmt_pair(f.r), _fmt_pair(f.j), _fmt_pair(f.start, "{:g}"),
                     _fmt_pair(f.out), pads))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m tinytf.tools.receptive_field",
                                description="Receptive fields of a conv/pool stack.",
                                epilog=receptive_field.__doc__.split("Stack syntax")[1].split("Run ")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stack", help="e.g. conv3,pool2/2,conv3,pool2/2")
    p.add_argument("--input", type=int, nargs="+", metavar="N", help="input size: N or H W")
    p.add_argument("--unit", type=int, nargs=2, metavar=("ROW", "COL"),
                   help="also print the input window of this unit of the last layer")
    a = p.parse_args(argv)
    try:
        size = None if a.input is None else (a.input[0] if len(a.input) == 1 else tuple(a.input[:2]))
        print(format_table(receptive_fields(a.stack, size)))
        if a.unit is not None:
            if size is None:
                p.error("--unit needs --input")
            print(input_window(a.stack, tuple(a.unit), size))
    except (ValueError, IndexError) as e:
        p.error(str(e))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
