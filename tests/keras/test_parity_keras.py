"""Parity of tinytf.keras (BatchNormalization, the LeNet-5 tutorial network,
optimizers) with real TensorFlow 2.21 / Keras 3.15.

Reference numbers live in tests/fixtures/*.npz, recorded by
tests/fixtures/record_tf.py (run with the TensorFlow venv).  These tests never
need TensorFlow.

Every test body is plain TensorFlow code.  To check the tests themselves
against TensorFlow, run them with the TensorFlow venv:

    TINYTF_PARITY_BACKEND=tensorflow /opt/venvs/tf/bin/python -m pytest tests/keras/test_parity_keras.py
"""

import importlib
import json
import os

import numpy as np
import pytest

BACKEND = os.environ.get("TINYTF_PARITY_BACKEND", "tinytf")
tf = importlib.import_module(BACKEND)  # i.e. `import tinytf as tf`
_keras = importlib.import_module(BACKEND + ".keras")
layers, Sequential = _keras.layers, _keras.Sequential  # from tinytf.keras import layers, Sequential

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fixtures")


def load(filename):
    """Return [pytest.param(case dict, {field: array}, id=name)] for one fixture file."""
    with np.load(os.path.join(FIXTURES, filename), allow_pickle=False) as data:
        cases = json.loads(str(data["cases"]))
        arrays = {k: data[k] for k in data.files if k != "cases"}
    params = []
    for case in cases:
        prefix = case["name"] + "/"
        fields = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        params.append(pytest.param(case, fields, id=case["name"]))
    return params


def close(actual, expected, what, rtol=1e-5, atol=1e-5):
    actual = actual.numpy() if hasattr(actual, "numpy") else np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


# --------------------------------------------------------------------------
# e. keras BatchNormalization layer: 3 training steps with SGD on gamma/beta
# --------------------------------------------------------------------------
def test_batch_normalization_layer_training_steps():
    [param] = load("keras_bn_layer.npz")
    case, d = param.values
    bn = layers.BatchNormalization()
    bn.build((None, 5, 5, 3))
    optimizer = tf.keras.optimizers.SGD(learning_rate=case["learning_rate"])
    for step in range(case["steps"]):
        x = tf.constant(d[f"x{step}"])
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = bn(x, training=True)
            loss = tf.reduce_sum(out * d[f"g{step}"])
        dx, dgamma, dbeta = tape.gradient(loss, [x, bn.gamma, bn.beta])
        optimizer.apply_gradients(zip([dgamma, dbeta], [bn.gamma, bn.beta]))

        close(out, d[f"y{step}"], f"step {step}: output (training=True)")
        close(loss, d[f"loss{step}"], f"step {step}: loss", rtol=1e-5, atol=1e-4)
        close(dx, d[f"dx{step}"], f"step {step}: dL/dx")
        # TF's dgamma = (sum(g*x) - mean*sum(g)) * rsqrt(var+eps) cancels in
        # float32 (x has mean ~2.5 at step 2): TF itself is ~1e-5 off the exact value.
        close(dgamma, d[f"dgamma{step}"], f"step {step}: dL/dgamma", atol=5e-5)
        close(dbeta, d[f"dbeta{step}"], f"step {step}: dL/dbeta")
        close(bn.gamma, d[f"gamma{step}"], f"step {step}: gamma after SGD")
        close(bn.beta, d[f"beta{step}"], f"step {step}: beta after SGD")
        close(bn.moving_mean, d[f"moving_mean{step}"], f"step {step}: moving_mean")
        close(bn.moving_variance, d[f"moving_variance{step}"], f"step {step}: moving_variance")

    y_eval = bn(tf.constant(d["x_eval"]), training=False)
    close(y_eval, d["y_eval"], "output (training=False, moving statistics)")


# --------------------------------------------------------------------------
# f. the tutorial's LeNet-5 with BN: one Adam step
# --------------------------------------------------------------------------
LENET_RTOL = 1e-4
LENET_ATOL = 1e-5
[_LENET] = load("lenet.npz")
LENET_CASE, LENET = _LENET.values


