"""Keras 3's training contract (keras/src/trainers/trainer.py and backend/tensorflow/trainer.py),
each fact checked in TF 2.21 / Keras 3 (noted where it is surprising): train_step(data) and its
data forms, compute_loss / compute_metrics, compile without a loss, metrics held as attributes,
add_loss, the compiled_loss / compiled_metrics shims, PyDataset, evaluate's list order."""
import warnings

import numpy as np
import pytest

import tinytf as tf
from tinytf import keras

X = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


def test_train_step_data_forms_match_keras():
    seen = []

    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)
            self.tr = keras.metrics.Mean(name="my")

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            seen.append(type(data).__name__ if not isinstance(data, tuple) else len(data))
            self.tr.update_state(1.0)
            return {"a": self.tr.result()}

    m = M()
    m.compile(optimizer="sgd")  # no loss: the custom step computes its own
    h = m.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    assert seen == [2, 2, 2, 2] and h.history == {"a": [1.0, 1.0]}
    assert m.metrics_names == ["loss", "my"]  # Keras's loss tracker, then the attribute metric
    seen.clear()
    m.fit(X, epochs=1, batch_size=4, verbose=0)  # x alone: the tensor, not a tuple (TF 2.21)
    assert seen == ["Tensor", "Tensor"]
    seen.clear()
    m.fit(X, Y, sample_weight=np.ones(8), epochs=1, batch_size=4, verbose=0)
    assert seen == [3, 3]
    seen.clear()
    m.fit(tf.data.Dataset.from_tensor_slices({"a": X}).batch(4), epochs=1, verbose=0)
    assert seen == ["dict", "dict"]


def test_default_step_without_loss_raises_as_keras():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile("sgd")
    with pytest.raises(ValueError, match="No loss to compute. Provide a `loss` argument in `compile"):
        m.fit(X, Y, verbose=0)


