"""tf.audio against TensorFlow 2.21 (tests/fixtures/record_tf_audio.py): encode_wav's exact bytes (rounding
and clipping), decode_wav with every desired_channels / desired_samples, and bad input."""
import os
import sys

import numpy as np
import pytest

import tinytf as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
from record_tf_audio import signals  # noqa: E402

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_audio.npz"))


def test_encode_wav_gives_tensorflows_bytes():
    wav = tf.audio.encode_wav(signals()["stereo"], 8000)
    assert wav.dtype == tf.string and wav.shape == ()
    assert np.frombuffer(wav.numpy(), np.uint8).tolist() == FIX["wav"].tolist()


@pytest.mark.parametrize("c", (-1, 1, 3))
@pytest.mark.parametrize("n", (-1, 20, 70))
def test_decode_wav_matches_tensorflow(c, n):
    audio, rate = tf.audio.decode_wav(FIX["wav"].tobytes(), desired_channels=c, desired_samples=n)
    assert audio.dtype == tf.float32 and rate.dtype == tf.int32 and int(rate) == FIX["rate"] == 8000
    np.testing.assert_array_equal(audio.numpy(), FIX[f"decode_c{c}_n{n}"])


def test_decode_wav_reads_a_file_and_round_trips(tmp_path):
    x = (np.arange(-8, 8, dtype=np.float32) / 8).reshape(16, 1)
    path = tmp_path / "a.wav"
    path.write_bytes(tf.audio.encode_wav(x, 16000).numpy())
    audio, rate = tf.audio.decode_wav(tf.io.read_file(str(path)))
    np.testing.assert_array_equal(audio.numpy(), x)
    assert int(rate) == 16000


def test_bad_input_names_the_argument():
    wav = FIX["wav"].tobytes()
    with pytest.raises(tf.errors.InvalidArgumentError, match="RIFF/WAVE"):
        tf.audio.decode_wav(b"not a wav file at all")
    with pytest.raises(tf.errors.InvalidArgumentError, match="desired_channels"):
        tf.audio.decode_wav(wav, desired_channels=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="desired_samples"):
        tf.audio.decode_wav(wav, desired_samples=-3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="16-bit PCM"):
        tf.audio.decode_wav(wav[:34] + b"\x08\x00" + wav[36:])
    with pytest.raises(tf.errors.InvalidArgumentError, match="scalar string"):
        tf.audio.decode_wav(tf.constant([wav, wav]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[samples, channels\]"):
        tf.audio.encode_wav(np.zeros(5, np.float32), 8000)
    with pytest.raises(tf.errors.InvalidArgumentError, match="sample_rate"):
        tf.audio.encode_wav(np.zeros((5, 1), np.float32), 0)
