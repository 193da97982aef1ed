"""Window arithmetic (tinytf.kernels.padding) against TensorFlow's rules and brute force."""
import math

import numpy as np
import pytest

from tinytf.kernels import padding

NS = range(1, 13)
KS = range(1, 6)
SD = [(s, d) for s in (1, 2, 3) for d in (1, 2)]


def _count_windows(length, ke, s):
    """Brute force: window starts p = 0, s, 2s, ... whose window [p, p + ke) fits in [0, length)."""
    return sum(1 for p in range(length) if p % s == 0 and p + ke <= length)


# ---------------------------------------------------------------------------------------------
# axis_plan / output_size / conv_plan


@pytest.mark.parametrize("s,d", SD)
def test_valid_matches_brute_force(s, d):
    for n in NS:
        for k in KS:
            ke = (k - 1) * d + 1
            want = _count_windows(n, ke, s)
            got = padding.axis_plan(n, k, s, d, "VALID")
            assert got == (want, 0, 0), (n, k, s, d, got, want)
            # TensorFlow's formula, where it is positive
            if n >= ke:
                assert want == math.ceil((n - ke + 1) / s) == (n - ke) // s + 1
            assert padding.output_size(n, k, s, d, "VALID") == want


@pytest.mark.parametrize("s,d", SD)
def test_same_matches_brute_force(s, d):
    for n in NS:
        for k in KS:
            ke = (k - 1) * d + 1
            out = len(range(0, n, s))           # one output per stride step over the input
            assert out == math.ceil(n / s)
            # smallest total padding with which `out` windows fit
            total = next(t for t in range(0, 4 * ke + 4 * s) if _count_windows(n + t, ke, s) >= out)
            assert total == max((out - 1) * s + ke - n, 0)
            before, after = total // 2, total - total // 2
            assert before <= after and after - before in (0, 1)
            got = padding.axis_plan(n, k, s, d, "SAME")
            assert got == (out, before, after), (n, k, s, d, got, (out, before, after))
            # the padded input holds exactly `out` windows (not more)
            assert _count_windows(n + total, ke, s) == out
            assert padding.output_size(n, k, s, d, "SAME") == out


@pytest.mark.parametrize("s,d", SD)
def test_explicit_matches_brute_force(s, d):
    for n in NS:
        for k in KS:
            ke = (k - 1) * d + 1
            for before in range(4):
                for after in range(4):
                    want = _count_windows(n + before + after, ke, s)
                    got = padding.axis_plan(n, k, s, d, (before, after))
                    assert got == (want, before, after), (n, k, s, d, before, after, got, want)
                    if want:
                        assert want == (n + before + after - ke) // s + 1


def test_same_asymmetric_odd_total_goes_after():
    # even kernel, stride 1: total pad k-1 is odd -> the extra cell goes after
    assert padding.axis_plan(5, 2, 1, 1, "SAME") == (5, 0, 1)
    assert padding.axis_plan(6, 4, 1, 1, "SAME") == (6, 1, 2)
    assert padding.axis_plan(7, 3, 2, 1, "SAME") == (4, 1, 1)
    assert padding.axis_plan(6, 3, 2, 1, "SAME") == (3, 0, 1)
    assert padding.axis_plan(5, 3, 1, 2, "SAME") == (5, 2, 2)   # ke = 5
    assert padding.axis_plan(5, 1, 3, 1, "SAME") == (2, 0, 0)   # stride > kernel: no padding


def test_valid_kernel_larger_than_input_gives_zero():
    assert padding.axis_plan(3, 4, 1, 1, "VALID")[0] == 0
    assert padding.axis_plan(3, 2, 1, 3, "VALID")[0] == 0       # ke = 4
    assert padding.output_size(3, 3, 1, 1, "VALID") == 1


def test_output_size_unknown_and_defaults():
    assert padding.output_size(None, 3, 2, 1, "SAME") is None
    assert padding.output_size(None, 3) is None
    assert padding.output_size(7, 3) == 5                         # defaults: s=1, d=1, VALID


def test_conv_plan_per_axis():
    assert padding.conv_plan((7, 6), (3, 2), (2, 1), (1, 2), "SAME") == (
        padding.axis_plan(7, 3, 2, 1, "SAME"), padding.axis_plan(6, 2, 1, 2, "SAME"))
    assert padding.conv_plan((7, 6), (3, 2), (2, 1), (1, 1), "VALID") == ((3, 0, 0), (5, 0, 0))
    assert padding.conv_plan((5, 5), (3, 3), (1, 1), (1, 1), ((1, 2), (0, 3))) == ((6, 1, 2), (6, 0, 3))


# ---------------------------------------------------------------------------------------------
# normalize_tuple


@pytest.mark.parametrize("value,n,want", [
    (2, 2, (2, 2)), (3, 1, (3,)), ((2, 3), 2, (2, 3)), ([1, 4], 2, (1, 4)),
    (np.int64(2), 2, (2, 2)), ((np.int32(1), np.int64(2)), 2, (1, 2)), ((1, 2, 3), 3, (1, 2, 3)),
])
def test_normalize_tuple_accepts(value, n, want):
    got = padding.normalize_tuple(value, n, "strides")
    assert got == want
    assert all(type(v) is int for v in got)


def test_normalize_tuple_minimum():
    assert padding.normalize_tuple(0, 2, "padding", minimum=0) == (0, 0)
    with pytest.raises(ValueError, match="padding"):
        padding.normalize_tuple(-1, 2, "padding", minimum=0)


