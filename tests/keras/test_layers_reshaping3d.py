"""keras.layers.UpSampling3D, ZeroPadding3D, Cropping3D against Keras 3 (tests/fixtures/layers19.npz),
their output shapes, gradients (finite differences) and argument checks."""
import os

import numpy as np
import pytest

from tinytf.keras import layers
from gradcheck import assert_grad

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "layers19.npz")
with np.load(FIXTURE, allow_pickle=False) as _d:
    ARR = {k: _d[k] for k in _d.files if k != "meta"}

CASES = {"up3d": lambda: layers.UpSampling3D((2, 1, 3)),
         "up3d_cf": lambda: layers.UpSampling3D(2, data_format="channels_first"),
         "pad3d": lambda: layers.ZeroPadding3D(((1, 0), (0, 2), 1)),
         "crop3d": lambda: layers.Cropping3D(((1, 0), (1, 2), 0)),
         "crop3d_cf": lambda: layers.Cropping3D(((0, 1), 0, (1, 1)), data_format="channels_first")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    layer = CASES[name]()
    x = ARR[f"{name}/x"]
    y = layer(x)
    np.testing.assert_array_equal(y.numpy(), ARR[f"{name}/y"])
    assert tuple(layer.compute_output_shape(x.shape)) == ARR[f"{name}/y"].shape
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients(name):
    x = np.random.default_rng(1).standard_normal((1, 3, 4, 4, 3))
    layer = CASES[name]()
    layer.dtype = "float64"
    assert_grad(lambda t: layer(t) ** 2, x)


def test_argument_checks():
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="size"):
        layers.UpSampling3D((2, 2))
    with pytest.raises(ValueError, match="removes all"):
        layers.Cropping3D(2)(np.zeros((1, 4, 4, 3, 1), np.float32))
    with pytest.raises(ValueError, match="5-D input"):
        layers.UpSampling3D()(np.zeros((1, 4, 4, 1), np.float32))
