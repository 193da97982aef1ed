"""How models get built, as real TF 2 / Keras 3 programs build them: custom layers and models
holding sub-layers in attributes, lists and dicts; Sequentials built by calling them on data or by
``build(shape)`` (custom layers run on a zero batch to learn their output shape); float64 NumPy
input computed in float32."""
import warnings

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
Sequential = tf.keras.Sequential


def data(n=8, shape=(28, 28, 1), classes=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n,) + shape) / 1.0, rng.integers(0, classes, n)  # x float64, as x / 255.0


class Block(layers.Layer):
    """Two convolutions kept in a list (a typical user block)."""

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.convs = [layers.Conv2D(filters, 3, padding="same", activation="relu"),
                      layers.Conv2D(filters, 3, padding="same")]

    def call(self, x):
        for conv in self.convs:
            x = conv(x)
        return x


class Doubler(layers.Layer):
    """Widens the last axis: concatenates its input with itself (no compute_output_shape)."""

    def call(self, x):
        return tf.concat([x, x], axis=-1)


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.convs = [layers.Conv2D(4, 3), layers.Conv2D(8, 3, strides=2)]
        self.pool = layers.GlobalAveragePooling2D()
        self.heads = {"a": layers.Dense(10)}

    def call(self, x, training=False):
        for conv in self.convs:
            x = conv(x)
        return self.heads["a"](self.pool(x))


def compile_(model):
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def check_grads_reach_every_weight(model, x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x, training=True) ** 2)
    grads = tape.gradient(loss, model.trainable_weights)
    assert len(grads) == len(model.trainable_weights) > 0
    assert all(g is not None and np.any(g.numpy() != 0) for g in grads)


def check_round_trip(model, make, tmp_path, shape):
    path = tmp_path / "w.npz"
    model.save_weights(path)
    other = make()
    other.build(shape)
    assert other.weight_keys() == model.weight_keys()
    assert len(set(model.weight_keys())) == len(model.weights)
    other.load_weights(path)
    x = data(2, shape[1:])[0]
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


# ========================================================== custom layers and models, tracked

def block_model():
    return Sequential([Block(4), layers.Flatten(), layers.Dense(10)])


def test_custom_block_with_a_list_of_convs_in_sequential(tmp_path):
    model = block_model()
    model.build((None, 28, 28, 1))
    block = model.layers[0]
    assert block.built and all(c.built for c in block.convs)
    assert [tuple(w.shape) for w in model.trainable_weights] == [
        (3, 3, 1, 4), (4,), (3, 3, 4, 4), (4,), (28 * 28 * 4, 10), (10,)]
    assert model.weight_keys() == ["block/conv2d/kernel", "block/conv2d/bias", "block/conv2d_1/kernel",
                                    "block/conv2d_1/bias", "dense/kernel", "dense/bias"]
    assert tuple(block.output_shape_built) == (None, 28, 28, 4)
    lines = []
    model.summary(print_fn=lines.append)
    assert "block (Block)" in lines[0] and "(None, 28, 28, 4)" in lines[0] and "Total params: 31,558" in lines[0]
    x, y = data()
    compile_(model).fit(x, y, epochs=1, batch_size=4, verbose=0)
    check_grads_reach_every_weight(model, x[:2])
    check_round_trip(model, block_model, tmp_path, (None, 28, 28, 1))


def test_subclassed_model_with_list_and_dict_layers_builds_from_a_shape(tmp_path):
    model = Net()
    model.build((None, 28, 28, 1))
    assert model.built and len(model.weights) == 6
    assert model.layers == [model.convs[0], model.convs[1], model.pool, model.heads["a"]]
    assert model.weight_keys() == ["conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias",
                                    "dense/kernel", "dense/bias"]
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 426" in lines[0]  # 40 + 296 + 90
    x, y = data()
    hist = compile_(model).fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    check_grads_reach_every_weight(model, x[:2])
    check_round_trip(model, Net, tmp_path, (None, 28, 28, 1))


