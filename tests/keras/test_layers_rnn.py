"""LSTM, GRU, SimpleRNN, their cells and RNN(cell) (tinytf/keras/layers/rnn.py) against Keras 3
(tests/fixtures/record_tf_rnn.py -> keras_rnn.npz, keras_rnn.weights.h5, keras_rnn_model.keras):
outputs in each mode (sequences, last, go_backwards, return_state, masked) and the gradients of
sum(y * g) w.r.t. the input and the weights, within 8 (outputs) and 32 (gradients: sums over
batch and steps) float32 ulps of the largest magnitude (tanh / sigmoid / exp on the
path); float64 gradients against finite differences; argument checks, configs, dropout, files."""
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad, fd_inplace

layers = tf.keras.layers
HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIX = np.load(os.path.join(HERE, "keras_rnn.npz"))
MODES = {"seq": dict(return_sequences=True), "last": {}, "back": dict(go_backwards=True, return_sequences=True),
         "state": dict(return_state=True)}
MASKED = {"mseq": dict(return_sequences=True), "mlast": {}, "mback": dict(go_backwards=True)}
KINDS = ("LSTM", "GRU", "SimpleRNN")


def _weights(kind):
    return [FIX[f"{kind}_w{i}"] for i in range(int(FIX[f"{kind}_w"]))]


def _layer(kind, **kw):
    layer = getattr(layers, kind)(3, **kw)
    layer.build((2, 5, 4))
    layer.set_weights(_weights(kind))
    return layer


def _close(actual, expected, maxulp=8):
    # ulps relative to the largest magnitude (values near 0 have tiny ulps of their own)
    scale = np.spacing(np.float32(np.abs(expected).max()))
    np.testing.assert_array_less(np.abs(np.asarray(actual) - expected), maxulp * scale + 1e-30)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", sorted(MODES))
def test_outputs_and_gradients_match_keras(kind, mode):
    layer = _layer(kind, **MODES[mode])
    x = tf.constant(FIX["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        ys = y if isinstance(y, list) else [y]
        loss = tf.reduce_sum(ys[0] * FIX[f"{kind}_{mode}_g"])
    assert len(ys) == int(FIX[f"{kind}_{mode}_n"])
    for i, t in enumerate(ys):
        _close(t.numpy(), FIX[f"{kind}_{mode}_y{i}"])
    for i, g in enumerate(tape.gradient(loss, [x] + layer.trainable_weights)):
        _close(np.asarray(g), FIX[f"{kind}_{mode}_grad{i}"], maxulp=32)  # sums over batch and steps


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", sorted(MASKED))
def test_masked_steps_match_keras(kind, mode):
    """A Masking layer's mask, or the same mask passed as ``mask=``: masked steps keep the state."""
    xm = FIX["xm"]
    _close(_layer(kind, **MASKED[mode])(layers.Masking(0.0)(xm)).numpy(), FIX[f"{kind}_{mode}_y"])
    _close(_layer(kind, **MASKED[mode])(xm, mask=np.any(xm != 0, -1)).numpy(), FIX[f"{kind}_{mode}_y"])


def test_embedding_mask_zero_feeds_lstm():
    emb = layers.Embedding(6, 4, mask_zero=True)
    emb.build()
    emb.set_weights([FIX["emb_table"]])
    lstm = layers.LSTM(3)
    lstm.build((2, 5, 4))
    lstm.set_weights([FIX[f"emb_lstm_w{i}"] for i in range(3)])
    _close(lstm(emb(FIX["emb_ids"])).numpy(), FIX["emb_lstm_y"])


@pytest.mark.parametrize("kind, kw", [("LSTM", {}), ("GRU", {}), ("GRU", dict(reset_after=False)),
                                      ("SimpleRNN", {}), ("LSTM", dict(go_backwards=True, return_sequences=True))])
def test_float64_gradients_against_finite_differences(kind, kw):
    rng = np.random.default_rng(5)
    layer = getattr(layers, kind)(2, dtype="float64", **kw)
    x = rng.standard_normal((2, 3, 3))
    layer.build(x.shape)
    layer.set_weights([rng.standard_normal(w.shape) * 0.7 for w in layer.get_weights()])
    mask = np.array([[True, False, True], [True, True, True]])
    assert_grad(lambda t: layer(t, mask=mask) ** 2, x)
    w = layer.trainable_weights[1]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    arr = w.numpy().copy()

    def f():
        w.assign(arr)
        return float(tf.reduce_sum(layer(x) ** 2).numpy())
    numeric = fd_inplace(f, arr)
    np.testing.assert_allclose(np.asarray(tape.gradient(loss, w)), numeric, rtol=1e-5, atol=1e-7)


def test_weight_layout_initializers_and_config():
    lstm = layers.LSTM(4)
    lstm.build((None, 7, 3))
    assert [tuple(w.shape) for w in lstm.weights] == [(3, 16), (4, 16), (16,)]
    assert [w.path for w in lstm.weights] == ["lstm_cell/kernel", "lstm_cell/recurrent_kernel", "lstm_cell/bias"]
    b = lstm.cell.bias.numpy()
    np.testing.assert_array_equal(b, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])  # unit_forget_bias
    rk = lstm.cell.recurrent_kernel.numpy()  # orthogonal: [4, 16] has orthonormal rows
    np.testing.assert_allclose(rk @ rk.T, np.eye(4), atol=1e-5)
    gru = layers.GRU(2)
    gru.build((None, 5, 3))
    assert [tuple(w.shape) for w in gru.weights] == [(3, 6), (2, 6), (2, 6)]
    assert lstm.units == 4 and lstm.recurrent_activation is tf.keras.activations.sigmoid
    for kind in KINDS:
        cfg = getattr(layers, kind)(3).get_config()
        assert sorted(cfg) == sorted(str(k) for k in FIX[f"{kind}_config"]), kind
        clone = getattr(layers, kind).from_config(cfg)
        assert clone.get_config() == {**cfg, "name": clone.name}


def test_argument_checks():
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match="units"):
        layers.GRUCell(-2)
    with pytest.raises(ValueError, match="dropout"):
        layers.LSTM(2, dropout="x")
    with pytest.raises(NotImplementedError, match="stateful"):
        layers.LSTM(2, stateful=True)
    with pytest.raises(ValueError, match="cell"):
        layers.RNN(object())
    with pytest.raises(ValueError, match=r"\[batch, time, features\]"):
        layers.LSTM(2)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="initial_state"):
        layers.LSTM(2)(np.zeros((1, 3, 2), np.float32), initial_state=[np.zeros((1, 2), np.float32)])
    assert layers.LSTM(2, dropout=1.5).dropout == 1.0  # Keras clips


