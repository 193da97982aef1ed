"""tf.keras.layers.BatchNormalization as in Keras 3 (checked against Keras 3.15):

* defaults axis=-1, momentum=0.99, epsilon=1e-3, center, scale; gamma ones, beta zeros,
  moving_mean zeros, moving_variance ones;
* training=True: the batch's mean and BIASED variance, and
  moving = moving * momentum + batch * (1 - momentum) (Keras 3 also uses the biased variance here);
* training=False / None, or a layer with trainable=False: the moving statistics, no update;
* weights [gamma, beta, moving_mean, moving_variance]; the moving statistics are non-trainable.
"""
import re

import numpy as np
import pytest

import tinytf as tf

layers = tf.keras.layers
RNG = np.random.default_rng(7)
EPS = 1e-3


def rand(*shape, loc=0.0, scale=1.0):
    return RNG.normal(loc, scale, size=shape).astype(np.float32)


def npy(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


def wname(w):
    return w.name.split("/")[-1].split(":")[0]


def normalize(x, mean, var, gamma=1.0, beta=0.0, eps=EPS):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def built_bn(shape, **kw):
    bn = layers.BatchNormalization(**kw)
    bn(np.zeros(shape, np.float32))  # build by calling: inference mode, no update
    return bn


def test_defaults():
    bn = layers.BatchNormalization()
    assert re.match(r"^batch_normalization(_\d+)?$", bn.name)
    assert bn.axis == -1 and bn.momentum == 0.99 and bn.epsilon == 1e-3
    assert bn.center is True and bn.scale is True
    cfg = bn.get_config()
    assert cfg["axis"] == -1 and cfg["momentum"] == 0.99 and cfg["epsilon"] == 1e-3
    assert cfg["center"] is True and cfg["scale"] is True


def test_weights_order_initial_values_and_trainability():
    bn = built_bn((2, 4, 4, 3))
    assert [wname(w) for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [wname(w) for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [wname(w) for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert bn.gamma is bn.weights[0] and bn.beta is bn.weights[1]
    assert bn.moving_mean is bn.weights[2] and bn.moving_variance is bn.weights[3]
    assert not bn.moving_mean.trainable and not bn.moving_variance.trainable
    g, b, m, v = bn.get_weights()
    np.testing.assert_array_equal(g, np.ones(3, np.float32))
    np.testing.assert_array_equal(b, np.zeros(3, np.float32))
    np.testing.assert_array_equal(m, np.zeros(3, np.float32))
    np.testing.assert_array_equal(v, np.ones(3, np.float32))
    assert bn.count_params() == 12


def test_training_uses_batch_statistics_with_biased_variance():
    x = rand(6, 5, 5, 3, loc=2.0, scale=3.0)
    bn = built_bn((1, 5, 5, 3))
    gamma, beta = rand(3), rand(3)
    bn.set_weights([gamma, beta, np.zeros(3, np.float32), np.ones(3, np.float32)])
    y = npy(bn(x, training=True))
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))  # biased (ddof=0)
    np.testing.assert_allclose(y, normalize(x, mean, var, gamma, beta), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("momentum", [0.99, 0.9])
def test_moving_statistics_update_rule(momentum):
    bn = built_bn((1, 4, 4, 2), momentum=momentum)
    m, v = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rand(8, 4, 4, 2, loc=1.5, scale=2.0)
        bn(x, training=True)
        m = m * momentum + x.mean((0, 1, 2)) * (1 - momentum)
        v = v * momentum + x.var((0, 1, 2)) * (1 - momentum)  # BIASED batch variance
    np.testing.assert_allclose(npy(bn.moving_mean), m, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(npy(bn.moving_variance), v, rtol=1e-5, atol=1e-6)


def test_moving_variance_uses_biased_not_unbiased_variance():
    bn = built_bn((1, 1), momentum=0.0)
    x = np.array([[0.0], [2.0]], np.float32)  # biased var 1, unbiased var 2
    bn(x, training=True)
    np.testing.assert_allclose(npy(bn.moving_variance), [1.0], rtol=1e-6)
    np.testing.assert_allclose(npy(bn.moving_mean), [1.0], rtol=1e-6)


@pytest.mark.parametrize("training", [False, None])
def test_inference_uses_moving_statistics_and_does_not_update(training):
    bn = built_bn((1, 3))
    gamma, beta = np.array([1.0, 2.0, 0.5], np.float32), np.array([0.1, 0.0, -1.0], np.float32)
    mm, mv = np.array([1.0, -2.0, 0.5], np.float32), np.array([4.0, 0.25, 1.0], np.float32)
    bn.set_weights([gamma, beta, mm, mv])
    x = rand(5, 3, scale=3.0)
    y = npy(bn(x) if training is None else bn(x, training=training))
    np.testing.assert_allclose(y, normalize(x, mm, mv, gamma, beta), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(npy(bn.moving_mean), mm)
    np.testing.assert_array_equal(npy(bn.moving_variance), mv)


def test_epsilon_is_added_to_the_variance():
    bn = built_bn((1, 2), epsilon=0.01)
    bn.set_weights([np.ones(2, np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32),
                    np.zeros(2, np.float32)])
    x = np.array([[1.0, -2.0]], np.float32)
    np.testing.assert_allclose(npy(bn(x)), x / np.sqrt(0.01), rtol=1e-5)


@pytest.mark.parametrize("how", ["constructor", "attribute"])
def test_trainable_false_runs_in_inference_mode(how):
    if how == "constructor":
        bn = built_bn((1, 4, 4, 3), trainable=False)
    else:
        bn = built_bn((1, 4, 4, 3))
        bn.trainable = False
    x = rand(6, 4, 4, 3, loc=3.0, scale=2.0)
    y = npy(bn(x, training=True))
    np.testing.assert_allclose(y, normalize(x, 0.0, 1.0), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(npy(bn.moving_mean), np.zeros(3, np.float32))
    np.testing.assert_array_equal(npy(bn.moving_variance), np.ones(3, np.float32))
    assert bn.trainable_weights == []
    assert sorted(wname(w) for w in bn.non_trainable_weights) == ["beta", "gamma", "moving_mean",
                                                                   "moving_variance"]
    assert [wname(w) for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]


def test_trainable_false_non_trainable_weights_keep_keras_order():
    bn = built_bn((1, 3), trainable=False)
    assert [wname(w) for w in bn.non_trainable_weights] == ["gamma", "beta", "moving_mean", "moving_variance"]


def test_axis_1_channels_first():
    x = rand(4, 3, 5, 5, loc=2.0, scale=3.0)
    bn = built_bn((1, 3, 5, 5), axis=1, momentum=0.9)
    assert tuple(bn.gamma.shape) == (3,)
    y = npy(bn(x, training=True))
    mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
    np.testing.assert_allclose(y, normalize(x, mean[:, None, None], var[:, None, None]), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(npy(bn.moving_mean), 0.1 * mean, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(npy(bn.moving_variance), 0.9 + 0.1 * var, rtol=1e-4)
    assert tuple(bn.compute_output_shape(x.shape)) == x.shape


def test_dense_input_2d():
    x = rand(16, 4, loc=-1.0, scale=0.5)
    bn = built_bn((1, 4))
    y = npy(bn(x, training=True))
    np.testing.assert_allclose(y, normalize(x, x.mean(0), x.var(0)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("center, scale, names", [
    (False, True, ["gamma", "moving_mean", "moving_variance"]),
    (True, False, ["beta", "moving_mean", "moving_variance"]),
    (False, False, ["moving_mean", "moving_variance"]),
])
def test_center_and_scale(center, scale, names):
    bn = built_bn((1, 2, 2, 3), center=center, scale=scale)
    assert [wname(w) for w in bn.weights] == names
    assert (bn.beta is None) == (not center) and (bn.gamma is None) == (not scale)
    x = rand(4, 2, 2, 3, loc=1.0)
    y = npy(bn(x, training=True))
    np.testing.assert_allclose(y, normalize(x, x.mean((0, 1, 2)), x.var((0, 1, 2))), rtol=1e-4, atol=1e-4)


def test_initializers():
    bn = built_bn((1, 2), gamma_initializer=tf.keras.initializers.Constant(2.0), beta_initializer="ones",
                  moving_mean_initializer=tf.keras.initializers.Constant(0.5),
                  moving_variance_initializer=tf.keras.initializers.Constant(4.0))
    g, b, m, v = bn.get_weights()
    np.testing.assert_array_equal(g, [2.0, 2.0])
    np.testing.assert_array_equal(b, [1.0, 1.0])
    np.testing.assert_array_equal(m, [0.5, 0.5])
    np.testing.assert_array_equal(v, [4.0, 4.0])
    x = rand(3, 2)
    np.testing.assert_allclose(npy(bn(x)), normalize(x, 0.5, 4.0, 2.0, 1.0), rtol=1e-5, atol=1e-5)


def test_config_round_trip_gives_the_same_outputs():
    bn = built_bn((1, 4, 4, 3), momentum=0.8, epsilon=1e-2, gamma_initializer="random_normal")
    bn(rand(4, 4, 4, 3), training=True)  # non-trivial moving statistics
    config = bn.get_config()
    assert config["momentum"] == 0.8 and config["epsilon"] == 1e-2
    clone = layers.BatchNormalization.from_config(config)
    clone(np.zeros((1, 4, 4, 3), np.float32))
    clone.set_weights(bn.get_weights())
    x = rand(4, 4, 4, 3)
    np.testing.assert_allclose(npy(clone(x)), npy(bn(x)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(npy(clone(x, training=True)), npy(bn(x, training=True)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(clone.get_weights()[2], bn.get_weights()[2], rtol=1e-6)
    assert clone.get_config() == config


def test_gradients_flow_to_gamma_and_beta_only():
    bn = built_bn((1, 3))
    x = tf.constant(rand(6, 3))
    w = rand(6, 3)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(bn(x, training=True) * w)
    grads = tape.gradient(loss, bn.trainable_variables)
    assert len(grads) == 2 and all(g is not None for g in grads)
    xn = normalize(npy(x), npy(x).mean(0), npy(x).var(0))
    np.testing.assert_allclose(npy(grads[0]), (w * xn).sum(0), rtol=1e-3, atol=1e-4)  # d/dgamma
    np.testing.assert_allclose(npy(grads[1]), w.sum(0), rtol=1e-5, atol=1e-5)  # d/dbeta


def test_bad_arguments():
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match="epsilon"):
        layers.BatchNormalization(epsilon=0.0)
    with pytest.raises(ValueError, match="axis"):
        layers.BatchNormalization(axis=3)(np.zeros((2, 3), np.float32))


def test_explicit_build_then_call_keeps_the_weights():
    bn = layers.BatchNormalization()
    bn.build((None, 2))
    assert bn.built
    bn.set_weights([np.full(2, 2.0, np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32),
                    np.ones(2, np.float32)])
    x = rand(3, 2)
    np.testing.assert_allclose(npy(bn(x)), normalize(x, 0.0, 1.0, 2.0), rtol=1e-5)
    assert len(bn.weights) == 4


def test_frozen_batch_norm_inside_fit_stays_in_inference_mode():
    bn = layers.BatchNormalization(trainable=False)
    model = tf.keras.Sequential([layers.Dense(3), bn, layers.Dense(2)])
    model.build([None, 4])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(model.trainable_variables) == 4  # the two Dense layers only
    before = bn.get_weights()
    x = rand(16, 4, loc=5.0, scale=3.0)
    y = (x[:, 0] > 5).astype(np.int32)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_trainable_batch_norm_inside_fit_updates_moving_statistics():
    bn = layers.BatchNormalization()
    model = tf.keras.Sequential([bn, layers.Dense(2)])
    model.build([None, 3])
    model.compile(optimizer="sgd", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert [wname(w) for w in model.non_trainable_variables] == ["moving_mean", "moving_variance"]
    x = rand(8, 3, loc=4.0)
    model.fit(x, np.zeros(8, np.int32), batch_size=8, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(npy(bn.moving_mean), 0.01 * x.mean(0), rtol=1e-4)
    np.testing.assert_allclose(npy(bn.moving_variance), 0.99 + 0.01 * x.var(0), rtol=1e-5)
