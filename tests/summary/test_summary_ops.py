"""tf.summary's values: histogram buckets against a slow loop, PNG and WAV encodings decoded by
Pillow and the wave module, image dtype conversion, and each summary read back by TensorBoard."""
import io
import os
import sys
import wave

import numpy as np
import pytest

pytest.importorskip("tensorboard")
sys.path.insert(0, os.path.dirname(__file__))

import tinytf as tf  # noqa: E402
from tb_read import load, plugin, scalars, tensors  # noqa: E402
from tinytf.summary import ops  # noqa: E402


def slow_buckets(data, k):
    """TF 2's histogram by the definition: k equal float64 buckets over [min, max]; a value goes
    to floor((x - min) / width), the max into the last bucket."""
    x = [float(v) for v in np.asarray(data, np.float64).reshape(-1)]
    if not x:
        return np.zeros((k, 3))
    lo, hi = min(x), max(x)
    if lo == hi:
        return np.array([[hi, hi, 0.0] for _ in range(k - 1)] + [[hi, hi, float(len(x))]])
    width = (hi - lo) / k
    counts = [0.0] * k
    for v in x:
        counts[min(int(np.floor((v - lo) / width)), k - 1)] += 1
    edges = [lo + i * ((hi - lo) / k) for i in range(k)] + [hi]
    return np.array([[edges[i], edges[i + 1], counts[i]] for i in range(k)])


@pytest.mark.parametrize("data,k", [
    (np.random.default_rng(0).standard_normal(1000).astype(np.float32), 30),
    (np.random.default_rng(1).random((7, 5)), 7),
    (np.arange(10, dtype=np.int32), 30),  # values on bucket edges
    (np.full(5, -1.5, np.float32), 30),
    (np.zeros(0, np.float32), 4),
    (np.array([3.0, 1.0]), 1),
])
def test_histogram_buckets_match_a_slow_loop(data, k):
    got = ops.histogram_buckets(np.asarray(data), k)
    want = slow_buckets(data, k)
    assert got.shape == (k, 3) and got.dtype == np.float64
    np.testing.assert_array_equal(got[:, 2], want[:, 2])
    np.testing.assert_allclose(got[:, :2], want[:, :2], rtol=1e-15, atol=1e-15)
    if data.size:
        assert got[:, 2].sum() == data.size and got[-1, 1] == np.max(data)


def test_histogram_bucket_count_argument():
    assert ops.histogram_buckets(np.ones(3), 0).shape == (0, 3)
    assert ops.histogram_buckets(np.arange(100.0)).shape == (30, 3)  # TF's default
    with pytest.raises(ValueError, match="buckets must be a non-negative integer, got -1"):
        ops.histogram_buckets(np.ones(3), -1)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_decodes_to_the_pixels(channels):
    from PIL import Image
    img = np.random.default_rng(channels).integers(0, 256, (5, 7, channels)).astype(np.uint8)
    back = np.asarray(Image.open(io.BytesIO(ops.encode_png(img))))
    np.testing.assert_array_equal(back.reshape(img.shape), img)


def test_convert_to_uint8_is_tf_convert_image_dtype_saturating():
    x = np.array([-0.5, 0.0, 0.001, 0.5, 0.998, 1.0, 1.5, np.nan], np.float32)
    want = np.array([0, 0, 0, 127, 254, 255, 255, 0], np.uint8)  # trunc(clip(x * 255.5, 0, 255))
    np.testing.assert_array_equal(ops.convert_to_uint8(x), want)
    np.testing.assert_array_equal(ops.convert_to_uint8(np.array([0, 1 << 23, -5, (1 << 31) - 1], np.int32)),
                                  [0, 1, 0, 255])
    np.testing.assert_array_equal(ops.convert_to_uint8(np.array([0, 65535], np.uint16)), [0, 255])


def test_wav_decodes_to_int16_samples_rounded_half_away_from_zero():
    samples = np.array([[0.0], [0.5], [-0.5], [1.0], [-1.0], [2.0], [1.5 / 32768], [-1.5 / 32768]], np.float32)
    with wave.open(io.BytesIO(ops.encode_wav(samples, 16000))) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        got = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    np.testing.assert_array_equal(got, [0, 16384, -16384, 32767, -32768, 32767, 2, -2])


def test_each_summary_reads_back_in_tensorboard(tmp_path):
    rng = np.random.default_rng(5)
    imgs = rng.random((4, 3, 2, 3)).astype(np.float32)
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert tf.summary.scalar("s", tf.constant(2.5), step=3)
        assert tf.summary.histogram("h", tf.constant(rng.standard_normal(50).astype(np.float32)), step=3, buckets=4)
        assert tf.summary.image("i", imgs, step=3, max_outputs=2)
        assert tf.summary.text("t", "**bold**", step=3, description="notes")
        assert tf.summary.audio("a", rng.random((2, 30, 1)).astype(np.float32) - 0.5, 44100, step=3, max_outputs=1)
    acc = load(tmp_path)
    assert {t: plugin(acc, t) for t in acc.Tags()["tensors"]} == {
        "s": "scalars", "h": "histograms", "i": "images", "t": "text", "a": "audio"}
    assert scalars(acc, "s") == [(3, 2.5)]
    (step, table), = tensors(acc, "h")
    assert table.dtype == np.float64 and table.shape == (4, 3) and table[:, 2].sum() == 50
    (_, blobs), = tensors(acc, "i")
    assert [b.decode() for b in blobs[:2]] == ["2", "3"] and len(blobs) == 4  # width, height, 2 PNGs
    (_, text), = tensors(acc, "t")
    assert text.item() == b"**bold**" and acc.SummaryMetadata("t").summary_description == "notes"
    (_, clips), = tensors(acc, "a")
    assert clips.shape == (1, 2) and clips[0, 0][:4] == b"RIFF" and clips[0, 1] == b""


@pytest.mark.parametrize("call,message", [
    (lambda: tf.summary.scalar("x", [1.0, 2.0], step=0), r"data must be a real scalar, got shape \(2,\)"),
    (lambda: tf.summary.scalar("x", "a", step=0), "data must be a real scalar"),
    (lambda: tf.summary.image("x", np.zeros((2, 2, 3)), step=0), r"data must be \[k, h, w, c\]"),
    (lambda: tf.summary.image("x", np.zeros((1, 2, 2, 5)), step=0), r"c in 1..4, got shape \(1, 2, 2, 5\)"),
    (lambda: tf.summary.image("x", np.zeros((1, 2, 2, 1)), step=0, max_outputs=-1), "max_outputs"),
    (lambda: tf.summary.text("x", 3.0, step=0), "data must be strings"),
    (lambda: tf.summary.audio("x", np.zeros((1, 4)), 8000, step=0), r"data must be float \[k, t, channels\]"),
    (lambda: tf.summary.audio("x", np.zeros((1, 4, 1)), 0, step=0), "sample_rate must be a positive"),
    (lambda: tf.summary.histogram("x", np.ones(3), step=0, buckets=-2), "buckets must be a non-negative"),
    (lambda: tf.summary.scalar("", 1.0, step=0), "name must be a non-empty string"),
    (lambda: tf.summary.scalar("x", 1.0, step=[1, 2]), "step must be a scalar integer"),
])
def test_bad_arguments_name_the_argument(tmp_path, call, message):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(ValueError, match=message):
            call()
