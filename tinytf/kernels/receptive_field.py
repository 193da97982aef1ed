"""Receptive fields of a stack of conv / pool layers: the arithmetic, below Keras and the tools.

For every layer ``l`` and each spatial axis (height and width are handled separately) this
module reports

* ``r``     - the receptive field: how many input pixels one unit of layer ``l`` spans;
* ``j``     - the jump: the distance, in input pixels, between two neighbouring units
              (the product of the strides so far);
* ``start`` - the centre of the field of the first unit (index 0) of layer ``l``;
* ``out``   - the layer's output size (only when the input size is known).

The recurrences (``k_eff = (k - 1) * d + 1`` is the dilated kernel)::

    r_0 = 1,  j_0 = 1,  start_0 = 0
    r_l     = r_{l-1} + (k_eff - 1) * j_{l-1}
    j_l     = j_{l-1} * s_l
    start_l = start_{l-1} + ((k_eff - 1) / 2 - pad_before_l) * j_{l-1}

Coordinate convention: ``start`` is in *pixel-index* coordinates, ``0`` being the centre of the
first input pixel (add 0.5 for the continuous convention in which pixel ``i`` covers
``[i, i + 1)``). Unit ``u`` of layer ``l`` is therefore centred on input index
``start_l + u * j_l`` and spans indices ``centre - (r_l - 1) / 2 .. centre + (r_l - 1) / 2``.

Output sizes and pad amounts come from :func:`tinytf.kernels.padding.axis_plan` (the one place
where TensorFlow's window arithmetic lives). Without an input size, a SAME layer with stride > 1
has an unknown ``pad_before`` (it depends on the input size), so ``start`` becomes ``None`` from
that layer on; ``r`` and ``j`` never depend on the input size.

Stack syntax (:func:`parse_stack`), comma separated, case-insensitive, spaces ignored::

    token    := kind SIZE ["/" SIZE] ["d" SIZE] [pad]  |  pass-word  |  global-word
    kind     := "conv" | "pool" | "maxpool" | "avgpool"
    SIZE     := INT | INT "x" INT          (height x width)
    "/" SIZE := stride; default 1 for conv, the pool size for pools (the Keras rule)
    "d" SIZE := dilation (default 1)
    pad      := "s" | "same" | "v" | "valid"   (default valid)
    pass-word   := "bn" | "relu" | "act" | "dropout"   (r and j unchanged)
    global-word := "flatten" | "dense" | "fc" | "gap"  (the field becomes the whole input)

Examples: ``conv3,pool2/2,conv3,pool2/2`` (the tutorial's LeNet-5), ``conv5/2`` (stride 2),
``conv3s`` or ``conv3/1s`` (SAME padding), ``conv3d2`` (dilation 2), ``conv3x5/2x1same``.

Run ``python -m tinytf.tools.receptive_field conv3,pool2/2,conv3,pool2/2 --input 28`` (or
``tinytf rf``) for a table: :mod:`tinytf.tools.receptive_field` formats these results.
"""
import re
from dataclasses import dataclass
from typing import Optional, Tuple

from .padding import axis_plan, normalize_tuple

__all__ = ["LayerSpec", "LayerField", "InputWindow", "parse_stack",
           "receptive_fields", "input_window"]

KINDS = ("conv", "pool", "pad", "pass", "global")

_PASS_WORDS = {"bn", "batchnorm", "relu", "act", "activation", "dropout"}
_GLOBAL_WORDS = {"flatten", "dense", "fc", "gap", "global"}
_SIZE = r"\d+(?:x\d+)?"
_TOKEN = re.compile(
    rf"^(?P<kind>conv|maxpool|avgpool|pool)(?P<k>{_SIZE})(?:/(?P<s>{_SIZE}))?"
    rf"(?:d(?P<d>{_SIZE}))?(?P<pad>same|valid|s|v)?$")