def test_compute_loss_adds_add_loss_terms_and_metrics_reset_each_epoch():
    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            y = self.d(x)
            self.add_loss(0.5 * tf.reduce_mean(y ** 2))
            return y

    m = M()
    m.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    pred = X.sum(1, keepdims=True)
    want = np.mean((pred - Y) ** 2) + 0.5 * np.mean(pred ** 2)
    got = m.evaluate(X, Y, batch_size=8, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    m(X)
    m(X)
    assert len(m.losses) == 1  # cleared at the start of each outermost call
    h = m.fit(X, Y, batch_size=8, epochs=2, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [want, want], rtol=1e-6)  # reset per epoch, not summed


def test_custom_train_step_with_loss_tracker_as_keras_io_writes_it():
    class VAEStyle(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")

        def call(self, x):
            return self.d(x)

        @property
        def metrics(self):
            return [self.total_loss_tracker]

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.total_loss_tracker.update_state(loss)
            return {"total_loss": self.total_loss_tracker.result()}

    tf.random.set_seed(1)
    m = VAEStyle()
    m.compile(optimizer=keras.optimizers.Adam(0.05))
    h = m.fit(X, Y, epochs=30, batch_size=4, verbose=0)
    assert list(h.history) == ["total_loss"]
    assert h.history["total_loss"][-1] < 0.2 * h.history["total_loss"][0]


def test_compiled_shims_behave_as_keras_3():
    class N(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as t:
                yp = self(x, training=True)
                loss = self.compiled_loss(y, yp, regularization_losses=self.losses)
            g = t.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(g, self.trainable_variables))
            self.compiled_metrics.update_state(y, yp)
            self.last_pred = yp
            return {m.name: m.result() for m in self.metrics}

    n = N()
    n.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = n.fit(X, Y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    # Keras 3's shim updates the loss tracker (a Mean) with y_pred: 'loss' is mean(y_pred) (TF 2.21 too)
    np.testing.assert_allclose(h.history["loss"], [np.mean(n.last_pred.numpy())], rtol=1e-6)
    np.testing.assert_allclose(h.history["mae"], [np.mean(np.abs(n.last_pred.numpy() - Y))], rtol=1e-6)
    assert n.metrics_names == ["loss", "compile_metrics"]


def test_evaluate_order_and_recompile_keeps_metrics_as_keras():
    p = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    p.compile("sgd", "mse", metrics=["mae", "accuracy"])
    res = p.evaluate(X, Y, verbose=0)
    assert len(res) == 3 and p.metrics_names == ["loss", "compile_metrics"]
    d = p.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(d) == ["accuracy", "loss", "mae"]  # Keras sorts the logs
    assert res == [d["loss"], d["mae"], d["accuracy"]]  # list: loss, then the compiled metrics in order
    p.compile("sgd")  # no loss, no metrics: Keras 3 keeps the previous ones
    assert p.evaluate(X, Y, verbose=0) == res


def test_predict_step_override_and_dataset_with_labels():
    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(2)

        def call(self, x):
            return self.d(x)

        def predict_step(self, data):
            x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
            return {"double": 2 * self(x), "x": x}

    m = M()
    out = m.predict(tf.data.Dataset.from_tensor_slices((X, Y)).batch(3), verbose=0)
    assert set(out) == {"double", "x"} and out["double"].shape == (8, 2)
    np.testing.assert_array_equal(out["x"], X)


def test_py_dataset_and_sequence_in_fit_evaluate_predict():
    class Seq(keras.utils.PyDataset):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.epochs_ended, self.asked = 0, []

        def __len__(self):
            return 2

        def __getitem__(self, i):
            self.asked.append(i)
            return X[4 * i:4 * i + 4], Y[4 * i:4 * i + 4]

        def on_epoch_end(self):
            self.epochs_ended += 1

    assert keras.utils.Sequence is keras.utils.PyDataset
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(keras.optimizers.SGD(0.1), "mse")
    s = Seq()
    h = m.fit(s, epochs=6, verbose=0)
    assert s.epochs_ended == 6 and len(h.history["loss"]) == 6
    # fit shuffles the batch order with random.Random(epoch), as Keras's PyDatasetAdapter
    import random
    want = []
    for e in range(6):
        order = [0, 1]
        random.Random(e).shuffle(order)
        want += order
    assert s.asked == want
    assert h.history["loss"][-1] < h.history["loss"][0]
    s.asked.clear()
    assert m.predict(s, verbose=0).shape == (8, 1) and s.asked == [0, 1]
    assert isinstance(m.evaluate(s, verbose=0), float)
    with pytest.raises(ValueError, match="`y` should not be passed"):
        m.fit(s, Y)


def test_unpack_x_y_sample_weight():
    u = keras.utils.unpack_x_y_sample_weight
    assert u(X)[1:] == (None, None) and u((X,))[1:] == (None, None)
    assert u([X, Y])[1] is Y and u((X, Y, 1))[2] == 1
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        u((1, 2, 3, 4))


def test_train_on_batch_and_keras_layer_alias():
    assert keras.Layer is keras.layers.Layer
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile("sgd", "mse", metrics=["mae"])
    out = m.train_on_batch(X, Y)
    assert isinstance(out, list) and len(out) == 2
    assert set(m.test_on_batch(X, Y, return_dict=True)) == {"loss", "mae"}


def test_compiled_loss_names_squeeze_labels_as_keras():
    """compile(loss='binary_crossentropy') wraps the function in LossFunctionWrapper, which
    squeezes/expands labels (n,) to predictions (n, 1); the bare function refuses, as Keras 3's."""
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1], "float32")
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    p = np.clip(m.predict(X, verbose=0)[:, 0].astype(np.float64), 1e-7, 1 - 1e-7)
    want = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(m.evaluate(X, y, verbose=0)[0], want, rtol=1e-5)
    assert set(m.fit(X, y, verbose=0).history) == {"accuracy", "loss"}
    with pytest.raises(ValueError):
        keras.losses.binary_crossentropy(y, p[:, None])


def test_fit_and_predict_on_a_python_generator():
    """Keras 3 takes a generator of batches; steps_per_epoch batches are drawn from it per epoch."""
    def batches():
        while True:
            yield X[:4], Y[:4]
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(keras.optimizers.SGD(0.05), "mse")
    h = m.fit(batches(), steps_per_epoch=3, epochs=4, verbose=0)
    assert len(h.history["loss"]) == 4 and h.history["loss"][-1] < h.history["loss"][0]
    out = m.predict((X[i:i + 2] for i in range(0, 8, 2)), verbose=0)
    np.testing.assert_allclose(out, m.predict(X, verbose=0), rtol=1e-6)


def test_class_weight_weighs_the_loss_as_keras():
    """Keras 3: class_weight becomes per-sample weights (argmax of one-hot, rounded labels)."""
    from tinytf.keras.data_adapter import class_weight_to_sample_weights
    np.testing.assert_array_equal(class_weight_to_sample_weights(np.array([[0, 1], [1, 0]]), {1: 3.0}), [3, 1])
    np.testing.assert_array_equal(class_weight_to_sample_weights(np.array([[1.2], [0.]]), {1: 2.0}), [2, 1])
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1], "float32")
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(keras.optimizers.SGD(0.0), "binary_crossentropy")
    weighted = m.fit(X, y, class_weight={1: 3.0}, batch_size=8, verbose=0, shuffle=False).history["loss"][0]
    p = np.clip(m.predict(X, verbose=0)[:, 0].astype(np.float64), 1e-7, 1 - 1e-7)
    per = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(weighted, np.mean(per * np.where(y == 1, 3.0, 1.0)), rtol=1e-5)
    with pytest.raises(ValueError, match="class_weight` and `sample_weight"):
        m.fit(X, y, class_weight={1: 3.0}, sample_weight=np.ones(8), verbose=0)
