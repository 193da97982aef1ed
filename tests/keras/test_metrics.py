"""tinytf.keras.metrics: accumulation over several update_state calls, sample weights, reset,
the metric functions, get() and compile's 'accuracy' resolution.

Numbers marked "Keras 3.15" were recorded from TensorFlow 2.21 / Keras 3.15 with the inputs
written here and hard-coded, so the tests never need TensorFlow.
"""
import numpy as np
import pytest

import tinytf as tf
import tinytf.keras.metrics as metrics

F = np.float32
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], F)
Z = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 3.0], [-2.0, 1.0, 1.5]], F)
LAB = np.array([0, 2, 1])
Y = np.eye(3, dtype=F)[LAB]
SW = np.array([1.0, 2.0, 0.5], F)


def value(t):
    assert isinstance(t, tf.Tensor) and t.shape == () and t.dtype == tf.float32
    return float(t.numpy())


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-7)


# ---- Mean / Sum ----------------------------------------------------------------------------

def test_mean_accumulates_and_resets():
    m = metrics.Mean()
    assert m.name == "mean" and value(m.result()) == 0.0          # nothing seen: 0, not NaN
    m.update_state([1.0, 2.0, 3.0])
    assert value(m.result()) == 2.0
    m.update_state(tf.constant([[4.0, 6.0]]))                       # one sample averaged over its axis
    assert value(m.result()) == approx((1 + 2 + 3 + 5) / 4)
    m.update_state(7.0)                                             # a scalar is one sample
    assert value(m.result()) == approx((1 + 2 + 3 + 5 + 7) / 5)
    assert [v.numpy() for v in m.variables] == [18.0, 5.0]
    assert all(v.dtype == tf.float32 for v in m.variables)
    m.reset_state()
    assert value(m.result()) == 0.0 and [float(v.numpy()) for v in m.variables] == [0.0, 0.0]
    m.update_state([10.0])
    m.reset_states()                                                # TF 2 spelling
    assert value(m.result()) == 0.0


def test_mean_sample_weights_match_keras():
    # Keras 3.15: Mean over these three updates -> 2.961538553237915, total 19.25, count 6.5
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.5])
    m.update_state(5.0, sample_weight=2.0)
    assert value(m.result()) == approx(2.961538553237915)
    assert [float(v.numpy()) for v in m.variables] == [19.25, 6.5]
    # Keras 3.15: per-element weights -> 3.25 (total 4.333333, count 1.333333)
    m = metrics.Mean()
    m.update_state([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], sample_weight=[[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    assert value(m.result()) == approx(3.25)
    np.testing.assert_allclose([v.numpy() for v in m.variables], [4.333333492279053, 1.3333333730697632], rtol=1e-6)
    # Keras 3.15: a (batch, 1) weight column -> 2.8333332538604736
    m = metrics.Mean()
    m.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[[1.0], [2.0]])
    assert value(m.result()) == approx(2.8333332538604736)


def test_mean_call_updates_and_returns_result():
    m = metrics.Mean(name="loss")
    assert value(m(4.0)) == 4.0
    assert value(m([2.0], sample_weight=[3.0])) == approx((4 + 6) / 4)
    assert m.name == "loss" and m.get_config() == {"name": "loss", "dtype": "float32"}


def test_sum():
    s = metrics.Sum()
    s.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.5])
    s.update_state([2.0])
    assert value(s.result()) == 8.5            # Keras 3.15: 8.5
    assert [v.name for v in s.variables] == ["total:0"]
    s.reset_state()
    assert value(s.result()) == 0.0


# ---- accuracy metrics ---------------------------------------------------------------------------

def test_accuracy():
    m = metrics.Accuracy()
    m.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    assert value(m.result()) == 0.75            # Keras 3.15: 0.75
    m.update_state([[1], [2]], [[0], [2]], sample_weight=[1.0, 3.0])
    assert value(m.result()) == approx((3 + 3) / (4 + 4))
    np.testing.assert_array_equal(metrics.accuracy([1, 2, 3], [1, 0, 3]).numpy(), [1.0, 0.0, 1.0])


