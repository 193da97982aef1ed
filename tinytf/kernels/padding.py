"""The one place where window arithmetic lives: output sizes and pad amounts.

TensorFlow's rules, for one spatial axis of size ``n`` with kernel ``k``, stride ``s`` and
dilation ``d`` (effective kernel ``ke = (k - 1) * d + 1``):

* VALID:    ``out = ceil((n - ke + 1) / s)``  (= floor((n - ke) / s) + 1), no padding;
* SAME:     ``out = ceil(n / s)``, ``total = max((out - 1) * s + ke - n, 0)``,
            ``before = total // 2``, ``after = total - before`` (the odd cell goes after);
* explicit: ``(before, after)`` given; ``out = floor((n + before + after - ke) / s) + 1``.

Ops, layers, the model summary, the receptive-field tool and the pictures all call these
functions, so the rule exists once.
"""
from ..errors import InvalidArgumentError


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool) or type(v).__name__.startswith(("int", "uint"))


def normalize_tuple(value, n, name, minimum=1):
    """``value`` as a tuple of ``n`` ints >= ``minimum``; accepts an int or a sequence of n ints."""
    if _is_int(value):
        out = (int(value),) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}") from None
        if len(out) != n or not all(_is_int(v) for v in out):
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
        out = tuple(int(v) for v in out)
    if any(v < minimum for v in out):
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return out


def normalize_nn_arg(value, name, data_format="NHWC", minimum=1):
    """``tf.nn`` strides / ksize / dilations: an int, or a list of 1, 2 or 4 ints -> (h, w).

    A 4-element list must hold 1 for the batch and channel axes, as TensorFlow requires.
    """
    if value is None:
        return (1, 1)
    given = value
    if _is_int(value):
        value = [value]
    try:
        vals = [int(v) if _is_int(v) else v for v in value]
    except TypeError:
        raise TypeError(f"{name} must be an int or a list of 1, 2 or 4 ints, got {value!r}") from None
    if not all(_is_int(v) for v in vals) or len(vals) not in (1, 2, 4):
        raise InvalidArgumentError(f"{name} must be an int or a list of 1, 2 or 4 ints, got {value!r}")
    if len(vals) == 4:
        c = 3 if data_format == "NHWC" else 1
        if vals[0] != 1 or vals[c] != 1:
            raise InvalidArgumentError(
                f"{name}={value!r}: the batch and channel entries must be 1 for {data_format}")
        vals = vals[1:3] if data_format == "NHWC" else vals[2:4]
    elif len(vals) == 1:
        vals = vals * 2
    if any(v < minimum for v in vals):
        raise InvalidArgumentError(f"{name} must be >= {minimum}, got {given!r}")
    return tuple(vals)


def normalize_padding(padding, data_format="NHWC", allow_explicit=True):
    """'SAME' / 'VALID' (any case) or an explicit list -> 'SAME', 'VALID' or ((t, b), (l, r)).

    The explicit form is TensorFlow's ``[[0, 0], [top, bottom], [left, right], [0, 0]]`` for NHWC
    (``[[0, 0], [0, 0], [top, bottom], [left, right]]`` for NCHW); ``[[top, bottom], [left, right]]``
    is accepted too.
    """
    if isinstance(padding, str):
        p = padding.upper()
        if p in ("SAME", "VALID"):
            return p
        extra = " or an explicit list [[0,0],[top,bottom],[left,right],[0,0]]" if allow_explicit else ""
        raise InvalidArgumentError(f"padding must be 'SAME' or 'VALID'{extra}, got {padding!r}")
    if not allow_explicit:
        raise InvalidArgumentError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    try:
        pairs = [tuple(p) for p in padding]
    except TypeError:
        raise InvalidArgumentError(
            f"padding must be 'SAME', 'VALID' or a list of [before, after] pairs, got {padding!r}") from None
    if not all(len(p) == 2 and all(_is_int(v) for v in p) for p in pairs) or len(pairs) not in (2, 4):
        raise InvalidArgumentError(
            f"explicit padding must be 4 pairs [[0,0],[top,bottom],[left,right],[0,0]], got {padding!r}")
    pairs = [(int(a), int(b)) for a, b in pairs]
    if any(v < 0 for p in pairs for v in p):
        raise InvalidArgumentError(f"explicit padding must be >= 0, got {padding!r}")
    if len(pairs) == 4:
        nc = (0, 3) if data_format == "NHWC" else (0, 1)
        if any(pairs[i] != (0, 0) for i in nc):
            raise InvalidArgumentError(
                f"explicit padding {padding!r}: the batch and channel pairs must be [0, 0]")
        pairs = [p for i, p in enumerate(pairs) if i not in nc]
    return tuple(pairs)


def axis_plan(n, k, s, d, padding):
    """(out, pad_before, pad_after) for one axis; ``padding`` is 'SAME', 'VALID' or (before, after)."""
    ke = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + ke - n, 0)
        return out, total // 2, total - total // 2
    before, after = (0, 0) if padding == "VALID" else padding
    span = n + before + after - ke
    if span < 0:
        return 0, before, after
    return span // s + 1, before, after


def conv_plan(in_hw, k_hw, strides, dilations, padding):
    """Per-axis plans for a 2-D window op: ((oh, top, bottom), (ow, left, right))."""
    pads = (padding, padding) if isinstance(padding, str) else padding
    return tuple(axis_plan(n, k, s, d, p) for n, k, s, d, p in zip(in_hw, k_hw, strides, dilations, pads))


def output_size(n, k, s=1, d=1, padding="VALID"):
    """Output length of one axis (None stays None, for unknown sizes in shape inference)."""
    if n is None:
        return None
    return axis_plan(n, k, s, d, padding)[0]


def transpose_output_size(n, k, s=1, d=1, padding="VALID", output_padding=None):
    """Output length of one axis of a Keras transposed conv (Keras 3's rule; None stays None).

    VALID: ``(n - 1) * s + max(ke, s)``; SAME: ``n * s``; with ``output_padding`` p:
    VALID ``(n - 1) * s + ke + p``, SAME ``(n - 1) * s + ke % 2 + p``. The result is an output
    size for which the forward conv (``axis_plan``) gives back ``n`` when p < s.
    """
    if n is None:
        return None
    ke = (k - 1) * d + 1
    if padding == "VALID":
        return (n - 1) * s + (max(ke, s) if output_padding is None else ke + output_padding)
    return n * s if output_padding is None else (n - 1) * s + ke % 2 + output_padding
