"""tinytf.kernels.receptive_field: hand-checked fields, the stack parser, input windows,
and a brute-force check of input windows against the conv / pool gradient kernels."""
from types import SimpleNamespace

import numpy as np
import pytest

from tinytf.kernels.conv import conv2d_backward_input, geometry
from tinytf.kernels.pool import avg_pool_backward
from tinytf.kernels.receptive_field import LayerSpec, input_window, parse_stack, receptive_fields

LENET = "conv3,pool2/2,conv3,pool2/2"


def _axis0(fields, attr):
    return [getattr(f, attr)[0] for f in fields]


# ---------------------------------------------------------------------------------------------
# hand-checked values

def test_lenet_fields():
    f = receptive_fields(LENET, 28)
    assert _axis0(f, "r") == [3, 4, 8, 10]
    assert _axis0(f, "j") == [1, 2, 2, 4]
    assert _axis0(f, "out") == [26, 13, 11, 5]
    # start_l = start_{l-1} + ((k-1)/2 - pad_before) * j_{l-1}, start_0 = 0 (pixel index)
    assert _axis0(f, "start") == [1.0, 1.5, 3.5, 4.5]
    assert all(x.r[0] == x.r[1] and x.pads == ((0, 0), (0, 0)) for x in f)


def test_lenet_without_input_size():
    f = receptive_fields(LENET)
    assert _axis0(f, "r") == [3, 4, 8, 10] and _axis0(f, "j") == [1, 2, 2, 4]
    assert _axis0(f, "start") == [1.0, 1.5, 3.5, 4.5]      # VALID: no size needed
    assert all(x.out is None and x.pads is None for x in f)


def test_dilated_stack():
    # dilations 1, 2, 4: k_eff 3, 5, 9 -> r = 3, 7, 15 (Yu & Koltun's exponential growth)
    f = receptive_fields("conv3,conv3d2,conv3d4", 32)
    assert _axis0(f, "r") == [3, 7, 15]
    assert _axis0(f, "j") == [1, 1, 1]
    assert _axis0(f, "out") == [30, 26, 18]
    assert _axis0(f, "start") == [1.0, 3.0, 7.0]


def test_same_padding_start_hand_computed():
    # 6x6, conv3 SAME stride 1: pads 1+1, start = 0 + (1 - 1)*1 = 0
    # then conv3 SAME stride 2 on 6: out = ceil(6/2) = 3, total = (3-1)*2 + 3 - 6 = 1 -> 0 + 1
    # start = 0 + (1 - 0)*1 = 1; r = 3 + 2*1 = 5; j = 2
    f = receptive_fields("conv3s,conv3/2s", 6)
    assert f[0].pads == ((1, 1), (1, 1)) and f[0].start == (0.0, 0.0) and f[0].out == (6, 6)
    assert f[1].pads == ((0, 1), (0, 1)) and f[1].start == (1.0, 1.0) and f[1].out == (3, 3)
    assert f[1].r == (5, 5) and f[1].j == (2, 2)


def test_same_even_kernel_odd_padding():
    # k=4 SAME stride 1 on 5: total 3 -> before 1, after 2 (the odd one after); start = 1.5 - 1
    f = receptive_fields("conv4s", 5)
    assert f[0].pads == ((1, 2), (1, 2)) and f[0].start == (0.5, 0.5) and f[0].out == (5, 5)


def test_same_stride_start_unknown_without_size():
    f = receptive_fields("conv3s,conv3/2s,conv3")
    assert f[0].start == (0.0, 0.0)                 # stride-1 SAME: pads known whatever the size
    assert f[1].start is None and f[2].start is None
    assert _axis0(f, "r") == [3, 5, 9]


def test_rectangular_and_per_axis():
    f = receptive_fields("conv3x5/2x1s,pool2", (9, 12))
    assert f[0].r == (3, 5) and f[0].j == (2, 1) and f[0].out == (5, 12)
    assert f[0].pads == ((1, 1), (2, 2))
    assert f[1].r == (5, 6) and f[1].j == (4, 2) and f[1].out == (2, 6)
    assert f[1].start == (1.0, 0.5)


def test_explicit_padding_spec():
    spec = LayerSpec("conv", 3, 3, padding=((1, 1), (1, 1)))
    f = receptive_fields([spec], 5)
    assert f[0].out == (2, 2) and f[0].pads == ((1, 1), (1, 1)) and f[0].start == (0.0, 0.0)


def test_too_small_input():
    with pytest.raises(ValueError, match="output would be 0"):
        receptive_fields("conv5,conv5", 7)


# ---------------------------------------------------------------------------------------------
# parser

@pytest.mark.parametrize("text, kind, k, s, d, pad", [
    ("conv3", "conv", (3, 3), (1, 1), (1, 1), "valid"),
    ("conv5/2", "conv", (5, 5), (2, 2), (1, 1), "valid"),
    ("conv3/1s", "conv", (3, 3), (1, 1), (1, 1), "same"),
    ("conv3s", "conv", (3, 3), (1, 1), (1, 1), "same"),
    ("conv3d2", "conv", (3, 3), (1, 1), (2, 2), "valid"),
    ("conv3/2d2same", "conv", (3, 3), (2, 2), (2, 2), "same"),
    ("CONV3X5/2X1V", "conv", (3, 5), (2, 1), (1, 1), "valid"),
    ("pool2/2", "pool", (2, 2), (2, 2), (1, 1), "valid"),
    ("pool2", "pool", (2, 2), (2, 2), (1, 1), "valid"),       # Keras: strides default to pool size
    ("maxpool3/1s", "pool", (3, 3), (1, 1), (1, 1), "same"),
    (" avgpool2 ", "pool", (2, 2), (2, 2), (1, 1), "valid"),
])
def test_parse_tokens(text, kind, k, s, d, pad):
    (spec,) = parse_stack(text)
    assert (spec.kind, spec.kernel, spec.stride, spec.dilation, spec.padding) == (kind, k, s, d, pad)


