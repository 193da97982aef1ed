"""Inference chains (tinytf/keras/inference.py): a Sequential model's inference runs Conv2D with the
BatchNormalization / ReLU / MaxPooling2D layers after it as one fused convolution, with the bits of
the layers called one by one."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import inference
from tinytf.kernels import table as K

L = tf.keras.layers


def _layers_one_by_one(model, x):
    for layer in model.layers:
        x = layer(x, training=False)
    return x.numpy()


def _reached_a_tail_loop(calls):
    """On the compiled path, one of the two compiled tail loops ran (which depends on the channels)."""
    if calls.active:
        assert calls["conv_tail"] + calls["conv_tail_rows"], dict(calls)


def _trained_statistics(model):
    """Moving statistics and weights away from their initial values (BN's variance 1, mean 0)."""
    rng = np.random.default_rng(1)
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            c = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.standard_normal(c).astype(np.float32) * 0.1)
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, c).astype(np.float32))
            if layer.scale:
                layer.gamma.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
            if layer.center:
                layer.beta.assign(rng.standard_normal(c).astype(np.float32) * 0.1)
        if isinstance(layer, L.Conv2D) and layer.bias is not None:
            layer.bias.assign(rng.standard_normal(layer.filters).astype(np.float32) * 0.1)


MODELS = {
    "lenet: conv bn pool relu": lambda: [L.Conv2D(6, 3), L.BatchNormalization(), L.MaxPooling2D(), L.ReLU(),
                                        L.Conv2D(16, 3), L.BatchNormalization(), L.MaxPooling2D(), L.ReLU(),
                                        L.Flatten(), L.Dense(10)],
    "vgg: conv(relu) conv(relu) pool": lambda: [L.Conv2D(8, 3, padding="same", activation="relu"),
                                                L.Conv2D(8, 3, padding="same", activation="relu"), L.MaxPooling2D(),
                                                L.Flatten(), L.Dense(10)],
    "resnet stem: conv(no bias) bn relu, 3x3/2 same pool": lambda: [
        L.Conv2D(8, 3, strides=2, padding="same", use_bias=False), L.BatchNormalization(),
        L.Activation("relu"), L.MaxPooling2D(3, 2, padding="same"), L.Flatten(), L.Dense(4)],
    "conv relu-layer pool relu, dilated": lambda: [L.Conv2D(5, 3, dilation_rate=2), L.ReLU(), L.MaxPooling2D(),
                                                   L.ReLU(), L.GlobalAveragePooling2D()],
    "pointwise conv then bn": lambda: [L.Conv2D(7, 1), L.BatchNormalization(scale=False, center=False)],
}


@pytest.mark.parametrize("name", list(MODELS))
def test_inference_is_fused_with_the_bits_of_the_layers(name, monkeypatch, compiled_calls):
    tf.random.set_seed(0)
    model = tf.keras.Sequential([L.Input((14, 13, 3))] + MODELS[name]())
    x = np.random.default_rng(0).standard_normal((5, 14, 13, 3)).astype(np.float32)
    x[0, 3, 4, 1] = np.nan  # a NaN goes where the layers send it
    _trained_statistics(model)
    fused = []
    real = K.conv2d_forward_tail
    monkeypatch.setattr(K, "conv2d_forward_tail", lambda *a: fused.append(a[3]) or real(*a))
    got = model(x, training=False).numpy()
    assert fused, "no chain ran"
    np.testing.assert_array_equal(got, _layers_one_by_one(model, x))
    np.testing.assert_array_equal(model.predict(x, verbose=0), got)
    _reached_a_tail_loop(compiled_calls)


def test_lenet_chains_are_the_tutorial_blocks():
    model = tf.keras.Sequential([L.Input((28, 28, 1))] + MODELS["lenet: conv bn pool relu"]())
    layers = model.layers
    steps = inference.steps(layers, training=False)
    assert [type(s).__name__ for s in steps] == ["Chain", "Chain", "Flatten", "Dense"]
    assert [s.layers for s in steps[:2]] == [layers[:4], layers[4:8]]
    assert inference.steps(layers, training=True) is layers