def test_widening_custom_layer_in_sequential_built_from_a_shape():
    model = Sequential([layers.Conv2D(3, 3), Doubler(), layers.Flatten(), layers.Dense(5)])
    model.build((None, 8, 8, 1))
    assert tuple(model.layers[1].output_shape_built) == (None, 6, 6, 6)
    assert tuple(model.layers[3].kernel.shape) == (6 * 6 * 6, 5)
    assert tuple(model.output_shape) == (None, 5)
    assert tuple(model(data(2, (8, 8, 1))[0]).shape) == (2, 5)


def test_unbuilt_sequential_called_on_data_builds_each_layer_from_the_real_tensor():
    class ClaimsSameShape(Doubler):
        def compute_output_shape(self, input_shape):  # wrong on purpose: data must decide
            return input_shape
    model = Sequential([layers.Dense(16), ClaimsSameShape(), layers.Dense(3)])
    out = model(np.ones((4, 7), np.float32))
    assert tuple(out.shape) == (4, 3)
    assert tuple(model.layers[2].kernel.shape) == (32, 3)
    assert tuple(model.layers[1].output_shape_built) == (None, 32)
    assert tuple(model.input_shape) == (None, 7) and tuple(model.output_shape) == (None, 3)


def test_fit_on_an_unbuilt_sequential_with_a_widening_layer():
    model = compile_(Sequential([layers.Conv2D(4, 3), Doubler(), layers.Flatten(), layers.Dense(10)]))
    x, y = data(8, (8, 8, 1))
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert tuple(model.layers[-1].kernel.shape) == (6 * 6 * 8, 10)


def nested():
    inner = Sequential([layers.Conv2D(4, 3), layers.ReLU(), Block(2)])
    return Sequential([inner, Sequential([layers.Flatten(), layers.Dense(10)])])


def test_nested_sequentials(tmp_path):
    model = nested()
    model.build((None, 28, 28, 1))
    assert model.weight_keys() == [
        "sequential/conv2d/kernel", "sequential/conv2d/bias",
        "sequential/block/conv2d/kernel", "sequential/block/conv2d/bias",
        "sequential/block/conv2d_1/kernel", "sequential/block/conv2d_1/bias",
        "sequential_1/dense/kernel", "sequential_1/dense/bias"]
    assert tuple(model.layers[1].layers[1].kernel.shape) == (26 * 26 * 2, 10)
    x, y = data()
    compile_(model).fit(x, y, epochs=1, batch_size=4, verbose=0)
    check_grads_reach_every_weight(model, x[:2])
    check_round_trip(model, nested, tmp_path, (None, 28, 28, 1))


def test_subclassed_model_inside_sequential(tmp_path):
    def make():
        return Sequential([Net(), layers.Dense(3)])
    model = make()
    model.build((None, 28, 28, 1))
    assert tuple(model.layers[1].kernel.shape) == (10, 3)
    assert model.weight_keys()[0] == "net/conv2d/kernel" and len(model.weights) == 8
    x, y = data(8, classes=3)
    compile_(model).fit(x, y, epochs=1, batch_size=4, verbose=0)
    check_grads_reach_every_weight(model, x[:2])
    check_round_trip(model, make, tmp_path, (None, 28, 28, 1))


