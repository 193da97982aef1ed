"""tinytf.zoo: the named models are what their names promise; datasets load from names and folders;
summary FLOPs are hand-checkable."""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf import zoo
from tinytf.keras import layers as L
from tinytf.keras.datasets import _files
from tinytf.keras.summary import layer_flops, summary_text


def kinds(model):
    return [type(l).__name__ for l in model.layers]


def test_lenet5_is_the_tutorials():
    m = zoo.build("lenet5")
    assert kinds(m) == ["Conv2D", "BatchNormalization", "MaxPooling2D", "ReLU", "Conv2D", "BatchNormalization",
                        "MaxPooling2D", "ReLU", "Flatten", "Dense", "Dense", "Dense"]
    c1, c2 = m.layers[0], m.layers[4]
    assert (c1.filters, c1.kernel_size, c1.strides, c1.padding) == (6, (3, 3), (1, 1), "valid")
    assert (c2.filters, c2.kernel_size) == (16, (3, 3))
    assert [l.units for l in m.layers[-3:]] == [120, 84, 10]
    assert m.layers[-1].activation.__name__ == "linear" and m.layers[-2].activation.__name__ == "relu"
    assert tuple(m.output_shape) == (None, 10) and m.count_params() == 60162


def test_lenet5_wide_is_lenet5_with_more_filters():
    w, m = zoo.build("lenet5-wide"), zoo.build("lenet5")
    assert kinds(w) == kinds(m) and (w.layers[0].filters, w.layers[4].filters) == (16, 32)
    assert [l.units for l in w.layers[-3:]] == [120, 84, 10] and w.count_params() == 112126


def test_lenet5_classic_and_vgg_small():
    m = zoo.build("lenet5-classic")
    assert "BatchNormalization" not in kinds(m) and kinds(m).count("AveragePooling2D") == 2
    assert [tuple(l.output_shape_built) for l in m.layers[:4]] == [(None, 28, 28, 6), (None, 14, 14, 6),
                                                                   (None, 10, 10, 16), (None, 5, 5, 16)]
    assert all(l.activation.__name__ == "tanh" for l in m.layers if isinstance(l, (L.Conv2D, L.Dense))
               and l is not m.layers[-1])
    v = zoo.build("vgg-small", (32, 32, 3), num_classes=5)
    assert kinds(v).count("Conv2D") == 4 and tuple(v.output_shape) == (None, 5)
    x = np.zeros((2, 32, 32, 3), np.float32)
    assert v(x, training=False).shape == (2, 5)
    with pytest.raises(ValueError, match="lenet5"):
        zoo.build("resnet")


def test_same_seed_same_weights():
    tf.random.set_seed(1)
    a = zoo.build("lenet5").get_weights()
    tf.random.set_seed(1)
    b = zoo.build("lenet5").get_weights()
    assert all(np.array_equal(p, q) for p, q in zip(a, b))


def test_flops_by_hand():
    m = zoo.build("lenet5")
    assert layer_flops(m.layers[0]) == 2 * 26 * 26 * 6 * (3 * 3 * 1)  # 2 FLOPs per multiply-add
    assert layer_flops(m.layers[4]) == 2 * 11 * 11 * 16 * (3 * 3 * 6)
    assert layer_flops(m.layers[9]) == 2 * 400 * 120
    assert layer_flops(m.layers[1]) is None and layer_flops(m.layers[2]) is None
    text = summary_text(m, receptive_field=True, flops=True)
    assert "73,008" in text and "Total FLOPs: 399,936 (199,968 multiply-adds" in text
    assert "FLOPs" not in summary_text(m, receptive_field=True)  # the old signature still works alone


def test_datasets_from_folders(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 20), ("t10k", 10)):
        _files.write_idx(tmp_path / f"{split}-images-idx3-ubyte", rng.integers(0, 255, (n, 28, 28), dtype=np.uint8))
        _files.write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", (np.arange(n) % 2).astype(np.uint8))
    (x, y), (xt, yt), names = zoo.load_dataset(str(tmp_path))
    assert x.shape == (20, 28, 28) and yt.shape == (10,) and names == ("0", "1")
    (tmp_path / "classes.txt").write_text("even\nodd\n")
    assert zoo.load_dataset(str(tmp_path))[2] == ("even", "odd")
    npz = tmp_path / "n"
    npz.mkdir()
    np.savez(npz / "d.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    assert zoo.load_dataset(str(npz))[0][0].shape == (20, 28, 28)
    (tmp_path / "empty").mkdir()
    with pytest.raises(zoo.DataError, match="IDX files"):
        zoo.load_dataset(str(tmp_path / "empty"))
    with pytest.raises(zoo.DataError, match="neither"):
        zoo.load_dataset(str(tmp_path / "nope"))
    assert zoo.dataset_label(str(npz)) == "n" and zoo.dataset_label("mnist") == "mnist"


def test_prepare():
    x = zoo.prepare(np.array([[[0, 255]]], np.uint8))
    assert x.dtype == np.float32 and x.shape == (1, 1, 2, 1) and x.max() == 1.0
    assert zoo.prepare(np.zeros((2, 4, 4, 3), np.float64)).dtype == np.float32


@pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"), reason="needs dataset-fashion-mnist")
def test_fashion_mnist_class_names():
    (x, y), _, names = zoo.load_dataset("fashion_mnist")
    assert x.shape == (60000, 28, 28) and names[9] == "Ankle boot" and len(names) == 10


def test_too_small_inputs_are_refused():
    with pytest.raises(ValueError, match="cannot take 8x8x1 inputs: MaxPooling2D"):
        zoo.build("lenet5", (8, 8, 1))
    assert tuple(zoo.build("lenet5", (10, 10, 1)).output_shape) == (None, 10)
