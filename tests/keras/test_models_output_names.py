"""Model.output_names (Keras 3: the names of the output layers) and Layer.add_update (Keras 2)."""
import numpy as np
import pytest

import tinytf as tf
from tinytf import keras


def test_output_names_of_functional_and_sequential_models():
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="hidden"), keras.layers.Dense(1, name="out")])
    assert seq.output_names == ["out"]
    i = keras.Input((3,))
    model = keras.Model(i, [keras.layers.Dense(2, name="a")(i), keras.layers.Dense(3, name="b")(i)])
    assert model.output_names == ["a", "b"]
    model.output_names = ["x", "y"]
    assert model.output_names == ["x", "y"]

    class Sub(keras.Model):
        def call(self, x):
            return x
    assert not hasattr(Sub(), "output_names")  # as Keras 3: only graph models have it


def test_add_update_applies_the_assignment():
    class Counter(keras.layers.Layer):
        def build(self, input_shape):
            self.count = self.add_weight(name="count", shape=(), initializer="zeros", trainable=False)
            self.total = self.add_weight(name="total", shape=(), initializer="zeros", trainable=False)
            self.last = self.add_weight(name="last", shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            self.add_update(self.count.assign_add(1.0))
            self.add_update([lambda: self.total.assign_add(tf.reduce_sum(x))])
            self.add_update((self.last, tf.reduce_max(x)))
            return x

    layer = Counter()
    layer(np.array([1.0, 2.0], np.float32))
    layer(np.array([3.0], np.float32))
    assert (layer.count.numpy(), layer.total.numpy(), layer.last.numpy()) == (2.0, 6.0, 3.0)
    with pytest.raises(TypeError, match="add_update"):
        layer.add_update("x")
