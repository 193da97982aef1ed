"""tf.keras.Model / Sequential as a Keras 3 user writes them: building, calling with ``training``,
variable tracking, summary(), compile / fit / evaluate / predict / train_on_batch / test_on_batch,
and save_weights / load_weights (.npz, no pickle, atomic).

Models and data are tiny so the whole file runs in a few seconds.
"""
import os
import re

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
Sequential = tf.keras.Sequential


def npy(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


def same_weights(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


def blobs(n=64, seed=0):
    """Two well separated Gaussian blobs in 4-D: label = which blob."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.int32)
    x = rng.normal(size=(n, 4)).astype(np.float32) * 0.5
    x[:, 0] += np.where(y == 1, 2.0, -2.0)
    return x, y


def images(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 1)).astype(np.float32)
    y = (x[:, :4].mean((1, 2, 3)) > x[:, 4:].mean((1, 2, 3))).astype(np.int32)
    return x, y


def small_mlp(compile=True, lr=0.05):
    m = Sequential([layers.Dense(8, activation="relu"), layers.Dense(2)])
    m.build([None, 4])
    if compile:
        m.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return m


def small_cnn():
    m = Sequential([layers.Conv2D(3, 3, padding="same"), layers.BatchNormalization(), layers.ReLU(),
                    layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.5), layers.Dense(2)])
    m.build([None, 8, 8, 1])
    m.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    return m


def lenet5():
    """The tutorial's LeNet-5 with batch norm."""
    model = Sequential([
        layers.Conv2D(6, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Conv2D(16, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Flatten(),
        layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"), layers.Dense(10)])
    model.build(input_shape=[None, 28, 28, 1])
    return model


# ===================================================================================== building

def test_sequential_from_list_and_from_add_are_the_same():
    a = Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])
    b = Sequential()
    b.add(layers.Conv2D(4, 3))
    b.add(layers.Flatten())
    b.add(layers.Dense(2))
    for m in (a, b):
        m.build([None, 32, 32, 3])
        assert m.built
        assert tuple(m.output_shape) == (None, 2)
        assert [type(l).__name__ for l in m.layers] == ["Conv2D", "Flatten", "Dense"]
        assert len(m.trainable_variables) == 4 and len(m.variables) == 4
        assert m.count_params() == (3 * 3 * 3 * 4 + 4) + (30 * 30 * 4 * 2 + 2)
    b.set_weights(a.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(npy(a(x)), npy(b(x)), rtol=1e-6)


def test_sequential_builds_from_input_or_input_shape_or_first_call():
    m1 = Sequential([tf.keras.Input(shape=(4,)), layers.Dense(3)])
    m2 = Sequential([layers.Dense(3, input_shape=(4,))])  # TF 2.0-2.3 style
    for m in (m1, m2):
        assert m.built and tuple(m.output_shape) == (None, 3)
        assert len(m.weights) == 2
    m3 = Sequential([layers.Dense(3)])
    assert m3.variables == []
    y = m3(np.ones((5, 4), np.float32))
    assert tuple(y.shape) == (5, 3) and len(m3.variables) == 2


def test_sequential_variables_and_names_keras_order():
    m = Sequential([layers.Conv2D(2, 3), layers.BatchNormalization(), layers.Flatten(), layers.Dense(2)])
    m.build([None, 5, 5, 1])
    names = [w.name.split("/")[-1].split(":")[0] for w in m.variables]
    assert names == ["kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance", "kernel", "bias"]
    assert [w.name.split(":")[0] for w in m.trainable_variables] == ["kernel", "bias", "gamma", "beta",
                                                                     "kernel", "bias"]
    assert len(m.non_trainable_variables) == 2
    assert [a.shape for a in m.get_weights()] == [w.shape for w in m.weights]
    assert re.match(r"^sequential(_\d+)?$", m.name)


def test_setting_trainable_false_on_a_layer_or_the_model():
    m = Sequential([layers.Dense(3), layers.Dense(2)])
    m.build([None, 4])
    m.layers[0].trainable = False
    assert len(m.trainable_variables) == 2
    assert all(v is w for v, w in zip(m.trainable_variables, m.layers[1].weights))
    m.trainable = False
    assert m.trainable_variables == [] and len(m.non_trainable_variables) == 4


def test_model_call_training_flag():
    m = Sequential([layers.BatchNormalization(), layers.Dropout(0.5)])
    m.build([None, 6])
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(32, 6)).astype(np.float32)
    y_inf = npy(m(x, training=False))
    np.testing.assert_allclose(y_inf, x / np.sqrt(1 + 1e-3), rtol=1e-5)  # moving stats 0 / 1, no dropout
    np.testing.assert_array_equal(npy(m(x)), y_inf)  # default: inference
    bn = m.layers[0]
    np.testing.assert_array_equal(npy(bn.moving_mean), np.zeros(6, np.float32))
    y_train = npy(m(x, training=True))
    assert np.mean(y_train == 0) > 0.3  # dropout active
    xn = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)  # batch statistics
    kept = y_train != 0
    np.testing.assert_allclose(y_train[kept], 2 * xn[kept], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(npy(bn.moving_mean), 0.01 * x.mean(0), rtol=1e-4)


class TinyNet(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = layers.Conv2D(2, 3)
        self.bn = layers.BatchNormalization()
        self.flatten = layers.Flatten()
        self.head = [layers.Dense(4, activation="relu"), layers.Dense(2)]
        self.drop = layers.Dropout(0.5)
        self.seen_training = []

    def call(self, inputs, training=False):
        self.seen_training.append(training)
        x = self.bn(self.conv(inputs), training=training)
        x = self.drop(self.flatten(x), training=training)
        for layer in self.head:
            x = layer(x)
        return x


def test_subclassed_model_tracks_attribute_layers():
    m = TinyNet()
    x = np.random.default_rng(2).normal(size=(3, 5, 5, 1)).astype(np.float32)
    assert tuple(m(x).shape) == (3, 2)
    tv = m.trainable_variables
    expected = [m.conv.kernel, m.conv.bias, m.bn.gamma, m.bn.beta,
                m.head[0].kernel, m.head[0].bias, m.head[1].kernel, m.head[1].bias]
    assert len(tv) == len(expected) and all(a is b for a, b in zip(tv, expected))
    assert len(m.variables) == 10
    assert {id(v) for v in m.non_trainable_variables} == {id(m.bn.moving_mean), id(m.bn.moving_variance)}
    m(x, training=True)
    assert m.seen_training[-1] is True
    m(x)
    assert not m.seen_training[-1]
    assert re.match(r"^tiny_net(_\d+)?$", m.name)


def test_subclassed_model_with_nested_sequential():
    class Outer(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.body = Sequential([layers.Dense(3), layers.Dense(3)])
            self.out = layers.Dense(1)

        def call(self, x):
            return self.out(self.body(x))

    m = Outer()
    m(np.ones((2, 4), np.float32))
    assert len(m.trainable_variables) == 6


def test_functional_model():
    inputs = tf.keras.Input(shape=(8, 8, 1))
    h = layers.Conv2D(3, 3, activation="relu")(inputs)
    h = layers.MaxPooling2D()(h)
    h = layers.Flatten()(h)
    outputs = layers.Dense(2)(h)
    m = tf.keras.Model(inputs=inputs, outputs=outputs)
    assert tuple(outputs.shape) == (None, 2)
    assert len(m.trainable_variables) == 4 and len(m.variables) == 4
    conv = next(l for l in m.layers if isinstance(l, layers.Conv2D))  # (Keras 3 also lists the InputLayer)
    dense = m.layers[-1]
    assert m.trainable_variables[0] is conv.kernel and m.trainable_variables[-1] is dense.bias
    x, y = images(16)
    out = m(x)
    assert tuple(out.shape) == (16, 2)
    m2 = tf.keras.Model(inputs, outputs)  # positional
    np.testing.assert_array_equal(npy(m2(x)), npy(out))
    m.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    h = m.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert set(h.history) == {"loss", "accuracy"}


# ===================================================================================== summary

def summary_rows(text):
    rows = []
    for line in text.splitlines():
        cells = [c for c in re.split(r"\s*[│┃|]\s*", line.strip()) if c != ""]
        if cells and cells[0] != "Layer (type)" and re.match(r"^\w+ \(\w+\)$", cells[0]):
            rows.append(cells)
    return rows


def test_summary_lenet5_layers_shapes_params_and_totals():
    model = lenet5()
    out = []
    model.summary(print_fn=lambda s, *a, **k: out.append(s))
    text = "\n".join(out)
    # hand count: conv 3*3*1*6+6=60; BN 4*6=24; conv 3*3*6*16+16=880; BN 4*16=64;
    # dense 400*120+120=48120; 120*84+84=10164; 84*10+10=850 -> 60162, of which BN moving stats 12+32=44
    expected = [("conv2d", "Conv2D", "(None, 26, 26, 6)", "60"),
                ("batch_normalization", "BatchNormalization", "(None, 26, 26, 6)", "24"),
                ("max_pooling2d", "MaxPooling2D", "(None, 13, 13, 6)", "0"),
                ("re_lu", "ReLU", "(None, 13, 13, 6)", "0"),
                ("conv2d", "Conv2D", "(None, 11, 11, 16)", "880"),
                ("batch_normalization", "BatchNormalization", "(None, 11, 11, 16)", "64"),
                ("max_pooling2d", "MaxPooling2D", "(None, 5, 5, 16)", "0"),
                ("re_lu", "ReLU", "(None, 5, 5, 16)", "0"),
                ("flatten", "Flatten", "(None, 400)", "0"),
                ("dense", "Dense", "(None, 120)", "48,120"),
                ("dense", "Dense", "(None, 84)", "10,164"),
                ("dense", "Dense", "(None, 10)", "850")]
    rows = summary_rows(text)
    assert len(rows) == len(expected), text
    for (base, typ, shape, params), row, layer in zip(expected, rows, model.layers):
        assert row[0] == f"{layer.name} ({typ})"
        assert re.match(rf"^{base}(_\d+)?$", layer.name)
        assert row[1] == shape and row[2] == params
    total = 60 + 24 + 880 + 64 + 48120 + 10164 + 850
    assert total == 60162 == model.count_params()
    assert re.search(r"Total params: 60,162\b", text)
    assert re.search(r"Trainable params: 60,118\b", text)
    assert re.search(r"Non-trainable params: 44\b", text)
    assert model.name in text.splitlines()[0]
    assert len(model.trainable_variables) == 14 and len(model.variables) == 18  # as in Keras 3.15


def test_summary_receptive_field_column():
    model = lenet5()
    out = []
    model.summary(print_fn=out.append, receptive_field=True)
    text = "\n".join(out)
    assert "Receptive field" in text
    rows = summary_rows(text)
    rf = {row[0].split(" ")[1]: [] for row in rows}
    for row in rows:
        rf[row[0].split(" ")[1]].append(row[3])
    assert rf["(Conv2D)"] == ["3", "8"]
    assert rf["(MaxPooling2D)"] == ["4", "10"]
    assert [r[3] for r in rows[:8]] == ["3", "3", "4", "4", "8", "8", "10", "10"]


def test_summary_prints_by_default(capsys):
    m = small_mlp(compile=False)
    m.summary()
    text = capsys.readouterr().out
    assert "Total params: 58" in text  # 4*8+8 + 8*2+2


# ===================================================================================== compile / fit

def test_compile_with_strings_and_fit_returns_history():
    x, y = blobs(48)
    m = Sequential([layers.Dense(8, activation="relu"), layers.Dense(2, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert isinstance(m.optimizer, tf.keras.optimizers.Adam)
    h = m.fit(x, y, batch_size=16, epochs=3, validation_data=(x[:16], y[:16]), verbose=0)
    assert isinstance(h, tf.keras.callbacks.History)
    assert m.history is h
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in h.history.values())
    assert all(isinstance(v, float) for vals in h.history.values() for v in vals)
    assert h.epoch == [0, 1, 2]
    assert h.params["epochs"] == 3


def test_compile_with_instances():
    x, y = blobs(32)
    m = small_mlp(compile=False)
    m.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
    h = m.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    assert len(h.history["sparse_categorical_accuracy"]) == 2


def test_fit_reduces_the_loss_on_a_separable_problem():
    tf.random.set_seed(0)
    x, y = blobs(64)
    m = small_mlp()
    before = m.evaluate(x, y, verbose=0)[0]
    h = m.fit(x, y, batch_size=16, epochs=8, verbose=0)
    loss = h.history["loss"]
    assert loss[-1] < loss[0] and loss[-1] < 0.5 * before
    assert h.history["accuracy"][-1] >= 0.95
    assert m.evaluate(x, y, verbose=0)[1] >= 0.95


def test_validation_split_uses_the_last_fraction():
    x, y = blobs(40)
    m = small_mlp()
    h = m.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h.history.values())
    loss, acc = m.evaluate(x[30:], y[30:], verbose=0)
    np.testing.assert_allclose(h.history["val_loss"][-1], loss, rtol=1e-5)
    np.testing.assert_allclose(h.history["val_accuracy"][-1], acc, rtol=1e-6)


def test_fit_on_a_dataset():
    x, y = blobs(32)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(32, seed=1).batch(8)
    val = tf.data.Dataset.from_tensor_slices((x[:8], y[:8])).batch(4)
    m = small_mlp()
    h = m.fit(ds, epochs=2, validation_data=val, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h.history.values())


def test_seeded_fit_is_reproducible():
    x, y = images(16)

    def run():
        tf.random.set_seed(1234)
        m = small_cnn()
        h = m.fit(x, y, batch_size=4, epochs=2, shuffle=True, verbose=0)
        return m.get_weights(), h.history

    w1, h1 = run()
    w2, h2 = run()
    assert same_weights(w1, w2)
    assert h1 == h2
    tf.random.set_seed(99)
    assert not same_weights(w1, small_cnn().get_weights())


def test_shuffle_false_is_deterministic_given_the_weights():
    x, y = blobs(32)
    a, b = small_mlp(), small_mlp()
    b.set_weights(a.get_weights())
    a.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    tf.random.set_seed(5)  # the generator's state must not matter without shuffling or dropout
    b.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert same_weights(a.get_weights(), b.get_weights())


def test_fit_adds_regularization_losses():
    x, y = blobs(16)
    m = Sequential([layers.Dense(2, kernel_regularizer=tf.keras.regularizers.l2(0.1))])
    m.build([None, 4])
    m.compile(optimizer="sgd", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    logits = npy(m.predict(x, verbose=0)).astype(np.float64)
    ce = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(16), y])
    penalty = 0.1 * np.sum(npy(m.layers[0].kernel).astype(np.float64) ** 2)
    np.testing.assert_allclose(m.evaluate(x, y, verbose=0), ce + penalty, rtol=1e-5)


# ===================================================================================== evaluate / predict

def test_evaluate_list_dict_and_scalar():
    x, y = blobs(10)
    m = small_mlp()
    logits = npy(m.predict(x, verbose=0)).astype(np.float64)
    ce = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(10), y])
    acc = np.mean(logits.argmax(1) == y)
    res = m.evaluate(x, y, batch_size=4, verbose=0)  # uneven batches: 4, 4, 2
    assert isinstance(res, list) and len(res) == 2
    np.testing.assert_allclose(res, [ce, acc], rtol=1e-5)
    d = m.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    assert set(d) == {"loss", "accuracy"}
    np.testing.assert_allclose([d["loss"], d["accuracy"]], [ce, acc], rtol=1e-5)
    m.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(m.evaluate(x, y, verbose=0)) == 2  # Keras 3: compiling without metrics keeps the old ones
    weights, m = m.get_weights(), small_mlp(compile=False)
    m.set_weights(weights)
    m.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    scalar = m.evaluate(x, y, verbose=0)
    assert isinstance(scalar, float)
    np.testing.assert_allclose(scalar, ce, rtol=1e-5)


def test_predict_returns_numpy_in_inference_mode():
    tf.random.set_seed(3)
    x, y = images(10)
    m = small_cnn()
    m.fit(x, y, batch_size=5, epochs=1, verbose=0)
    bn = m.layers[1]
    stats = [npy(bn.moving_mean).copy(), npy(bn.moving_variance).copy()]
    p = m.predict(x, batch_size=4, verbose=0)  # 4 + 4 + 2
    assert isinstance(p, np.ndarray) and p.shape == (10, 2)
    np.testing.assert_array_equal(m.predict(x, verbose=0), p)  # dropout off: deterministic
    np.testing.assert_allclose(npy(m(x, training=False)), p, rtol=1e-6, atol=1e-6)
    assert same_weights(stats, [npy(bn.moving_mean), npy(bn.moving_variance)])
    ds = tf.data.Dataset.from_tensor_slices(x).batch(3)
    np.testing.assert_allclose(m.predict(ds, verbose=0), p, rtol=1e-6, atol=1e-6)


def test_train_on_batch_and_test_on_batch():
    x, y = blobs(16)
    m = small_mlp()
    before = m.get_weights()
    res = m.test_on_batch(x, y)
    assert isinstance(res, list) and len(res) == 2
    np.testing.assert_allclose(res, m.evaluate(x, y, verbose=0), rtol=1e-6)
    assert same_weights(before, m.get_weights())
    res_train = m.train_on_batch(x, y)
    assert len(res_train) == 2
    # no dropout / BN: the training forward pass (before the update) gives the test loss
    np.testing.assert_allclose(res_train, res, rtol=1e-5)
    assert not same_weights(before, m.get_weights())
    d = m.test_on_batch(x, y, return_dict=True)
    assert set(d) == {"loss", "accuracy"}
    losses = [m.train_on_batch(x, y)[0] for _ in range(5)]
    assert losses[-1] < losses[0]


def test_compile_without_optimizer_is_a_value_error():
    m = small_mlp(compile=False)
    with pytest.raises(ValueError, match="compile: optimizer=None"):
        m.compile(optimizer=None, loss="mse")


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_zero_samples_is_a_value_error_naming_x(method):
    m = small_mlp()
    x, y = blobs(4)
    args = (x[:0],) if method == "predict" else (x[:0], y[:0])
    with pytest.raises(ValueError, match=rf"^{method}: x has 0 samples \(shape \(0, 4\)\)"):
        getattr(m, method)(*args, verbose=0)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_empty_dataset_is_a_value_error(method):
    m = small_mlp()
    ds = tf.data.Dataset.from_tensor_slices(blobs(4)).take(0).batch(2)
    with pytest.raises(ValueError, match=rf"^{method}: the (training )?data gave no batches"):
        getattr(m, method)(ds, verbose=0)


# ===================================================================================== weight files

def test_save_and_load_weights_round_trip(tmp_path):
    tf.random.set_seed(11)
    x, y = images(8)
    m = small_cnn()
    m.fit(x, y, batch_size=4, epochs=1, verbose=0)  # moving statistics != initial values
    path = tmp_path / "model.weights.npz"
    m.save_weights(str(path))
    assert path.exists()
    fresh = small_cnn()
    assert not same_weights(fresh.get_weights(), m.get_weights())
    fresh.load_weights(str(path))
    assert same_weights(fresh.get_weights(), m.get_weights())
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), m.predict(x, verbose=0))
    with np.load(str(path), allow_pickle=False) as z:  # a plain .npz, readable without pickle
        assert len(z.files) >= len(m.weights)


def test_save_and_load_weights_subclassed_model(tmp_path):
    x = np.random.default_rng(3).normal(size=(2, 5, 5, 1)).astype(np.float32)
    a, b = TinyNet(), TinyNet()
    a(x)
    b(x)
    a.save_weights(str(tmp_path / "w.npz"))
    b.load_weights(str(tmp_path / "w.npz"))
    np.testing.assert_array_equal(npy(a(x)), npy(b(x)))


def test_load_into_a_different_architecture_is_a_value_error_and_changes_nothing(tmp_path):
    path = str(tmp_path / "w.npz")
    small_mlp().save_weights(path)
    other = Sequential([layers.Dense(5), layers.Dense(2)])  # hidden width 5 instead of 8
    other.build([None, 4])
    before = other.get_weights()
    with pytest.raises(ValueError) as e:
        other.load_weights(path)
    msg = str(e.value)
    assert "kernel" in msg and "(4, 8)" in msg and "(4, 5)" in msg
    assert same_weights(before, other.get_weights())
    deeper = Sequential([layers.Dense(8), layers.Dense(2), layers.Dense(2)])
    deeper.build([None, 4])
    before = deeper.get_weights()
    with pytest.raises(ValueError, match="dense"):
        deeper.load_weights(path)
    assert same_weights(before, deeper.get_weights())


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "flipped"])
def test_damaged_weights_file_is_a_clear_value_error(tmp_path, damage):
    m = small_mlp()
    path = tmp_path / "w.npz"
    m.save_weights(str(path))
    raw = path.read_bytes()
    if damage == "truncated":
        raw = raw[:len(raw) // 2]
    elif damage == "garbage":
        raw = bytes(range(256)) * 4
    elif damage == "empty":
        raw = b""
    else:  # one byte of array data changed: the zip CRC no longer matches
        raw = bytearray(raw)
        i = raw.find(b"NUMPY") + 200
        raw[i] ^= 0xFF
        raw = bytes(raw)
    path.write_bytes(raw)
    before = m.get_weights()
    with pytest.raises(ValueError, match="w.npz"):
        m.load_weights(str(path))
    assert same_weights(before, m.get_weights())


@pytest.mark.parametrize("damage", ["shape", "int_dtype", "str_dtype", "missing", "extra"])
def test_load_weights_with_one_bad_array_changes_nothing(tmp_path, damage):
    path = str(tmp_path / "w.npz")
    small_mlp().save_weights(path)
    with np.load(path, allow_pickle=False) as z:
        arrays = dict(z)
    last = "dense_1/bias"  # checked last: a half-load would already have replaced the others
    if damage == "shape":
        arrays[last] = np.zeros(3, np.float32)
    elif damage == "int_dtype":
        arrays[last] = arrays[last].astype(np.int32)
    elif damage == "str_dtype":
        arrays[last] = np.array(["a", "b"])
    elif damage == "missing":
        del arrays[last]
    else:
        arrays["dense_2/kernel"] = np.zeros((2, 2), np.float32)
    np.savez(path, **arrays)
    m = small_mlp()
    before = m.get_weights()
    with pytest.raises(ValueError, match="does not match this model") as e:
        m.load_weights(path)
    assert ("dense_2/kernel" if damage == "extra" else last) in str(e.value)
    assert "no weight was changed" in str(e.value)
    assert same_weights(before, m.get_weights())


@pytest.mark.parametrize("kind", ["text", "npy", "truncated_zip", "zip_of_text", "pickled"])
def test_load_weights_from_a_file_that_is_not_a_weights_npz(tmp_path, kind):
    import zipfile
    path = tmp_path / "w.npz"
    if kind == "text":
        path.write_text("dense/kernel = [[1, 2], [3, 4]]\n")
    elif kind == "npy":
        np.save(str(tmp_path / "w.npy"), np.zeros(3, np.float32))
        path = tmp_path / "w.npy"
    elif kind == "truncated_zip":
        small_mlp().save_weights(str(path))
        path.write_bytes(path.read_bytes()[:300])
    elif kind == "zip_of_text":
        with zipfile.ZipFile(str(path), "w") as z:
            z.writestr("notes.txt", "hello")
    else:
        np.savez(str(path), **{"dense/kernel": np.array([{"payload": 1}], dtype=object)})
    m = small_mlp()
    before = m.get_weights()
    with pytest.raises(ValueError) as e:
        m.load_weights(str(path))
    msg = str(e.value)
    assert path.name in msg and "tinytf weights file" in msg
    assert "allow_pickle" not in msg and "pickle.load" not in msg  # never advise unsafe loading
    if kind in ("text", "npy"):
        assert "not a tinytf weights file (.npz)" in msg
    assert same_weights(before, m.get_weights())


def test_load_refuses_pickled_object_arrays(tmp_path):
    m = small_mlp()
    path = str(tmp_path / "evil.npz")
    arrays = {"dense/kernel": np.array([{"payload": 1}], dtype=object)}
    np.savez(path, **arrays)
    with pytest.raises(ValueError):
        m.load_weights(path)


def test_load_reads_arrays_without_pickle(tmp_path, monkeypatch):
    m = small_mlp()
    path = str(tmp_path / "w.npz")
    m.save_weights(path)
    seen = []
    real_read = np.lib.format.read_array

    def spy(*args, **kwargs):
        seen.append(kwargs.get("allow_pickle", True))
        return real_read(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "read_array", spy)
    m.load_weights(path)
    assert seen and not any(seen)


def test_save_weights_is_atomic(tmp_path, monkeypatch):
    m = small_mlp()
    path = tmp_path / "w.npz"
    m.save_weights(str(path))
    old = path.read_bytes()
    m.layers[0].kernel.assign(np.zeros((4, 8), np.float32))
    real_savez = np.savez

    def broken_savez(file, *args, **kwds):
        if hasattr(file, "write"):
            file.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        m.save_weights(str(path))
    monkeypatch.setattr(np, "savez", real_savez)
    assert path.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["w.npz"]
    fresh = small_mlp()
    fresh.load_weights(str(path))  # still a good file


def test_save_weights_overwrite_false(tmp_path):
    m = small_mlp()
    path = str(tmp_path / "w.npz")
    m.save_weights(path)
    with pytest.raises(FileExistsError):
        m.save_weights(path, overwrite=False)


def test_evaluate_prints_a_progress_bar_by_default_as_keras(capsys):
    m = Sequential([layers.Dense(3)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = np.ones((10, 2), np.float32), np.zeros((10, 3), np.float32)
    m.evaluate(x, y, batch_size=5)
    out = capsys.readouterr().out
    assert "2/2" in out and "loss:" in out and "Epoch" not in out
    m.evaluate(x, y, batch_size=5, verbose=0)
    assert capsys.readouterr().out == ""
    m.evaluate(x, y, batch_size=5, verbose=2)
    assert capsys.readouterr().out.startswith("2/2 - ")


def test_layer_tracking_sets_no_made_up_attributes():
    a, b = layers.Dense(2), layers.Dense(3)
    seq = Sequential([tf.keras.Input((4,)), a, b])
    seq.pop()
    assert seq.layers == [a]
    assert not [k for k in vars(seq) if k.startswith("_l")]
    inp = tf.keras.Input((4,))
    f = tf.keras.Model(inp, b(a(inp)))
    assert f.layers[-2:] == [a, b] and not [k for k in vars(f) if k.startswith("_layer_")]


def test_sequential_is_not_iterable_as_keras_3():
    """Keras 3 / tf.keras 2.21: `for layer in model` is a TypeError; old code iterates model.layers."""
    m = Sequential([layers.Dense(2), layers.Dense(1)])
    with pytest.raises(TypeError, match="not iterable"):
        iter(m)
    assert [type(l).__name__ for l in m.layers] == ["Dense", "Dense"]
