"""A persistent tape gives right gradients on every call: each backward is a pure function of the
op's inputs and the incoming gradient. Two different losses are taken from one persistent tape
through every op with a hand-written gradient, and each is checked against finite differences."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.ops import nn_ops

from gradcheck import numeric_grad

R = np.random.default_rng(7)


def rnd(*shape):
    return R.standard_normal(shape)


def bn_train(x, gamma, beta):
    return nn_ops.fused_batch_norm(x, gamma, beta, 1e-3, True)[0]


def bn_infer(x, gamma, beta):
    mean, var = tf.constant(np.array([0.1, -0.2])), tf.constant(np.array([0.5, 2.0]))
    return nn_ops.fused_batch_norm(x, gamma, beta, 1e-3, False, mean, var)[0]


LABELS = np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])

# name -> (f(*inputs) -> output, inputs); every input gets its gradient checked
CASES = {
    "conv2d": (lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"), [rnd(2, 4, 4, 2), rnd(3, 3, 2, 3)]),
    "conv2d_strided": (lambda x, w: tf.nn.conv2d(x, w, 2, "VALID"), [rnd(1, 5, 5, 2), rnd(2, 2, 2, 2)]),
    "conv2d_transpose": (lambda x, w: tf.nn.conv2d_transpose(x, w, [1, 5, 5, 3], 2, "SAME"),
                         [rnd(1, 3, 3, 2), rnd(3, 3, 3, 2)]),
    "depthwise_conv2d": (lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME"),
                         [rnd(1, 5, 5, 2), rnd(3, 3, 2, 2)]),
    "max_pool": (lambda x: tf.nn.max_pool2d(x, 2, 2, "SAME"), [rnd(2, 5, 5, 2)]),
    "avg_pool": (lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"), [rnd(2, 5, 5, 2)]),
    "batch_norm_training": (bn_train, [rnd(3, 2, 2, 2), rnd(2) + 1, rnd(2)]),
    "batch_norm_inference": (bn_infer, [rnd(3, 2, 2, 2), rnd(2) + 1, rnd(2)]),
    "bias_add": (tf.nn.bias_add, [rnd(2, 3, 4), rnd(4)]),
    "relu": (tf.nn.relu, [rnd(3, 4)]),
    "relu6": (lambda x: tf.nn.relu6(x * 4), [rnd(3, 4)]),
    "leaky_relu": (tf.nn.leaky_relu, [rnd(3, 4)]),
    "elu": (tf.nn.elu, [rnd(3, 4)]),
    "softmax": (tf.nn.softmax, [rnd(2, 3)]),
    "log_softmax": (tf.nn.log_softmax, [rnd(2, 3)]),
    "softmax_xent": (lambda z, y: tf.nn.softmax_cross_entropy_with_logits(y, z), [rnd(2, 3), LABELS]),
    "sparse_softmax_xent": (lambda z: tf.nn.sparse_softmax_cross_entropy_with_logits(np.array([2, 0]), z),
                            [rnd(2, 3)]),
    "sigmoid_xent": (lambda z, y: tf.nn.sigmoid_cross_entropy_with_logits(y, z), [rnd(2, 3), LABELS]),
    "keras_categorical_xent": (lambda z: tf.keras.losses.categorical_crossentropy(LABELS, z, from_logits=True),
                               [rnd(2, 3)]),
    "keras_sparse_xent": (lambda z: tf.keras.losses.sparse_categorical_crossentropy(
        np.array([1, 2]), z, from_logits=True), [rnd(2, 3)]),
    "matmul": (tf.matmul, [rnd(3, 4), rnd(4, 2)]),
    "elementwise": (lambda a, b: tf.sqrt(tf.exp(a) + b * b) * tf.tanh(a) / (1 + tf.sigmoid(b)),
                    [rnd(2, 3), rnd(2, 3)]),
    "reductions": (lambda a: tf.reduce_mean(a, 0) * tf.reduce_max(a, 1)[:, None][0] + tf.reduce_sum(a ** 2, 1)[0],
                   [rnd(3, 4)]),
    "shapes": (lambda a, b: tf.reshape(tf.transpose(tf.concat([a, b], 0)), [-1])[1:7], [rnd(2, 3), rnd(1, 3)]),
    "gather_tile_pad": (lambda a: tf.pad(tf.tile(tf.gather(a, [2, 0, 2]), [1, 2]), [[1, 0], [0, 1]]),
                        [rnd(3, 2)]),
    "cumsum_prod_clip": (lambda a: tf.math.cumsum(a, 1) * tf.reduce_prod(tf.clip_by_value(a, -0.5, 0.5), 0),
                         [rnd(2, 3)]),
}


def losses(y):
    """Two losses whose incoming gradients differ in sign, scale and pattern."""
    w = tf.constant(np.linspace(-1.0, 2.0, int(np.prod(y.shape))).reshape(y.shape))
    return tf.reduce_sum(y * y), tf.reduce_sum(-3.0 * y * w)


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_losses_from_one_persistent_tape_match_finite_differences(name):
    f, arrays = CASES[name]
    xs = [tf.constant(a) for a in arrays]
    with tf.GradientTape(persistent=True) as tape:
        for x in xs:
            tape.watch(x)
        la, lb = losses(f(*xs))
    for which, loss in enumerate((la, lb)):
        grads = tape.gradient(loss, xs)
        for k, (g, a) in enumerate(zip(grads, arrays)):
            def scalar(xk, k=k, which=which):
                args = [tf.constant(v) for v in arrays]
                args[k] = xk
                return losses(f(*args))[which]
            assert g is not None, f"{name}: loss {which}, input {k}: no gradient"
            np.testing.assert_allclose(g.numpy(), numeric_grad(scalar, a), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name}: loss {which}, input {k}")


def test_batch_norm_layer_issue_repro():
    """The issue's repro: the second loss's gradient is not the first one's again."""
    bn = tf.keras.layers.BatchNormalization()
    x = tf.random.normal([4, 3, 3, 3], seed=1)
    with tf.GradientTape(persistent=True) as t:
        y = bn(x, training=True)
        a = tf.reduce_sum(y * y)
        b = tf.reduce_sum(3.0 * y)
    ga, gb = t.gradient(a, bn.gamma), t.gradient(b, bn.gamma)
    assert np.abs(ga.numpy()).max() > 1  # sum(y^2) grows with gamma
    np.testing.assert_allclose(gb.numpy(), 0, atol=1e-4)  # sum(y) of a normalised y is ~0