def test_weights_made_in_init_and_variables_as_attributes_are_tracked():
    class Scale(layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = self.add_weight(shape=(3,), initializer="ones", trainable=True)  # Keras 3 keywords
            self.b = self.add_weight((3,), "zeros")  # Keras 3 positional order
            self.step = tf.Variable(0.0, trainable=False)

        def call(self, x):
            return x * self.w + self.b

    layer = Scale()
    assert [w.name for w in layer.trainable_weights] == ["variable:0", "variable_1:0"]
    assert layer.non_trainable_weights == [layer.step]
    model = Sequential([layer])
    model.build((None, 3))
    assert model.weight_keys() == ["scale/variable", "scale/variable_1", "scale/Variable"]
    check_grads_reach_every_weight(model, np.ones((2, 3)))


def test_shared_layer_counts_once_and_layers_keep_assignment_order():
    class Shared(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(4)
            self.blocks = []
            self.out = layers.Dense(2)
            for _ in range(2):
                self.blocks.append(layers.Dense(4))  # appended after assignment: still tracked
            self.again = self.d

        def call(self, x):
            x = self.d(self.d(x))
            for b in self.blocks:
                x = b(x)
            return self.out(x)
    m = Shared()
    m.build((None, 4))
    assert m.layers == [m.d] + m.blocks + [m.out]
    assert len(m.weights) == 8 and len({id(w) for w in m.weights}) == 8


def test_custom_layer_with_unknown_spatial_axes_in_the_functional_api():
    inp = tf.keras.Input((None, None, 3))
    h = Block(2)(inp)
    out = Doubler()(layers.Conv2D(1, 3)(h))
    assert tuple(h.shape) == (None, None, None, 2) and tuple(out.shape) == (None, None, None, 2)
    model = tf.keras.Model(inp, out)
    assert tuple(model(np.zeros((1, 9, 7, 3))).shape) == (1, 7, 5, 2)


def test_a_layer_that_cannot_run_on_zeros_says_so():
    class NeedsRank5(layers.Layer):
        def call(self, x):
            if x.ndim != 5:
                raise ValueError(f"NeedsRank5: x must be rank 5, got {x.ndim}")
            return x
    with pytest.raises(ValueError, match="rank 5") as info:
        Sequential([NeedsRank5()]).build((None, 4))
    assert "compute_output_shape" in "".join(getattr(info.value, "__notes__", ["compute_output_shape"]))


def test_add_weight_rejects_a_bad_shape():
    with pytest.raises(ValueError, match=r"add_weight: shape must be a tuple of ints, got 'abc'"):
        layers.Layer().add_weight("w", "abc")


# ================================================================== float64 in, float32 out

def test_float64_numpy_input_computes_in_float32():
    model = compile_(Sequential([layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(10)]))
    x, y = data(8)
    assert x.dtype == np.float64
    assert model(x).dtype == tf.float32
    model.fit(x, y.astype(np.float64), epochs=1, batch_size=4, verbose=0)
    assert model.predict(x, verbose=0).dtype == np.float32
    assert all(w.dtype == tf.float32 for w in model.weights)
    assert Net()(x).dtype == tf.float32
    assert layers.Dense(3)(np.ones((2, 4))).dtype == tf.float32
    assert layers.Dense(3)(tf.constant(np.ones((2, 4)))).dtype == tf.float32  # float64 tensor too


def test_float64_cast_keeps_gradients_and_autocast_false_keeps_the_dtype():
    x = tf.constant(np.ones((2, 3)))
    dense = layers.Dense(2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(dense(x))
    assert tape.gradient(y, x).dtype == tf.float64

    class Keep(layers.Layer):
        def call(self, x):
            return x
    assert Keep(autocast=False)(np.ones(2)).dtype == tf.float64
    assert Keep()(np.ones(2)).dtype == tf.float32


def test_conv2d_converts_a_numpy_filter_to_the_tensor_dtype_as_tensorflow():
    x = tf.random.normal([1, 5, 5, 2])
    w = np.random.default_rng(0).normal(size=(3, 3, 2, 4))  # float64
    y = tf.nn.conv2d(x, w, 1, "SAME")
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), tf.nn.conv2d(x, w.astype(np.float32), 1, "SAME").numpy())
    assert tf.nn.bias_add(x, np.ones(2)).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="same dtype"):
        tf.nn.conv2d(x, tf.constant(w), 1, "SAME")  # two tensors: no silent conversion
    with pytest.raises(tf.errors.InvalidArgumentError, match="same dtype"):
        tf.matmul(tf.ones([2, 2]), tf.constant(np.ones((2, 2))))


# =========================================================== Keras 2-era names still accepted

def test_keras2_generator_methods_warn_and_delegate():
    model = compile_(Sequential([layers.Flatten(), layers.Dense(10)]))
    x, y = data(8, (4, 4, 1))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        hist = model.fit_generator(ds, epochs=1, verbose=0)
    assert len(hist.history["loss"]) == 1
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        model.evaluate_generator(ds, verbose=0)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        assert model.predict_generator(ds, verbose=0).shape == (8, 10)


def test_keras2_dynamic_argument_warns():
    with pytest.warns(DeprecationWarning, match="dynamic"):
        Doubler(dynamic=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Doubler()


def test_compute_and_variable_dtype_are_the_layer_dtype():
    layer = tf.keras.layers.Dense(2, dtype="float64")
    assert layer.compute_dtype == layer.variable_dtype == "float64"
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
    assert model.compute_dtype == "float32"