def test_rnn_of_cell_and_initial_state_equal_the_layer():
    x = FIX["x"]
    lstm = _layer("LSTM", return_state=True)
    y, h, c = lstm(x)
    rnn = layers.RNN(layers.LSTMCell(3), return_state=True)
    rnn.build(x.shape)
    rnn.set_weights(_weights("LSTM"))
    for a, b in zip(rnn(x), (y, h, c)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # a second half started from the first half's states equals the whole sequence
    first = lstm(x[:, :3])
    whole_last = _layer("LSTM")(x).numpy()
    _close(_layer("LSTM")(x[:, 3:], initial_state=first[1:]).numpy(), whole_last)


def test_dropout_only_in_training_and_one_mask_per_sequence():
    tf.random.set_seed(1)
    layer = _layer("LSTM", dropout=0.5, recurrent_dropout=0.3, return_sequences=True)
    x = FIX["x"]
    plain = _layer("LSTM", return_sequences=True)(x).numpy()
    np.testing.assert_array_equal(layer(x).numpy(), plain)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), plain)
    a, b = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert not np.allclose(a, plain) and not np.array_equal(a, b)
    dp, rdp = layer.cell._masks
    assert set(np.unique(dp.numpy())) <= {0.0, 2.0} and tuple(dp.shape) == (2, 4) and tuple(rdp.shape) == (2, 3)


