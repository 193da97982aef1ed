"""tf.signal against TensorFlow 2.21 (tests/fixtures/record_tf_audio.py): hann_window (periodic and
symmetric, odd and even lengths), stft (default fft_length, explicit fft_length with pad_end) and tf.abs of
the complex64 result; frame against a slow loop."""
import os
import sys

import numpy as np
import pytest

import tinytf as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
from record_tf_audio import signals  # noqa: E402

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_audio.npz"))


@pytest.mark.parametrize("n", (1, 2, 7, 8, 256))
@pytest.mark.parametrize("periodic", (True, False))
def test_hann_window_matches_tensorflow(n, periodic):
    w = tf.signal.hann_window(n, periodic=periodic)
    assert w.dtype == tf.float32
    # cos on the path: within 1 ulp of 0.5 (the window's scale) everywhere, and 0.5 - 0.5 cos cancels near 0
    np.testing.assert_allclose(w.numpy(), FIX[f"hann_{n}_{periodic}"], rtol=0, atol=np.spacing(np.float32(0.5)))


def _close(got, want):
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=0, atol=scale * 2e-6)


def test_stft_matches_tensorflow():
    x = signals()["sig"]
    s = tf.signal.stft(x, frame_length=255, frame_step=128)
    assert s.dtype == tf.complex64 and s.shape == (2, 1, 129) == FIX["stft"].shape
    _close(s.numpy(), FIX["stft"])
    s = tf.signal.stft(tf.constant(x), frame_length=64, frame_step=50, fft_length=100, pad_end=True)
    assert s.shape == FIX["stft_pad"].shape == (2, 6, 51)
    _close(s.numpy(), FIX["stft_pad"])
    m = tf.abs(tf.signal.stft(x[0], frame_length=32, frame_step=16))
    assert m.dtype == tf.float32
    _close(m.numpy(), FIX["stft_abs"])
    assert tf.squeeze(m[None], axis=0).shape == m.shape


def test_frame_against_a_loop():
    x = np.arange(2 * 11, dtype=np.float32).reshape(2, 11)
    for pad_end in (False, True):
        got = tf.signal.frame(x, 4, 3, pad_end=pad_end).numpy()
        n = -(-11 // 3) if pad_end else 1 + (11 - 4) // 3
        padded = np.concatenate([x, np.zeros((2, 20), np.float32)], axis=1)
        want = np.stack([padded[:, i * 3:i * 3 + 4] for i in range(n)], axis=1)
        np.testing.assert_array_equal(got, want)
    assert tf.signal.frame(x, 4, 3, axis=0).shape == (0, 4, 11)


def test_bad_arguments_are_named():
    with pytest.raises(tf.errors.InvalidArgumentError, match="frame_length"):
        tf.signal.stft(np.zeros(10, np.float32), frame_length=0, frame_step=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="frame_step"):
        tf.signal.stft(np.zeros(10, np.float32), frame_length=4, frame_step=1.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="signals must be float"):
        tf.signal.stft(np.zeros(10, np.int32), frame_length=4, frame_step=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="window_length"):
        tf.signal.hann_window(-1)
    with pytest.raises(ValueError, match="dtype"):
        tf.signal.hann_window(4, dtype=tf.int32)