_GRAMMAR = ("expected kind SIZE[/STRIDE][dDILATION][s|v], in that order, e.g. 'conv3', "
            "'conv5/2', 'conv3s' (SAME), 'conv3d2' (dilation 2), 'conv3x5/2x1', 'pool2/2', "
            "'bn', 'relu', 'flatten'")


def _pair(value, name, minimum=1):
    return normalize_tuple(value, 2, name, minimum)


def _norm_padding(padding):
    """'valid' / 'same' (any case) or explicit ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        p = padding.lower()
        if p in ("valid", "same"):
            return p
        raise ValueError(f"padding must be 'valid', 'same' or ((top, bottom), (left, right)), "
                         f"got {padding!r}")
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = ((padding, padding), (padding, padding))
    try:
        pairs = tuple(_pair(p, "padding", minimum=0) for p in padding)
    except TypeError:
        raise ValueError(f"padding must be 'valid', 'same' or ((top, bottom), (left, right)), "
                         f"got {padding!r}") from None
    if len(pairs) != 2:
        raise ValueError(f"explicit padding must be ((top, bottom), (left, right)), got {padding!r}")
    return pairs


@dataclass(frozen=True)
class LayerSpec:
    """One layer as far as receptive fields care.

    ``kind``: 'conv' or 'pool' (a sliding window), 'pad' (zero padding only: kernel 1, stride 1),
    'pass' (element-wise: BN, ReLU, ...: nothing changes) or 'global' (Flatten / Dense /
    global pooling: every later unit sees the whole input). ``kernel``, ``stride`` and
    ``dilation`` are ints or (h, w) pairs (stored as pairs); ``padding`` is 'valid', 'same' or
    explicit ((top, bottom), (left, right)).
    """
    kind: str
    kernel: Tuple[int, int] = (1, 1)
    stride: Tuple[int, int] = (1, 1)
    dilation: Tuple[int, int] = (1, 1)
    padding: object = "valid"
    name: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"LayerSpec kind must be one of {KINDS}, got {self.kind!r}")
        object.__setattr__(self, "kernel", _pair(self.kernel, "kernel"))
        object.__setattr__(self, "stride", _pair(self.stride, "stride"))
        object.__setattr__(self, "dilation", _pair(self.dilation, "dilation"))
        object.__setattr__(self, "padding", _norm_padding(self.padding))
        if not self.name:
            object.__setattr__(self, "name", self.token())

    @property
    def k_eff(self):
        """The dilated kernel extent per axis, (k - 1) * d + 1."""
        return tuple((k - 1) * d + 1 for k, d in zip(self.kernel, self.dilation))

    def plan_padding(self, axis):
        """The padding argument of :func:`axis_plan` for ``axis`` (0 = height, 1 = width)."""
        return self.padding.upper() if isinstance(self.padding, str) else self.padding[axis]

    def token(self):
        """The stack-syntax token for this spec (``'conv3'``, ``'pool2/2'``, ``'conv3d2s'``...)."""
        if self.kind in ("pass", "global", "pad"):
            return self.kind

        def fmt(p):
            return str(p[0]) if p[0] == p[1] else f"{p[0]}x{p[1]}"
        t = self.kind + fmt(self.kernel)
        default_stride = (1, 1) if self.kind == "conv" else self.kernel
        if self.stride != default_stride or self.kind == "pool":
            t += "/" + fmt(self.stride)
        if self.dilation != (1, 1):
            t += "d" + fmt(self.dilation)
        if self.padding == "same":
            t += "s"
        elif self.padding != "valid":
            t += f"[pad {self.padding}]"
        return t


def _parse_size(text):
    a, _, b = text.partition("x")
    return (int(a), int(b)) if b else int(a)


def parse_stack(text):
    """Parse the stack syntax (see the module docstring) into a list of :class:`LayerSpec`.

    Raises ``ValueError`` naming the first bad token.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_stack expects a string, got {type(text).__name__}")
    tokens = [t.strip() for t in text.split(",")]
    if not any(tokens):
        raise ValueError("empty layer stack: " + _GRAMMAR)
    specs = []
    for pos, raw in enumerate(tokens, 1):
        tok = raw.replace(" ", "").lower()
        if not tok:
            raise ValueError(f"empty token at position {pos} in {text!r}")
        if tok in _PASS_WORDS:
            specs.append(LayerSpec("pass", name=tok))
            continue
        if tok in _GLOBAL_WORDS:
            specs.append(LayerSpec("global", name=tok))
            continue
        m = _TOKEN.match(tok)
        if not m:
            raise ValueError(f"bad layer token {raw!r} (position {pos}): {_GRAMMAR}")
        kind = "conv" if m["kind"] == "conv" else "pool"
        k = _parse_size(m["k"])
        s = _parse_size(m["s"]) if m["s"] else (1 if kind == "conv" else k)
        d = _parse_size(m["d"]) if m["d"] else 1
        pad = "same" if (m["pad"] or "v").startswith("s") else "valid"
        try:
            specs.append(LayerSpec(kind, k, s, d, pad, name=raw.strip()))
        except ValueError as e:
            raise ValueError(f"bad layer token {raw!r} (position {pos}): {e}") from None
    return specs


