"""``model.summary()``: Keras's table (layer, output shape, params) with optional receptive fields
and FLOPs.

FLOP convention: 2 FLOPs per multiply-add (as Keras/TensorFlow profilers count), for the layers
that hold a kernel (Conv2D, Dense): ``2 * output positions * kernel.size`` per image, e.g. a
3x3 conv from 1 to 6 channels giving 26x26 outputs: ``2 * 26*26 * (3*3*1*6)``. Bias adds,
batch norm, activations and pooling are not counted (they are a few percent at most).
"""
import sys

import numpy as np

from ..kernels.receptive_field import LayerSpec, receptive_fields

FLOPS_NOTE = ("FLOPs per image: 2 per multiply-add (the Keras/TF profiler convention), "
              "Conv2D and Dense only")


def _fmt_shape(shape):
    if shape is None:
        return "?"
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims}{',' if len(shape) == 1 else ''})"


def _box(enc):
    try:
        "┏━┳┓┃┡╇┩│└┴┘".encode(enc or "ascii")
        return dict(tl="┏", h="━", tm="┳", tr="┓", v="┃", ml="┡", mm="╇", mr="┩", v2="│", bl="└", h2="─",
                    bm="┴", br="┘")
    except (UnicodeEncodeError, LookupError):
        return dict(tl="+", h="=", tm="+", tr="+", v="|", ml="+", mm="+", mr="+", v2="|", bl="+", h2="-",
                    bm="+", br="+")


def layer_flops(layer):
    """FLOPs of one layer per image (see the module docstring); None for layers without a kernel."""
    kernel = getattr(layer, "kernel", None)
    shape = getattr(layer, "output_shape_built", None)
    if kernel is None or shape is None or not hasattr(kernel, "shape"):
        return None
    dims = list(shape)[1:]
    positions = dims[1:] if getattr(layer, "data_format", "channels_last") == "channels_first" else dims[:-1]
    if any(d is None for d in positions):
        return None
    return 2 * int(np.prod(positions, dtype=np.int64)) * int(np.prod(tuple(kernel.shape), dtype=np.int64))


def layer_rows(model, receptive_field=False, flops=False):
    """One dict per layer: name, type, output shape, params (+ rf, jump; flops when asked)."""
    layers = model.layers
    rows = []
    rf = None
    if receptive_field:
        rf = receptive_fields(from_layers(layers))
    for i, layer in enumerate(layers):
        row = {"name": layer.name, "type": type(layer).__name__,
               "shape": getattr(layer, "output_shape_built", None), "params": layer.count_params()}
        if rf is not None:
            row["rf"], row["jump"] = _pair_label(rf[i].r), _pair_label(rf[i].j)
        if flops:
            row["flops"] = layer_flops(layer)
        rows.append(row)
    return rows


def _pair_label(pair):
    if pair is None:
        return "global"
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def summary_text(model, receptive_field=False, line_length=None, extra_columns=None, flops=False):
    """The summary table as text. ``receptive_field`` adds receptive field and jump columns,
    ``flops`` a FLOPs column and total; ``extra_columns`` is a list of
    ``(header, row_dict -> str, '<' or '>')``."""
    rows = layer_rows(model, receptive_field, flops)
    cols = [("Layer (type)", lambda r: f"{r['name']} ({r['type']})", "<"),
            ("Output Shape", lambda r: _fmt_shape(r["shape"]), "<"),
            ("Param #", lambda r: f"{r['params']:,}", ">")]
    if receptive_field:
        cols += [("Receptive field", lambda r: r["rf"], ">"), ("Jump", lambda r: r["jump"], ">")]
    if flops:
        cols.append(("FLOPs", lambda r: "-" if r["flops"] is None else f"{r['flops']:,}", ">"))
    cols += list(extra_columns or [])
    cells = [[f(r) for _, f, _ in cols] for r in rows]
    widths = [max([len(h) + 2] + [len(c[i]) + 2 for c in cells]) for i, (h, _, _) in enumerate(cols)]
    widths[0] = max(widths[0], 33)
    widths[1] = max(widths[1], 24)
    b = _box(getattr(sys.stdout, "encoding", None))

    def line(l, m, r, h):
        return l + m.join(h * w for w in widths) + r

    def row(vals, v):
        return v + v.join(" " + (f"{val:<{w - 2}}" if a == "<" else f"{val:>{w - 2}}") + " "
                          for val, w, (_, _, a) in zip(vals, widths, cols)) + v
    out = [f'Model: "{model.name}"', line(b["tl"], b["tm"], b["tr"], b["h"]),
           row([h for h, _, _ in cols], b["v"]), line(b["ml"], b["mm"], b["mr"], b["h"])]
    out += [row(c, b["v2"]) for c in cells]
    out.append(line(b["bl"], b["bm"], b["br"], b["h2"]))
    total = model.count_params()
    trainable = int(sum(np.asarray(w).size for w in model.trainable_weights))
    out += [f" Total params: {total:,} ({_bytes(total)})",
            f" Trainable params: {trainable:,} ({_bytes(trainable)})",
            f" Non-trainable params: {total - trainable:,} ({_bytes(total - trainable)})"]
    if flops:
        n = sum(r["flops"] or 0 for r in rows)
        out.append(f" Total FLOPs: {n:,} ({n // 2:,} multiply-adds; {FLOPS_NOTE})")
    return "\n".join(out)


