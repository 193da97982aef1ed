"""tf.data.experimental.shuffle_and_repeat: the same elements, in the same seeded orders, as
``shuffle(buffer_size, seed).repeat(count)`` (TensorFlow's documented equivalent)."""
import numpy as np

import tinytf as tf


def elements(ds):
    return [int(e.numpy()) for e in ds]


def test_equals_shuffle_then_repeat():
    tf.random.set_seed(0)
    fused = elements(tf.data.Dataset.range(6).apply(tf.data.experimental.shuffle_and_repeat(4, 3, seed=5)))
    tf.random.set_seed(0)
    plain = elements(tf.data.Dataset.range(6).shuffle(4, seed=5).repeat(3))
    assert fused == plain and len(fused) == 18
    assert all(sorted(fused[i:i + 6]) == list(range(6)) for i in range(0, 18, 6))
    assert fused[:6] != fused[6:12] or fused[6:12] != fused[12:]  # reshuffled each repetition
    forever = tf.data.Dataset.range(3).apply(tf.data.experimental.shuffle_and_repeat(3))
    assert len(elements(forever.take(10))) == 10
    assert np.all(np.array(elements(forever.take(9))) < 3)