def test_binary_accuracy_threshold_and_weights():
    m = metrics.BinaryAccuracy(threshold=0.7)
    m.update_state([[1], [0], [1], [0]], [[0.8], [0.75], [0.6], [0.1]])      # 2 of 4 right
    assert value(m.result()) == 0.5
    m.update_state([1, 1], [0.9, 0.2], sample_weight=[2, 1])                 # + 2 of 3 weight
    assert value(m.result()) == approx(0.5714285969734192)                   # Keras 3.15
    assert m.get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.7}
    np.testing.assert_array_equal(metrics.binary_accuracy([[1.0, 0.0]], [[0.5, 0.5]]).numpy(), [[0.0, 1.0]])
    np.testing.assert_array_equal(metrics.binary_accuracy([1, 0], [0.6, 0.4]).numpy(), [1.0, 1.0])


def test_categorical_accuracy():
    m = metrics.CategoricalAccuracy()
    m.update_state(Y, P)                          # argmax P = [0, 2, 2] vs [0, 2, 1]
    assert value(m.result()) == approx(2 / 3)
    m.update_state(Y[:2], P[::-1][:2], sample_weight=[0.5, 3.0])   # argmax [2, 2] vs [0, 2]: 0 + 3
    assert value(m.result()) == approx((2 + 3) / (3 + 3.5))
    # ties go to the first maximum (Keras 3.15: 0.6666667 for these)
    m = metrics.CategoricalAccuracy()
    m.update_state(Y, np.array([[0.5, 0.5, 0], [0, 0.1, 0.9], [1, 0, 0]], F))
    assert value(m.result()) == approx(0.6666666865348816)
    np.testing.assert_array_equal(metrics.categorical_accuracy(Y, P).numpy(), [1.0, 1.0, 0.0])


def test_sparse_categorical_accuracy():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(LAB, P)
    assert value(m.result()) == approx(2 / 3)
    m.update_state(LAB.reshape(-1, 1), tf.constant(Z), sample_weight=SW)   # argmax Z = [0, 2, 2]: 1 + 2 + 0
    assert value(m.result()) == approx((2 + 3) / (3 + 3.5))
    m.reset_state()
    m.update_state(tf.constant(LAB, dtype=tf.int64), Z)
    assert value(m.result()) == approx(2 / 3)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(LAB.reshape(-1, 1), P).numpy(),
                                  [1.0, 1.0, 0.0])
    per_step = metrics.sparse_categorical_accuracy([[0, 1], [2, 2]], np.stack([P[:2], P[1:]]))
    np.testing.assert_array_equal(per_step.numpy(), [[1.0, 0.0], [1.0, 1.0]])


def test_top_k():
    m = metrics.TopKCategoricalAccuracy(k=2)
    m.update_state(Y, P)                          # ranks of true class: 1st, 1st, 2nd (tie 0.3/0.3)
    assert value(m.result()) == 1.0
    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state(Y, np.array([[0.5, 0.5, 0], [0, 0.1, 0.9], [1, 0, 0]], F))
    assert value(m.result()) == approx(0.6666666865348816)     # Keras 3.15: ties at the boundary count
    m = metrics.SparseTopKCategoricalAccuracy(k=2)
    m.update_state([0, 3, 1, 1, 2], np.array([[0.2, 0.2, 0.2, 0.4]] * 5, F))
    assert value(m.result()) == 1.0                            # Keras 3.15: 1.0 (all tied)
    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state(LAB, Z, sample_weight=[1.0, 1.0, 2.0])
    assert value(m.result()) == approx(2 / 4)
    assert metrics.SparseTopKCategoricalAccuracy().get_config() == {
        "name": "sparse_top_k_categorical_accuracy", "dtype": "float32", "k": 5}


# ---- loss-based metrics ---------------------------------------------------------------------

def test_mean_squared_error_metric():
    yt = np.array([[0, 1], [0, 0]], F)
    yp = np.array([[1, 1], [0, 0]], F)
    m = metrics.MeanSquaredError()
    m.update_state(yt, yp)
    assert value(m.result()) == 0.25              # Keras docstring example
    m.update_state(yt, yp * 3, sample_weight=[2.0, 1.0])       # per-sample [(9 + 4) / 2, 0]
    assert value(m.result()) == approx((0.5 + 2 * 6.5) / (2 + 3))
    m = metrics.MeanAbsoluteError()
    m.update_state(yt, yp)
    assert value(m.result()) == 0.25