def test_parse_words_and_roundtrip():
    specs = parse_stack("conv3, bn, relu, pool2/2, flatten, dense")
    assert [s.kind for s in specs] == ["conv", "pass", "pass", "pool", "global", "global"]
    again = parse_stack(",".join(s.token() for s in parse_stack("conv3,conv5/2,conv3d2s,pool2/2")))
    assert again == parse_stack("conv3,conv5/2,conv3d2s,pool2/2")


@pytest.mark.parametrize("text, bad", [
    ("conv3,foo3", "foo3"), ("conv", "conv"), ("conv3/", "conv3/"), ("pool2/2x", "pool2/2x"),
    ("conv3s/2", "conv3s/2"), ("conv0", "conv0"), ("pool2/0", "pool2/0"), ("conv3d0", "conv3d0"),
    ("conv3,,pool2", "position 2"), ("conv3x", "conv3x"),
])
def test_parse_errors_name_the_token(text, bad):
    with pytest.raises(ValueError, match=bad.replace("/", "/")):
        parse_stack(text)


def test_parse_empty_and_type():
    with pytest.raises(ValueError, match="empty"):
        parse_stack("  ")
    with pytest.raises(TypeError):
        parse_stack(3)


def test_layerspec_validation():
    with pytest.raises(ValueError):
        LayerSpec("deconv", 3)
    with pytest.raises(ValueError):
        LayerSpec("conv", 3, padding="full")
    assert LayerSpec("conv", 3, padding="SAME").padding == "same"
    with pytest.raises(TypeError, match="from_layers"):
        receptive_fields([SimpleNamespace(kernel_size=3)])


# ---------------------------------------------------------------------------------------------
# input_window

def test_input_window_lenet_corner_centre_last():
    w = input_window(LENET, (0, 0), 28)
    assert w.span == ((0, 9), (0, 9)) and w.rows == range(0, 10) and w.in_padding == (0, 0)
    w = input_window(LENET, (2, 2), 28)
    assert w.rows == range(8, 18) and w.cols == range(8, 18)
    assert w.slices == (slice(8, 18), slice(8, 18))
    w = input_window(LENET, (4, 1), 28)
    assert w.rows == range(16, 26) and w.cols == range(4, 14)   # rows 26, 27 are dropped by VALID
    with pytest.raises(IndexError):
        input_window(LENET, (5, 0), 28)


def test_input_window_same_padding_counts():
    # conv3s, conv3/2s on 6 (see test_same_padding_start_hand_computed): centre 1 + 2u, r = 5
    w = input_window("conv3s,conv3/2s", (0, 0), 6)
    assert w.span == ((-1, 3), (-1, 3)) and w.rows == range(0, 4)
    assert w.pad_rows == (1, 0) and w.pad_cols == (1, 0)
    w = input_window("conv3s,conv3/2s", (2, 1), 6)
    assert w.span == ((3, 7), (1, 5)) and w.rows == range(3, 6) and w.cols == range(1, 6)
    assert w.pad_rows == (0, 2) and w.pad_cols == (0, 0) and w.in_padding == (2, 0)
    assert "in padding" in str(w)


def test_input_window_empty_stack_and_global():
    w = input_window([], (3, 4), 8)
    assert w.rows == range(3, 4) and w.cols == range(4, 5)
    with pytest.raises(ValueError, match="global"):
        input_window("conv3,flatten", (0, 0), 8)


def _brute_window(stack, index, n):
    """Input rows/cols whose gradient is non-zero for a one-hot output gradient (kernels only)."""
    specs = parse_stack(stack)
    geos, size = [], (n, n)
    for s in specs:
        pad = s.padding.upper()
        g = geometry(size, s.kernel, s.stride, s.dilation, pad)
        geos.append((s, g, size))
        size = (g.oh, g.ow)
    grad = np.zeros((1,) + size + (1,))
    grad[0, index[0], index[1], 0] = 1.0
    for s, g, in_size in reversed(geos):
        if s.kind == "conv":
            w = np.ones(s.kernel + (1, 1))
            grad = conv2d_backward_input(grad, w, (1,) + in_size + (1,), g)
        else:
            grad = avg_pool_backward(grad, (1,) + in_size + (1,), g)
    rows, cols = np.nonzero(grad[0, :, :, 0])
    return range(rows.min(), rows.max() + 1), range(cols.min(), cols.max() + 1)


@pytest.mark.parametrize("stack, n", [
    (LENET, 28), ("conv3s,conv3/2s", 6), ("conv5/2s,pool3/2s,conv3s", 13),
    ("conv4s,pool2/2,conv3/2", 15), ("conv3/3s,conv2s", 10),
])
def test_input_window_matches_gradient_support(stack, n):
    out = receptive_fields(stack, n)[-1].out
    for index in {(0, 0), (out[0] - 1, out[1] - 1), (out[0] // 2, out[1] // 2), (0, out[1] - 1)}:
        w = input_window(stack, index, n)
        assert (w.rows, w.cols) == _brute_window(stack, index, n), (stack, index)