def build_lenet():
    network = Sequential([
        layers.Conv2D(6, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Conv2D(16, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Flatten(),
        layers.Dense(120, activation='relu'), layers.Dense(84, activation='relu'), layers.Dense(10)])
    network.build(input_shape=(None, 28, 28, 1))
    return network


@pytest.fixture(scope="module")
def lenet_step():
    """Runs the tutorial's training step once; the tests below check pieces."""
    d = LENET
    network = build_lenet()
    network.set_weights([d[f"w{i}"] for i in range(LENET_CASE["num_weights"])])
    optimizer = tf.keras.optimizers.Adam(learning_rate=LENET_CASE["learning_rate"])

    x = tf.constant(d["x"])  # [16, 28, 28] in [0, 1]
    y = tf.constant(d["y"])  # int32 labels 0..9
    x = tf.expand_dims(x, axis=3)
    with tf.GradientTape() as tape:
        logits = network(x, training=True)
        loss = tf.reduce_mean(
            tf.keras.losses.categorical_crossentropy(tf.one_hot(y, 10), logits, from_logits=True))
    grads = tape.gradient(loss, network.trainable_variables)
    optimizer.apply_gradients(zip(grads, network.trainable_variables))
    logits_eval = network(x, training=False)
    return dict(
        network=network, logits=logits, loss=loss, grads=grads,
        after=network.get_weights(), logits_eval=logits_eval,
    )


def test_lenet_weight_layout(lenet_step):
    """get_weights() order/shapes and trainable_variables count match Keras."""
    network = lenet_step["network"]
    assert [list(w.shape) for w in network.get_weights()] == LENET_CASE["weight_shapes"]
    assert len(network.trainable_variables) == LENET_CASE["num_trainable"]


def test_lenet_logits_training(lenet_step):
    close(lenet_step["logits"], LENET["logits_train"], "logits (training=True)",
          rtol=LENET_RTOL, atol=LENET_ATOL)


def test_lenet_loss(lenet_step):
    close(lenet_step["loss"], LENET["loss"], "loss", rtol=LENET_RTOL, atol=LENET_ATOL)


@pytest.mark.parametrize(
    "i", range(LENET_CASE["num_trainable"]), ids=LENET_CASE["trainable_names"])
def test_lenet_gradient(lenet_step, i):
    close(lenet_step["grads"][i], LENET[f"grad{i}"], f"gradient of {LENET_CASE['trainable_names'][i]}",
          rtol=LENET_RTOL, atol=LENET_ATOL)


# After the Adam step.  Numerical conditioning (measured: TF float32 vs the same
# network in float64):
#  * Adam's first step is  w -= lr * g / (|g| + eps/sqrt(1 - beta_2)),  i.e.
#    nearly lr * sign(g): where |g| is tiny, float32 noise in g moves the
#    update by up to ~316 * |noise|.  End to end the updated weights therefore
#    get atol 1e-4 (a tenth of one Adam step).
#  * The biases of the two convolutions that feed a BatchNormalization have a
#    mathematically zero gradient (BN subtracts the batch mean); TF's float32
#    gradient is rounding noise (~1e-6), so their updated value is noise of
#    size up to lr and can only be bounded:  |after - before| <= lr.
#  * Inference logits after the step depend on those biases; end to end they
#    get atol 1e-2, and the well-conditioned checks below (Adam from the
#    recorded gradients, inference from the recorded weights) are tight.
AFTER_ATOL = 1e-4
BIAS_BEFORE_BN = LENET_CASE["bias_before_bn_weight_index"]


@pytest.mark.parametrize(
    "i", range(LENET_CASE["num_weights"]), ids=LENET_CASE["weight_names"])
def test_lenet_weights_after_adam_step(lenet_step, i):
    name = LENET_CASE["weight_names"][i]
    after = lenet_step["after"][i]
    if i in BIAS_BEFORE_BN:
        step = np.abs(np.asarray(after) - LENET[f"w{i}"])
        assert step.max() <= LENET_CASE["learning_rate"] * 1.001, f"{name}: Adam step larger than lr"
    elif i in LENET_CASE["trainable_weight_index"]:
        close(after, LENET[f"after{i}"], f"{name} after step", rtol=LENET_RTOL, atol=AFTER_ATOL)
    else:  # BN moving_mean / moving_variance, updated by the training forward
        close(after, LENET[f"after{i}"], f"{name} after step", rtol=LENET_RTOL, atol=LENET_ATOL)


def test_lenet_logits_inference_after_step(lenet_step):
    close(lenet_step["logits_eval"], LENET["logits_eval"], "logits (training=False) after step",
          rtol=LENET_RTOL, atol=1e-2)


def test_lenet_adam_step_from_recorded_gradients():
    """The optimizer alone: Adam applied to TF's own gradients."""
    d = LENET
    network = build_lenet()
    network.set_weights([d[f"w{i}"] for i in range(LENET_CASE["num_weights"])])
    optimizer = tf.keras.optimizers.Adam(learning_rate=LENET_CASE["learning_rate"])
    grads = [tf.constant(d[f"grad{k}"]) for k in range(LENET_CASE["num_trainable"])]
    optimizer.apply_gradients(zip(grads, network.trainable_variables))
    for var, i in zip(network.trainable_variables, LENET_CASE["trainable_weight_index"]):
        close(var, d[f"after{i}"], f"{LENET_CASE['weight_names'][i]} after Adam",
              rtol=1e-5, atol=1e-6)


def test_lenet_logits_inference_from_recorded_weights():
    """The inference path alone: training=False with TF's updated weights
    (BN uses the moving statistics)."""
    d = LENET
    network = build_lenet()
    network.set_weights([d[f"after{i}"] for i in range(LENET_CASE["num_weights"])])
    x = tf.expand_dims(tf.constant(d["x"]), axis=3)
    logits = network(x, training=False)
    close(logits, d["logits_eval"], "logits (training=False)", rtol=LENET_RTOL, atol=LENET_ATOL)


# --------------------------------------------------------------------------
# g. optimizers
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case,d", load("optimizers.npz"))
def test_optimizer_steps(case, d):
    """Coordinate 3 never gets a gradient; coordinate 4 gets tiny ones (1e-6),
    which pins where Adam's epsilon goes (Keras adds it to sqrt(v), not to
    sqrt(v_hat)).  AdamW decays the variable *before* the Adam update."""
    var = tf.Variable(d["init"])
    optimizer = getattr(tf.keras.optimizers, case["optimizer"])(**case["kwargs"])
    for step, grad in enumerate(d["grads"]):
        optimizer.apply_gradients([(tf.constant(grad), var)])
        close(var, d["after"][step], f"{case['optimizer']}{case['kwargs']} after step {step + 1}")