def test_crossentropy_metrics():
    m = metrics.SparseCategoricalCrossentropy(from_logits=True)
    m.update_state(LAB, Z)
    ls = Z.astype(np.float64) - np.log(np.exp(Z.astype(np.float64)).sum(-1, keepdims=True))
    per = -ls[np.arange(3), LAB]
    assert value(m.result()) == approx(per.mean())
    m = metrics.CategoricalCrossentropy(from_logits=True)
    m.update_state(Y, Z, sample_weight=SW)
    assert value(m.result()) == approx((per * SW).sum() / SW.sum())
    m = metrics.BinaryCrossentropy()
    m.update_state([[1.0, 0.0]], [[0.9, 0.2]])
    assert value(m.result()) == approx(-(np.log(0.9) + np.log(0.8)) / 2)


def test_sparse_crossentropy_metric_ignore_class_like_keras():
    # Keras 3.15 quirk: without sample_weight the ignored samples count as zeros in the mean
    # (0.4113368093967438 = (l0 + l2) / 3); with one they are left out (0.49177393317222595).
    m = metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    m.update_state(LAB, Z)
    assert value(m.result()) == approx(0.4113368093967438)
    m = metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    m.update_state(LAB, Z, sample_weight=SW)
    assert value(m.result()) == approx(0.49177393317222595)


# ---- get, resolve_accuracy, config ----------------------------------------------------------

def test_get():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)          # as keras.metrics.get
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("SparseCategoricalAccuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("categorical_accuracy"), metrics.CategoricalAccuracy)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("mean_squared_error"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("mean"), metrics.Mean)
    m = metrics.Mean()
    assert metrics.get(m) is m
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    assert metrics.get(None) is None
    assert metrics.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.3}}).threshold == 0.3
    with pytest.raises(ValueError) as e:
        metrics.get("acc")                        # Keras: only compile() knows 'acc'
    assert "acc" in str(e.value) and "sparse_categorical_accuracy" in str(e.value)


@pytest.mark.parametrize("y_true,y_pred,cls", [
    ((None,), (None, 10), metrics.SparseCategoricalAccuracy),         # integer labels
    ((32, 1), (32, 10), metrics.SparseCategoricalAccuracy),           # labels with a trailing 1
    ((32, 10), (32, 10), metrics.CategoricalAccuracy),                # one-hot
    ((32, 1), (32, 1), metrics.BinaryAccuracy),                       # sigmoid output
    ((32,), (32, 1), metrics.BinaryAccuracy),                         # binary wins over sparse
    ((8, 5, 5), (8, 5, 5, 3), metrics.SparseCategoricalAccuracy),     # per-pixel labels
])
def test_resolve_accuracy(y_true, y_pred, cls):
    m = metrics.resolve_accuracy("sparse_categorical_crossentropy", y_true, y_pred)
    assert type(m) is cls and m.name == "accuracy"
    assert metrics.resolve_accuracy(None, tf.TensorShape(y_true), tf.TensorShape(y_pred), name="acc").name == "acc"


def test_configs_and_from_config():
    for m in (metrics.Mean(name="m"), metrics.Sum(), metrics.Accuracy(), metrics.BinaryAccuracy(threshold=0.2),
              metrics.CategoricalAccuracy(), metrics.SparseCategoricalAccuracy(),
              metrics.TopKCategoricalAccuracy(k=3), metrics.MeanSquaredError(),
              metrics.SparseCategoricalCrossentropy(from_logits=True)):
        cfg = m.get_config()
        assert cfg["dtype"] == "float32"
        clone = type(m).from_config(cfg)
        assert clone.get_config() == cfg
    assert metrics.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"
    assert metrics.CategoricalAccuracy().name == "categorical_accuracy"


def test_inputs_are_not_modified_and_results_independent():
    yp = P.copy()
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(LAB, yp)
    r1 = m.result()
    m.update_state(LAB, np.eye(3, dtype=F)[LAB])
    np.testing.assert_array_equal(yp, P)
    assert value(r1) == approx(2 / 3)                         # an earlier result does not change
    assert value(m.result()) == approx(5 / 6)


def test_root_mean_squared_error_matches_keras():
    import os
    fix = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_rmse.npz"))
    m = tf.keras.metrics.RootMeanSquaredError()
    assert m.name == "root_mean_squared_error" and tf.keras.metrics.get("root_mean_squared_error")
    for i in range(2):
        sw = fix[f"sw{i}"] if f"sw{i}" in fix else None
        m.update_state(fix[f"yt{i}"], fix[f"yp{i}"], sample_weight=sw)
        np.testing.assert_array_max_ulp(np.asarray(m.result()), fix[f"r{i}"], maxulp=2)