def test_in_models_training_summary_and_files(tmp_path):
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((5, 4)), layers.LSTM(3, return_sequences=True), layers.GRU(2),
                                 layers.Dense(1)])
    model.load_weights(os.path.join(HERE, "keras_rnn.weights.h5"))
    _close(model(FIX["x"]).numpy(), FIX["model_y"])
    functional = tf.keras.models.load_model(os.path.join(HERE, "keras_rnn_model.keras"))
    _close(functional(FIX["x"]).numpy(), FIX["functional_y"])
    lines = []
    functional.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(LSTM)" in text and "(None, 5, 2)" in text and "(TimeDistributed)" in text and "143" in text
    model.compile(optimizer="adam", loss="mse")
    before = [w.numpy() for w in model.weights]
    hist = model.fit(FIX["x"], np.ones((2, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    assert all(not np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))
    for path in (tmp_path / "m.keras", tmp_path / "m.weights.h5"):
        if path.suffix == ".keras":
            model.save(path)
            again = tf.keras.models.load_model(path)
        else:
            model.save_weights(path)
            again = tf.keras.Sequential([tf.keras.Input((5, 4)), layers.LSTM(3, return_sequences=True),
                                         layers.GRU(2), layers.Dense(1)])
            again.load_weights(path)
        np.testing.assert_array_equal(again(FIX["x"]).numpy(), model(FIX["x"]).numpy())


def test_rnn_runs_a_user_cell():
    class MinimalRNNCell(tf.keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones", name="kernel")

        def call(self, inputs, states):
            h = tf.matmul(inputs, self.kernel) + states[0] * 0.5
            return h, [h]

    x = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
    y = layers.RNN(MinimalRNNCell(2), return_sequences=True)(x).numpy()
    h, expected = np.zeros(2), []
    for t in range(4):
        h = x[0, t].sum() + 0.5 * h
        expected.append(h)
    np.testing.assert_allclose(y[0], np.array(expected), rtol=1e-6)


@pytest.mark.parametrize("mode", ["concat_seq", "sum_last", "ave_state"])
def test_bidirectional_matches_keras(mode):
    merge = {"concat_seq": "concat", "sum_last": "sum", "ave_state": "ave"}[mode]
    bi = layers.Bidirectional(layers.LSTM(3, return_sequences=mode == "concat_seq",
                                          return_state=mode == "ave_state"), merge_mode=merge)
    bi.build((2, 5, 4))
    bi.set_weights([FIX[f"bi_{mode}_w{i}"] for i in range(6)])
    y = bi(layers.Masking(0.0)(FIX["xm"]))
    ys = y if isinstance(y, list) else [y]
    assert len(ys) == int(FIX[f"bi_{mode}_n"])
    for i, t in enumerate(ys):
        _close(t.numpy(), FIX[f"bi_{mode}_y{i}"])
    out_shape = bi.compute_output_shape((None, 5, 4))
    first = out_shape[0] if isinstance(out_shape, list) else out_shape
    assert tuple(first) == tuple((None,) + ys[0].shape[1:])


def test_bidirectional_weights_config_files_and_checks(tmp_path):
    bi = layers.Bidirectional(layers.LSTM(3))
    bi.build((None, 5, 4))
    assert [w.path for w in bi.weights] == ["/".join(str(p).split("/")[-2:]) for p in FIX["bi_weight_paths"]]
    assert sorted(bi.get_config()) == sorted(str(k) for k in FIX["bi_config"])
    assert bi.forward_layer.name.startswith("forward_") and bi.backward_layer.go_backwards
    clone = layers.Bidirectional.from_config(bi.get_config())
    assert clone.merge_mode == "concat" and clone.backward_layer.go_backwards
    model = tf.keras.Sequential([tf.keras.Input((5, 4)), layers.Bidirectional(layers.GRU(2, return_sequences=True)),
                                 layers.GlobalAveragePooling1D(), layers.Dense(1)])
    assert tuple(model.output.shape) == (None, 1) and tuple(model.layers[0].output.shape) == (None, 5, 4)
    model.save(tmp_path / "bi.keras")
    again = tf.keras.models.load_model(tmp_path / "bi.keras")
    np.testing.assert_array_equal(again(FIX["x"]).numpy(), model(FIX["x"]).numpy())
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="keras.layers.Layer"):
        layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))


def test_gru_reset_before_matches_keras():
    layer = layers.GRU(3, reset_after=False, return_sequences=True)
    layer.build((2, 5, 4))
    layer.set_weights([FIX[f"gru0_w{i}"] for i in range(3)])
    assert tuple(layer.cell.bias.shape) == (9,)
    x = tf.constant(FIX["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y ** 2)
    _close(y.numpy(), FIX["gru0_y"])
    for i, g in enumerate(tape.gradient(loss, [x] + layer.trainable_weights)):
        _close(np.asarray(g), FIX[f"gru0_grad{i}"], maxulp=32)
