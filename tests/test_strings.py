"""tf.strings.split on one string and string comparisons, as TF 2.21 gives them (the outputs
below were printed by TF 2.21 for the same calls)."""
import numpy as np
import pytest

import tinytf as tf


@pytest.mark.parametrize("args,want", [
    (("a b  c",), [b"a", b"b", b"c"]),
    (("/x/cats/1.png", "/"), [b"", b"x", b"cats", b"1.png"]),
    (("a,,b,", ","), [b"a", b"", b"b", b""]),
    (("  lead trail  ",), [b"lead", b"trail"]),
    (("a,b,c", ",", 1), [b"a", b"b,c"]),
])
def test_split_as_tensorflow(args, want):
    out = tf.strings.split(*args)
    assert out.dtype == tf.string and out.numpy().tolist() == want


def test_label_from_path_as_the_load_images_tutorial():
    parts = tf.strings.split(tf.constant("/data/train/cats/1.jpg"), "/")
    one_hot = parts[-2] == np.array(["cats", "dogs"])
    np.testing.assert_array_equal(one_hot.numpy(), [True, False])
    assert int(tf.argmax(one_hot)) == 0
    assert not bool(parts[-2] == "dogs") and bool(parts[-2] != "dogs")
    with pytest.raises(NotImplementedError, match="scalar"):
        tf.strings.split(tf.constant(["a b", "c"]))


def test_compat_string_helpers():
    assert tf.compat.as_bytes("JFIF") == b"JFIF" and tf.compat.as_bytes(bytearray(b"a")) == b"a"
    assert tf.compat.as_text(b"caf\xc3\xa9") == "café" and tf.compat.as_str("x") == "x"
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        tf.compat.as_bytes(3)