def _bytes(n_params):
    b = n_params * 4
    if b >= 1024 ** 2:
        return f"{b / 1024 ** 2:.2f} MB"
    if b >= 1024:
        return f"{b / 1024:.2f} KB"
    return f"{b:.2f} B"


# ---- layers -> receptive-field specs (duck typing: also for objects that look like Keras layers)

def _layer_name(obj):
    return str(getattr(obj, "name", "") or type(obj).__name__)


def _is_global_layer(obj):
    names = (type(obj).__name__.lower(), str(getattr(obj, "name", "")).lower())
    return hasattr(obj, "units") or any(
        n.startswith(("flatten", "dense", "global")) for n in names)


def _keras_padding(p):
    return p.lower() if isinstance(p, str) else p


def from_layers(layers):
    """Build specs from layer objects (or a model with a ``.layers`` list) by duck typing.

    * ``kernel_size``, ``strides``, ``padding`` (and optional ``dilation_rate``): a conv;
    * ``pool_size``, ``strides`` (None = pool size), ``padding``: a pool;
    * only ``padding`` as explicit pairs (``ZeroPadding2D``): a 'pad' layer;
    * ``units`` or a class / ``name`` starting with Flatten, Dense or Global: 'global';
    * anything else (BatchNormalization, ReLU, Dropout...): 'pass' (r and j unchanged).
    """
    layers = getattr(layers, "layers", layers)
    specs = []
    for obj in layers:
        name = _layer_name(obj)
        if hasattr(obj, "output_padding") or (hasattr(obj, "size") and hasattr(obj, "interpolation")):
            raise ValueError(f"receptive fields through the upsampling layer {name!r} ({type(obj).__name__}) "
                             "are not supported: its jump would be a fraction of an input pixel")
        if hasattr(obj, "kernel_size") and len(tuple(obj.kernel_size)) == 1:
            specs.append(_conv1d_spec(obj, name))
        elif hasattr(obj, "kernel_size"):
            specs.append(LayerSpec("conv", obj.kernel_size, getattr(obj, "strides", 1) or 1,
                                   getattr(obj, "dilation_rate", 1) or 1,
                                   _keras_padding(getattr(obj, "padding", "valid")), name=name))
        elif hasattr(obj, "pool_size") and not _is_global_layer(obj):
            strides = getattr(obj, "strides", None)
            specs.append(LayerSpec("pool", obj.pool_size, obj.pool_size if strides is None else strides,
                                   1, _keras_padding(getattr(obj, "padding", "valid")), name=name))
        elif _is_global_layer(obj):
            specs.append(LayerSpec("global", name=name))
        elif getattr(obj, "padding", None) is not None and not isinstance(obj.padding, str):
            specs.append(LayerSpec("pad", padding=obj.padding, name=name))
        else:
            specs.append(LayerSpec("pass", name=name))
    return specs


def _conv1d_spec(obj, name):
    """A 1-D conv (Conv1D) as a 1 x k window over a height-1 input; 'causal' pads before only."""
    (k,), (st,), (d,) = obj.kernel_size, tuple(obj.strides), tuple(getattr(obj, "dilation_rate", (1,)))
    pad = _keras_padding(getattr(obj, "padding", "valid"))
    if pad == "causal":
        pad = ((0, 0), ((k - 1) * d, 0))
    return LayerSpec("conv", (1, k), (1, st), (1, d), pad, name=name)
