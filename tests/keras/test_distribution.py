"""keras/distribution.py: the one hook where Keras meets a distribution. The default is one process
alone; a registered Distribution is what compile, fit, evaluate, apply_gradients, synchronized batch
norm and the callbacks ask."""
import io

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import distribution


def test_the_default_is_one_process_alone():
    d = distribution.Distribution()
    pairs = [(tf.constant([1.0]), tf.Variable([0.0]))]
    assert d.is_chief() and d.for_model() is d and d.batch_norm_op() is None
    assert d.all_reduce_gradients(pairs) is pairs


class _Recording(distribution.Distribution):
    """Scales every gradient by 2 (a visible stand-in for a sum over two replicas) and logs each call."""

    def __init__(self):
        self.calls = []

    def is_chief(self):
        self.calls.append("is_chief")
        return False

    def train_step(self, model, data):
        self.calls.append("train_step")
        return model.train_step(data)

    def test_step(self, model, data):
        self.calls.append("test_step")
        return model.test_step(data)

    def begin_epoch(self, model):
        self.calls.append("begin_epoch")

    def all_reduce_gradients(self, grads_and_vars):
        self.calls.append("all_reduce_gradients")
        return [(g * 2.0, v) for g, v in grads_and_vars]

    def batch_norm_op(self):
        self.calls.append("batch_norm_op")
        return None


@pytest.fixture
def recording():
    before = distribution.get_distribution()
    d = _Recording()
    distribution.set_distribution(d)
    yield d
    distribution.set_distribution(before)


def test_apply_gradients_passes_through_the_distribution(recording):
    v = tf.Variable([1.0, 2.0])
    tf.keras.optimizers.SGD(learning_rate=0.5).apply_gradients([(tf.constant([1.0, 1.0]), v)])
    assert recording.calls == ["all_reduce_gradients"]
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0])  # 1 - 0.5 * (2 * 1)


def test_fit_evaluate_batch_norm_and_callbacks_ask_the_distribution(recording):
    model = tf.keras.Sequential([tf.keras.layers.Input((2,)), tf.keras.layers.Dense(2),
                                 tf.keras.layers.BatchNormalization(synchronized=True)])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 2), np.float32)
    out = io.StringIO()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[tf.keras.callbacks.ProgbarLogger(1, stream=out)])
    model.evaluate(x, y, batch_size=4, verbose=0)
    for call in ("begin_epoch", "train_step", "all_reduce_gradients", "batch_norm_op", "test_step"):
        assert call in recording.calls, call
    assert recording.calls.index("begin_epoch") < recording.calls.index("train_step")
    assert "is_chief" in recording.calls and out.getvalue() == ""  # not the chief: prints nothing


def test_compile_keeps_the_distribution_of_its_time(recording):
    model = tf.keras.Sequential([tf.keras.layers.Input((2,)), tf.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    distribution.set_distribution(distribution.Distribution())  # changed after compile
    model.fit(np.ones((2, 2), np.float32), np.zeros((2, 1), np.float32), verbose=0)
    assert "train_step" in recording.calls