@pytest.mark.parametrize("value", [0, -1, (1, 0), (2, -3), [0, 0]])
def test_normalize_tuple_rejects_small(value):
    with pytest.raises(ValueError, match="strides"):
        padding.normalize_tuple(value, 2, "strides")


@pytest.mark.parametrize("value", [(1,), (1, 2, 3), [], (1.0, 2), (1, "2"), "ab", (True, 1)])
def test_normalize_tuple_rejects_malformed(value):
    with pytest.raises(ValueError, match="kernel_size"):
        padding.normalize_tuple(value, 2, "kernel_size")


@pytest.mark.parametrize("value", [None, 2.5, True, object()])
def test_normalize_tuple_rejects_non_sequences(value):
    with pytest.raises((TypeError, ValueError), match="kernel_size"):
        padding.normalize_tuple(value, 2, "kernel_size")


# ---------------------------------------------------------------------------------------------
# normalize_nn_arg


@pytest.mark.parametrize("value,want", [
    (None, (1, 1)), (2, (2, 2)), ([3], (3, 3)), ([2, 1], (2, 1)), ((1, 3), (1, 3)),
    ([1, 2, 3, 1], (2, 3)), ((1, 1, 1, 1), (1, 1)), (np.int64(2), (2, 2)),
    ([np.int64(1), np.int32(2), np.int64(3), np.int64(1)], (2, 3)),
])
def test_normalize_nn_arg_accepts(value, want):
    got = padding.normalize_nn_arg(value, "strides")
    assert got == want
    assert all(type(v) is int for v in got)


def test_normalize_nn_arg_nchw():
    assert padding.normalize_nn_arg([1, 1, 2, 3], "strides", data_format="NCHW") == (2, 3)
    with pytest.raises(ValueError, match="strides"):
        padding.normalize_nn_arg([1, 2, 3, 1], "strides", data_format="NCHW")


@pytest.mark.parametrize("value", [
    0, -1, [0], [2, 0], [-1, 1], [1, 0, 0, 1], [1, 2, -2, 1],           # too small
    [2, 2, 2, 1], [1, 2, 2, 2], [2, 1, 1, 2],                           # batch/channel != 1
    [1, 2, 3], [1, 1, 1, 1, 1], [], [1.0, 2], ["1", "2"], [True, 1],   # wrong length / types
])
def test_normalize_nn_arg_rejects(value):
    with pytest.raises(ValueError, match="strides"):
        padding.normalize_nn_arg(value, "strides")


@pytest.mark.parametrize("value", [2.5, object()])
def test_normalize_nn_arg_rejects_non_sequences(value):
    with pytest.raises((TypeError, ValueError), match="ksize"):
        padding.normalize_nn_arg(value, "ksize")


# ---------------------------------------------------------------------------------------------
# normalize_padding


@pytest.mark.parametrize("value,want", [
    ("SAME", "SAME"), ("same", "SAME"), ("Same", "SAME"), ("VALID", "VALID"), ("valid", "VALID"),
    ("vAlId", "VALID"),
    ([[1, 2], [0, 3]], ((1, 2), (0, 3))),
    (((1, 2), (0, 3)), ((1, 2), (0, 3))),
    ([[0, 0], [1, 2], [3, 4], [0, 0]], ((1, 2), (3, 4))),
    ([[0, 0], [0, 0], [0, 0], [0, 0]], ((0, 0), (0, 0))),
    (np.array([[0, 0], [1, 2], [3, 4], [0, 0]]), ((1, 2), (3, 4))),
])
def test_normalize_padding_accepts(value, want):
    got = padding.normalize_padding(value)
    assert got == want
    if not isinstance(got, str):
        assert all(type(v) is int for p in got for v in p)
        hash(got)                                          # usable as a geometry() cache key


def test_normalize_padding_nchw():
    assert padding.normalize_padding([[0, 0], [0, 0], [1, 2], [3, 4]], data_format="NCHW") == ((1, 2), (3, 4))
    with pytest.raises(ValueError, match="padding"):
        padding.normalize_padding([[0, 0], [1, 2], [3, 4], [0, 0]], data_format="NCHW")


@pytest.mark.parametrize("value", [
    "FULL", "CAUSAL", "", "SAME ", "SAMEVALID", "EXPLICIT",
    [[1, 2]], [[1, 2], [0, 3], [0, 0]], [[1, 2, 3], [0, 3]], [[1], [0]],
    [[1, 2], [0, 3], [0, 0], [0, 0], [0, 0]], [],
    [[1.0, 2], [0, 3]], [["1", 2], [0, 3]],
    [[-1, 2], [0, 3]], [[1, 2], [0, -3]], [[0, 0], [-1, 0], [0, 0], [0, 0]],
    [[1, 0], [1, 2], [3, 4], [0, 0]], [[0, 0], [1, 2], [3, 4], [0, 1]],
    [1, 2], 3, None,
])
def test_normalize_padding_rejects(value):
    with pytest.raises(ValueError, match="padding"):
        padding.normalize_padding(value)


def test_normalize_padding_explicit_not_allowed():
    assert padding.normalize_padding("same", allow_explicit=False) == "SAME"
    with pytest.raises(ValueError, match="padding"):
        padding.normalize_padding([[1, 2], [0, 3]], allow_explicit=False)
    with pytest.raises(ValueError, match="padding") as ei:
        padding.normalize_padding("full", allow_explicit=False)
    assert "explicit" not in str(ei.value)
