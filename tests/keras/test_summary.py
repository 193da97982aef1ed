"""keras/summary.py's layers -> receptive-field specs (duck typing), as ``model.summary`` and
``tinytf rf`` use them."""
from types import SimpleNamespace

import pytest

from tinytf.keras.summary import from_layers
from tinytf.kernels.receptive_field import receptive_fields


# duck-typed layers

def _conv(k, s=1, padding="valid", d=1):
    return SimpleNamespace(kernel_size=(k, k), strides=(s, s), padding=padding, dilation_rate=(d, d),
                           name="conv2d")


def _pool(k, s=None, padding="valid"):
    return SimpleNamespace(pool_size=(k, k), strides=s, padding=padding, name="max_pooling2d")


def test_from_layers_tutorial_lenet():
    bn, relu = SimpleNamespace(name="batch_normalization", momentum=0.99), SimpleNamespace(name="re_lu")
    layers = [_conv(3), bn, _pool(2, (2, 2)), relu, _conv(3), bn, _pool(2), relu,
              SimpleNamespace(name="flatten"), SimpleNamespace(units=120, activation="relu"),
              SimpleNamespace(units=84), SimpleNamespace(units=10)]
    specs = from_layers(layers)
    assert [s.kind for s in specs] == ["conv", "pass", "pool", "pass", "conv", "pass", "pool", "pass",
                                       "global", "global", "global", "global"]
    f = receptive_fields(specs, 28)
    assert [x.r[0] for x in f[:8]] == [3, 3, 4, 4, 8, 8, 10, 10]
    assert [x.j[0] for x in f[:8]] == [1, 1, 2, 2, 2, 2, 4, 4]
    assert [x.out[0] for x in f[:8]] == [26, 26, 13, 13, 11, 11, 5, 5]
    assert all(x.is_global and x.r is None and x.out is None for x in f[8:])
    # a model-like object with .layers works too
    assert from_layers(SimpleNamespace(layers=layers)) == specs


def test_from_layers_same_dilation_and_zero_padding():
    class ZeroPadding2D:
        padding = ((1, 1), (2, 2))
    specs = from_layers([ZeroPadding2D(), _conv(3, 1, "SAME", 2), _pool(3, (1, 1), "same")])
    assert [s.kind for s in specs] == ["pad", "conv", "pool"]
    f = receptive_fields(specs, 8)
    assert f[0].out == (10, 12) and f[0].start == (-1.0, -2.0) and f[0].r == (1, 1)
    assert f[1].r == (5, 5) and f[1].out == (10, 12) and f[2].r == (7, 7)


def test_from_layers_with_tinytf_keras_if_present():
    layers = pytest.importorskip("tinytf.keras.layers")
    seq = [layers.Conv2D(6, kernel_size=3, strides=1), layers.BatchNormalization(),
           layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
           layers.Conv2D(16, kernel_size=3, strides=1), layers.BatchNormalization(),
           layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
           layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(10)]
    f = receptive_fields(from_layers(seq), 28)
    assert [x.r[0] for x in f[:8:2]] == [3, 4, 8, 10]
    assert [x.out[0] for x in f[:8:2]] == [26, 13, 11, 5]
    assert all(x.is_global for x in f[8:])
    (g,) = receptive_fields(from_layers(
        [layers.Conv2D(4, kernel_size=(3, 4), strides=(2, 1), padding="SAME")]), 5)
    assert g.out == (3, 5) and g.r == (3, 4) and g.j == (2, 1)
