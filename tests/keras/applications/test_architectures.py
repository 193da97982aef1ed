"""keras.applications architectures against Keras 3 (tests/fixtures/record_tf_applications.py): with the
same deterministic weights, the same weight shapes in the same order, the same layer names, and the
same outputs; plus Keras's argument checks."""
import json
import os
import re
import sys

import numpy as np
import pytest

import tinytf as tf

HERE = os.path.dirname(__file__)
FIX = np.load(os.path.join(HERE, "..", "..", "fixtures", "keras_applications.npz"))
META = json.loads(str(FIX["meta"]))
sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures"))
from record_tf_applications import formula  # noqa: E402

apps = tf.keras.applications


@pytest.mark.parametrize("key", sorted(META))
def test_architecture_and_outputs_match_keras(key):
    m = META[key]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in m["kwargs"].items()}
    model = getattr(apps, m["fn"])(weights=None, **kwargs)
    assert model.name == m["name"]
    assert [list(w.shape) for w in model.weights] == m["shapes"]
    # default names (conv2d_3, activation_12) count per session: compare them without the number
    auto = re.compile(r"^(global_\w+_pooling2d|conv2d|batch_normalization|activation|add|concatenate|"
                      r"average_pooling2d|max_pooling2d|zero_padding2d|rescaling|normalization)(_\d+)?$")
    assert [auto.sub(r"\1", l.name) for l in model.layers] == [auto.sub(r"\1", n) for n in m["layers"]]
    assert model.count_params() == m["params"]
    model.set_weights([formula(i, tuple(s), r) for i, (s, r) in enumerate(zip(m["shapes"], m["roles"]))])
    y = model(FIX[f"{key}_x"], training=False).numpy()
    want = FIX[f"{key}_y"]
    # float32 sums in another order through 16-50 layers: compare on the output's scale
    np.testing.assert_allclose(y, want, rtol=2e-4, atol=2e-4 * float(np.abs(want).max()))


def test_argument_checks_are_keras():
    with pytest.raises(ValueError, match="`weights` argument should be either"):
        apps.VGG16(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        apps.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="at least 32x32"):
        apps.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="static `input_shape`"):
        apps.MobileNetV2(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="alpha must be one of"):
        apps.MobileNetV2(alpha=0.6, include_top=False, input_shape=(96, 96, 3))
    with pytest.raises(ValueError, match="Only `None` and `softmax`"):
        apps.VGG16(weights="imagenet", classifier_activation="relu")


def test_feature_extractor_over_an_input_tensor_trains():
    inputs = tf.keras.Input((32, 32, 3))
    base = apps.MobileNetV2(weights=None, include_top=False, input_tensor=inputs, alpha=0.35)
    base.trainable = False
    x = tf.keras.layers.GlobalAveragePooling2D()(base.output)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(x))
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = [w.numpy() for w in base.weights]
    hist = model.fit(np.zeros((4, 32, 32, 3), np.float32), np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0]) and len(model.trainable_weights) == 2
    for a, w in zip(before, base.weights):
        np.testing.assert_array_equal(a, w.numpy())