def _as_specs(specs):
    if isinstance(specs, str):
        return parse_stack(specs)
    specs = list(specs)
    for s in specs:
        if not isinstance(s, LayerSpec):
            raise TypeError(f"expected LayerSpec objects or a stack string, got {type(s).__name__}; "
                            "use keras.summary.from_layers() for layer objects")
    return specs


# ---------------------------------------------------------------- the recurrences

@dataclass(frozen=True)
class LayerField:
    """Receptive-field facts after one layer, per axis as (height, width) pairs.

    ``r``, ``j`` and ``start`` are None once the stack went global (Flatten / Dense);
    ``start`` is also None when it depends on an unknown input size; ``out`` and ``pads``
    (((top, bottom), (left, right))) are None without an input size.
    """
    spec: LayerSpec
    r: Optional[Tuple[int, int]]
    j: Optional[Tuple[int, int]]
    start: Optional[Tuple[float, float]]
    out: Optional[Tuple[int, int]] = None
    pads: Optional[Tuple[Tuple[int, int], Tuple[int, int]]] = None

    @property
    def is_global(self):
        return self.r is None


def _size_pair(input_size):
    if input_size is None:
        return None
    return _pair(input_size, "input_size")


def receptive_fields(specs, input_size=None):
    """Per-layer :class:`LayerField` list for ``specs`` (LayerSpecs or a stack string).

    ``input_size`` (int or (h, w)) adds output sizes and exact pads; a layer whose output would
    be empty raises ``ValueError``.
    """
    specs = _as_specs(specs)
    size = _size_pair(input_size)
    r, j, start = [1, 1], [1, 1], [0.0, 0.0]
    fields, is_global = [], False
    for i, spec in enumerate(specs):
        if is_global or spec.kind == "global":
            is_global = True
            fields.append(LayerField(spec, None, None, None))
            continue
        if spec.kind == "pass":
            fields.append(LayerField(spec, tuple(r), tuple(j), _opt(start),
                                     None if size is None else tuple(size),
                                     None if size is None else ((0, 0), (0, 0))))
            continue
        out, pads = [None, None], [None, None]
        for a in (0, 1):
            k, s, d, ke = spec.kernel[a], spec.stride[a], spec.dilation[a], spec.k_eff[a]
            pad_arg = spec.plan_padding(a)
            if size is not None:
                o, before, after = axis_plan(size[a], k, s, d, pad_arg)
                if o <= 0:
                    raise ValueError(f"layer {i + 1} ({spec.name}): input size {size[a]} on "
                                     f"{'hw'[a]} is smaller than the window {ke}: output would be 0")
                out[a], pads[a] = o, (before, after)
            elif pad_arg == "VALID":
                before = 0
            elif pad_arg != "SAME":
                before = pad_arg[0]
            elif s == 1:
                # stride-1 SAME pads k_eff - 1 whatever the size: any n >= 1 gives the same split
                before = axis_plan(ke, k, 1, d, "SAME")[1]
            else:
                before = None      # depends on the input size
            if start[a] is not None:
                start[a] = None if before is None else start[a] + ((ke - 1) / 2 - before) * j[a]
            r[a] = r[a] + (ke - 1) * j[a]
            j[a] = j[a] * s
        if size is not None:
            size = tuple(out)
        fields.append(LayerField(spec, tuple(r), tuple(j), _opt(start),
                                 None if size is None else tuple(out),
                                 None if size is None else tuple(pads)))
    return fields


