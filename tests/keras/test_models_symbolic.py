"""Keras's symbolic model.input / model.outputs / layer.output: sub-models over a model's layers."""
import numpy as np
import pytest

import tinytf as tf

keras = tf.keras


def _sequential():
    tf.random.set_seed(1)
    return keras.Sequential([keras.layers.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, activation="relu"),
                             keras.layers.MaxPooling2D(), keras.layers.Flatten(), keras.layers.Dense(3)])


def test_activation_model_over_a_sequential_gives_each_layers_output():
    model = _sequential()
    x = np.random.default_rng(0).random((2, 8, 8, 1), dtype=np.float32)
    activations = keras.Model(inputs=model.input, outputs=[l.output for l in model.layers]).predict(x, verbose=0)
    assert [a.shape for a in activations] == [(2, 6, 6, 2), (2, 3, 3, 2), (2, 18), (2, 3)]
    expected = x
    for layer, got in zip(model.layers, activations):
        expected = layer(expected).numpy()
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(activations[-1], model.predict(x, verbose=0))


def test_sequential_with_input_shape_has_symbolic_input_and_output():
    model = keras.Sequential([keras.layers.Conv2D(2, 3, input_shape=(8, 8, 1)), keras.layers.Flatten()])
    assert tuple(model.input.shape) == (None, 8, 8, 1)
    assert tuple(model.output.shape) == (None, 72)
    assert model.inputs[0] is model.input and model.outputs[0] is model.output
    assert model.layers[0].input is model.input


def test_functional_inputs_outputs_are_the_graph_tensors():
    i = keras.Input((4,))
    dense = keras.layers.Dense(2)
    o = dense(i)
    model = keras.Model(inputs=i, outputs=o)
    assert model.input is i and model.output is o and model.inputs == [i] and model.outputs == [o]
    assert dense.output is o and dense.input is i
    two = keras.Model(inputs=i, outputs=[o])
    assert two.output == [o]


def test_never_called_layer_and_unbuilt_models_have_no_symbolic_tensors():
    with pytest.raises(AttributeError, match="never been called"):
        keras.layers.Dense(3).output
    with pytest.raises(AttributeError, match="no defined inputs"):
        keras.Sequential([keras.layers.Dense(3)]).input

    class Sub(keras.Model):
        def call(self, x):
            return x
    with pytest.raises(AttributeError, match="not a functional"):
        Sub().inputs


def test_predict_with_several_outputs_returns_one_array_each():
    i = keras.Input((3,))
    a, b = keras.layers.Dense(2)(i), keras.layers.Dense(1)(i)
    model = keras.Model(i, [a, b])
    x = np.ones((5, 3), np.float32)
    pa, pb = model.predict(x, batch_size=2, verbose=0)
    assert pa.shape == (5, 2) and pb.shape == (5, 1)
    ya, yb = model(x)
    np.testing.assert_array_equal(pa, ya.numpy())
    np.testing.assert_array_equal(pb, yb.numpy())