def test_training_and_a_recording_tape_run_the_layers(monkeypatch):
    """Training mode and a tape (gradients of an inference output, e.g. a saliency map) need the
    layers' own ops: no chain."""
    tf.random.set_seed(0)
    model = tf.keras.Sequential([L.Input((8, 8, 2)), L.Conv2D(3, 3), L.BatchNormalization(), L.ReLU()])
    x = tf.constant(np.random.default_rng(0).standard_normal((2, 8, 8, 2)).astype(np.float32))
    monkeypatch.setattr(K, "conv2d_forward_tail", lambda *a: pytest.fail("fused"))
    model(x, training=True)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(model(x, training=False))
    g = tape.gradient(y, x)
    assert g.shape == x.shape and np.abs(g.numpy()).sum() > 0


def test_only_plain_layers_join_a_chain():
    class MyConv(L.Conv2D):
        pass

    conv = L.Conv2D(3, 3)
    layers = [conv, L.BatchNormalization(axis=1), L.ReLU(max_value=6.0), L.LeakyReLU(), L.MaxPooling2D()]
    tf.keras.Sequential([L.Input((8, 8, 2))] + layers)  # builds them
    assert inference.Chain.at(layers, 0) is None  # BN over axis 1; ReLU6; leaky
    relu6 = [conv, L.ReLU(max_value=6.0)]
    tf.keras.Sequential([L.Input((8, 8, 2))] + relu6)
    assert inference.Chain.at(relu6, 0) is None
    mine = [MyConv(3, 3), L.ReLU()]
    tf.keras.Sequential([L.Input((8, 8, 2))] + mine)
    assert inference.Chain.at(mine, 0) is None
    tanh = [L.Conv2D(3, 3, activation="tanh"), L.ReLU()]
    tf.keras.Sequential([L.Input((8, 8, 2))] + tanh)
    assert inference.Chain.at(tanh, 0) is None
    alone = [L.Conv2D(3, 3, activation="relu"), L.Flatten()]
    tf.keras.Sequential([L.Input((8, 8, 2))] + alone)
    assert inference.Chain.at(alone, 0) is None  # the conv layer already adds its bias and ReLU in one pass


def test_an_input_the_chain_does_not_take_runs_the_layers():
    """Another dtype (the layers cast it) or the wrong channels (the layers' error)."""
    tf.random.set_seed(0)
    model = tf.keras.Sequential([L.Input((8, 8, 2)), L.Conv2D(3, 3), L.BatchNormalization(), L.ReLU()])
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 2))
    np.testing.assert_array_equal(model(x, training=False).numpy(), _layers_one_by_one(model, x.astype(np.float32)))
    chain = inference.steps(model.layers, training=False)[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="3 channels but filters expect 2"):
        chain(tf.constant(np.zeros((1, 8, 8, 3), np.float32)))


def test_functional_chains_keep_tensors_used_twice_and_outputs(monkeypatch, compiled_calls):
    """A residual block: the conv->BN->ReLU chains fuse; a tensor with two users (the block's
    input) or an output of the model ends a chain; the bits are the layers' one by one."""
    tf.random.set_seed(0)
    inp = L.Input((9, 9, 4))
    a = L.ReLU()(L.BatchNormalization()(L.Conv2D(4, 3, padding="same", use_bias=False)(inp)))
    b = L.BatchNormalization()(L.Conv2D(4, 3, padding="same")(a))
    side = L.Conv2D(4, 1)(a)  # a has two users: its chain ends at a
    out = L.ReLU()(L.Add()([b, side, a]))
    pooled = L.MaxPooling2D()(out)
    model = tf.keras.Model(inp, [L.ReLU()(pooled), out])  # out is an output: no chain through it
    _trained_statistics(model)
    steps = inference.graph_steps(model._functional[2], model._functional[1], training=False)
    chains = [[type(layer).__name__ for layer in s.layers] for _, s, _ in steps if isinstance(s, inference.Chain)]
    assert chains == [["Conv2D", "BatchNormalization", "ReLU"], ["Conv2D", "BatchNormalization"]]
    x = np.random.default_rng(0).standard_normal((3, 9, 9, 4)).astype(np.float32)
    fused = [t.numpy() for t in model(x, training=False)]
    plain = inference.graph_steps
    monkeypatch.setattr(inference, "graph_steps", lambda order, outs, training: plain(order, outs, True))
    for f, p in zip(fused, model(x, training=False)):
        np.testing.assert_array_equal(f, p.numpy())
    _reached_a_tail_loop(compiled_calls)
