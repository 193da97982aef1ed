"""keras.callbacks.TensorBoard beyond the TF 2.21 fixture (tests/summary/test_tensorboard_parity.py):
argument checks, Keras 3's weight paths for functional and subclassed models, custom batch-level
summaries from inside the model, evaluate-only logs, and fit's validation running the test hooks
without a progress bar."""
import os
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "summary"))

import tinytf as tf  # noqa: E402
from tb_read import load, plugin, scalars  # noqa: E402

k = tf.keras


def _data(n=12):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 4)).astype(np.float32), rng.integers(0, 2, n).astype(np.int32)


@pytest.mark.parametrize("kwargs,message", [
    (dict(histogram_freq=-1), "histogram_freq must be a non-negative integer, got -1"),
    (dict(histogram_freq=1.5), "histogram_freq must be a non-negative integer, got 1.5"),
    (dict(update_freq="often"), "update_freq must be 'epoch', 'batch' or a positive integer, got 'often'"),
    (dict(update_freq=0), "update_freq must be 'epoch', 'batch' or a positive integer, got 0"),
    (dict(profile_batch=-1), "profile_batch must be a non-negative integer or 2-tuple"),
    (dict(profile_batch=(5, 2)), "profile_batch must be"),
    (dict(profile_batch="a,b"), "profile_batch must be"),
])
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        k.callbacks.TensorBoard(str(tmp_path), **kwargs)


@pytest.mark.parametrize("kwargs", [dict(profile_batch=2), dict(profile_batch="2,4"), dict(embeddings_freq=1)])
def test_profiler_and_embeddings_are_accepted_and_ignored_with_a_warning(tmp_path, kwargs):
    with pytest.warns(UserWarning, match="is ignored"):
        k.callbacks.TensorBoard(str(tmp_path), **kwargs)


def test_functional_weight_paths_have_no_model_prefix(tmp_path):
    inp = k.Input((4,))
    out = k.layers.Dense(2, name="d")(k.layers.Dense(3, name="hidden")(inp))
    model = k.Model(inp, out, name="fm")
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(*_data(), epochs=1, verbose=0, callbacks=[k.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
    acc = load(tmp_path / "train")
    assert sorted(acc.Tags()["tensors"]) == ["d/bias/histogram", "d/kernel/histogram", "epoch_learning_rate",
                                             "epoch_loss", "hidden/bias/histogram", "hidden/kernel/histogram",
                                             "keras"]
    assert plugin(acc, "keras") == "graph_keras_model"


class Sub(k.Model):
    def __init__(self):
        super().__init__(name="sub")
        self.dense = k.layers.Dense(2, name="dd")

    def call(self, x):
        y = self.dense(x)
        tf.summary.histogram("outputs", y)  # Keras's example: batch-level summaries from the model
        return y


def test_subclassed_model_custom_batch_summaries_and_no_graph(tmp_path):
    model = Sub()
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = _data()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_data=(x[:4], y[:4]),
              callbacks=[k.callbacks.TensorBoard(str(tmp_path), update_freq=2, histogram_freq=1)])
    train, val = load(tmp_path / "train"), load(tmp_path / "validation")
    assert "keras" not in train.Tags()["tensors"]  # Keras writes the graph of Sequential/functional only
    # As in TF 2.21 (checked with run_eagerly=True, where TF's tag is 'sub/outputs'): update_freq=2's
    # record_if holds for everything written while it is pushed, so epoch 0's summaries (written at
    # global train batch 3, validation batch 1) are skipped and epoch 1's (batch 6 and 2) written.
    steps = {t: [e.step for e in train.Tensors(t)] for t in train.Tags()["tensors"]}
    assert steps == {"outputs": [2, 4, 6], "batch_loss": [2, 4, 6], "epoch_loss": [1], "epoch_learning_rate": [1],
                     "sub/dd/kernel/histogram": [1], "sub/dd/bias/histogram": [1]}
    steps = {t: [e.step for e in val.Tensors(t)] for t in val.Tags()["tensors"]}
    assert steps == {"outputs": [2], "evaluation_loss_vs_iterations": [6], "epoch_loss": [1]}


def test_evaluate_writes_evaluation_scalars_at_the_optimizer_step(tmp_path):
    model = k.Sequential([k.Input((4,)), k.layers.Dense(2)])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = _data()
    model.fit(x, y, batch_size=6, epochs=1, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0, callbacks=[k.callbacks.TensorBoard(str(tmp_path))])
    val = load(tmp_path / "validation")
    assert scalars(val, "evaluation_loss_vs_iterations") == [(2, np.float32(loss))]
    assert scalars(val, "evaluation_accuracy_vs_iterations") == [(2, np.float32(accuracy))]
    assert load(tmp_path / "train").Tags()["tensors"] == ["keras"]


def test_learning_rate_schedule_and_steps_per_second(tmp_path):
    schedule = k.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5)
    model = k.Sequential([k.Input((4,)), k.layers.Dense(2)])
    model.compile(k.optimizers.SGD(schedule), "sparse_categorical_crossentropy")
    model.fit(*_data(), batch_size=4, epochs=2, verbose=0,
              callbacks=[k.callbacks.TensorBoard(str(tmp_path), write_steps_per_second=True, write_graph=False)])
    train = load(tmp_path / "train")
    lr = scalars(train, "epoch_learning_rate")
    assert [s for s, _ in lr] == [0, 1]
    np.testing.assert_allclose([v for _, v in lr], [0.1 * 0.5 ** 1, 0.1 * 0.5 ** 2], rtol=1e-6)
    assert all(v > 0 for _, v in scalars(train, "epoch_steps_per_second"))


def test_fit_validation_runs_test_hooks_without_a_progress_bar(tmp_path, capsys):
    calls = []
    hooks = k.callbacks.LambdaCallback(on_test_begin=lambda logs=None: calls.append("begin"),
                                       on_test_end=lambda logs=None: calls.append(sorted(logs)))
    model = k.Sequential([k.Input((4,)), k.layers.Dense(2)])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = _data()
    capsys.readouterr()
    model.fit(x, y, batch_size=4, epochs=2, verbose=2, validation_data=(x, y), callbacks=[hooks])
    out = capsys.readouterr().out
    assert calls == ["begin", ["accuracy", "loss"]] * 2
    assert out.count("\n") == 4 and "val_loss" in out  # "Epoch i/2" and one line per epoch, no eval lines


def test_only_rank_0_writes(tmp_path):
    from tinytf.keras import distribution

    class NotChief(distribution.Distribution):
        def is_chief(self):
            return False
    before = distribution.get_distribution()
    distribution.set_distribution(NotChief())
    try:
        _fit_on_a_worker(tmp_path)
    finally:
        distribution.set_distribution(before)
    assert not os.path.exists(tmp_path / "train")


def _fit_on_a_worker(tmp_path):
    model = k.Sequential([k.Input((4,)), k.layers.Dense(2)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(*_data(), epochs=1, verbose=0, callbacks=[k.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