def _opt(start):
    return None if any(v is None for v in start) else tuple(start)


# ---------------------------------------------------------------- which input pixels a unit sees

@dataclass(frozen=True)
class InputWindow:
    """The input pixels one output unit sees (its field's bounding box; with dilation or
    strides larger than kernels the field has holes inside this box).

    ``span``: unclipped inclusive (first, last) index per axis, may run past the image;
    ``rows`` / ``cols``: the ``range`` of in-image indices; ``pad_rows`` / ``pad_cols``:
    (before, after) counts of span positions that fall outside the image (padding).
    """
    index: Tuple[int, int]
    span: Tuple[Tuple[int, int], Tuple[int, int]]
    rows: range
    cols: range
    pad_rows: Tuple[int, int]
    pad_cols: Tuple[int, int]

    @property
    def slices(self):
        """(row_slice, col_slice) for indexing an [H, W] image."""
        return (slice(self.rows.start, self.rows.stop), slice(self.cols.start, self.cols.stop))

    @property
    def in_padding(self):
        """How many span rows and columns fall outside the image: (rows, cols)."""
        return (sum(self.pad_rows), sum(self.pad_cols))

    def __str__(self):
        (r0, r1), (c0, c1) = self.span
        s = (f"unit {self.index}: rows {self.rows.start}..{self.rows.stop - 1}, "
             f"cols {self.cols.start}..{self.cols.stop - 1} (span rows {r0}..{r1}, cols {c0}..{c1})")
        if any(self.in_padding):
            s += f"; in padding: rows {self.pad_rows}, cols {self.pad_cols} (before, after)"
        return s


def input_window(specs, index, input_size):
    """The input rows / cols seen by output unit ``index`` = (row, col) of the last layer.

    ``specs``: LayerSpecs or a stack string; ``input_size``: int or (h, w). Returns an
    :class:`InputWindow`. An empty stack maps a unit to itself.
    """
    specs = _as_specs(specs)
    size = _size_pair(input_size)
    index = tuple(int(v) for v in ((index, index) if isinstance(index, int) else index))
    if len(index) != 2:
        raise ValueError(f"index must be (row, col), got {index!r}")
    fields = receptive_fields(specs, size)
    if fields and fields[-1].is_global:
        raise ValueError("the stack ends in a global layer (Flatten / Dense): every unit sees "
                         "the whole input")
    if fields:
        last = fields[-1]
        r, j, start, out = last.r, last.j, last.start, last.out
    else:
        r, j, start, out = (1, 1), (1, 1), (0.0, 0.0), size
    span, rng, pad = [], [], []
    for a in (0, 1):
        if not 0 <= index[a] < out[a]:
            raise IndexError(f"unit index {index} is outside the last layer's {out[0]}x{out[1]} output")
        first = int(round(start[a] + index[a] * j[a] - (r[a] - 1) / 2))
        last_ = first + r[a] - 1
        span.append((first, last_))
        rng.append(range(max(first, 0), min(last_, size[a] - 1) + 1))
        pad.append((max(0, -first), max(0, last_ - (size[a] - 1))))
    return InputWindow(index, tuple(span), rng[0], rng[1], pad[0], pad[1])
