"""keras.applications.EfficientNetV2B0-B3 against Keras 3's builds (tests/fixtures/layers19.npz):
the same weight paths and shapes in the same order, the same layer names (default names without
their per-session number), output_names, and B0's output with the same deterministic weights."""
import json
import os
import re

import numpy as np
import pytest

from tinytf import keras

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fixtures",
                       "layers19.npz")
with np.load(FIXTURE, allow_pickle=False) as _d:
    META = json.loads(str(_d["meta"]))
    X, Y = _d["effv2b0/x"], _d["effv2b0/y"]
SHAPES = {"EfficientNetV2B0": (32, 32, 3), "EfficientNetV2B1": (33, 35, 3), "EfficientNetV2B2": (32, 32, 3),
          "EfficientNetV2B3": (32, 32, 3)}


def unnumbered(name):
    return re.sub(r"_\d+$", "", name)


@pytest.mark.parametrize("fn", sorted(SHAPES))
def test_weights_and_layers_as_keras(fn):
    model = getattr(keras.applications, fn)(weights=None, input_shape=SHAPES[fn], classes=5)
    want = META[fn]
    assert [[v.path, list(v.shape)] for v in model.weights] == want["weights"]
    assert [unnumbered(l.name) for l in model.layers] == [unnumbered(n) for n in want["layers"][1:]]  # no InputLayer
    assert model.output_names == want["output_names"]


def test_b0_output_with_deterministic_weights():
    model = keras.applications.EfficientNetV2B0(weights=None, input_shape=SHAPES["EfficientNetV2B0"], classes=5)
    ws = [np.sin(np.arange(int(np.prod(v.shape))) * 0.37 + i).reshape(tuple(v.shape)).astype(np.float32) * 0.2
          for i, v in enumerate(model.weights)]
    model.set_weights([np.abs(w) + 0.5 if "variance" in v.path else w for w, v in zip(ws, model.weights)])
    y = model(X, training=False).numpy()
    # softmax over 5 classes after ~100 conv/BN/swish layers: within float32 rounding of Keras's
    np.testing.assert_allclose(y, Y, rtol=2e-4, atol=1e-6)


def test_keras_checks_and_variants():
    with pytest.raises(ValueError, match="classes"):
        keras.applications.EfficientNetV2B0(weights="imagenet", classes=10)
    model = keras.applications.efficientnet_v2.EfficientNetV2B0(weights=None, include_top=False, pooling="max",
                                                                 input_shape=(32, 32, 1), include_preprocessing=True)
    assert tuple(model.output.shape) == (None, 1280) and model.name == "efficientnetv2-b0"
    assert model.layers[0].name.startswith("rescaling") and model.layers[1].name.startswith("stem_conv")
