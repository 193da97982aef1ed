"""The legacy ImageDataGenerator against Keras 3 (tests/fixtures/record_tf_preprocessing.py): fixed
transforms, the random draws for a seed, standardize, fit, flow batches; flow_from_directory."""
import os

import numpy as np
import pytest

import tinytf as tf

pytest.importorskip("scipy")
FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras_preprocessing.npz"))
image = tf.keras.preprocessing.image
IDG = image.ImageDataGenerator


@pytest.mark.parametrize("i, params", enumerate([dict(theta=20), dict(tx=1.5, ty=-2), dict(shear=15, zx=0.8, zy=1.2),
                                                 dict(theta=-35, tx=1, zx=1.1, zy=0.9, flip_horizontal=True)]))
def test_fixed_transforms_match_keras(i, params):
    got = IDG(fill_mode="nearest").apply_transform(FIX["x"][1].copy(), params)
    np.testing.assert_allclose(got, FIX[f"transform_{i}"], rtol=1e-5, atol=1e-3)


def test_random_draws_and_augmented_batch_match_keras_for_a_seed():
    aug = IDG(rotation_range=30, width_shift_range=0.2, height_shift_range=2, shear_range=10, zoom_range=0.2,
              horizontal_flip=True, vertical_flip=True, fill_mode="reflect", channel_shift_range=5.0)
    params = list(aug.get_random_transform(FIX["x"][0].shape, seed=7).values())[:8]
    np.testing.assert_array_equal(np.array([params], dtype=np.float64), FIX["aug_params"])
    np.testing.assert_allclose(aug.flow(FIX["x"], batch_size=3, shuffle=False, seed=11)[0], FIX["aug_flow"],
                               rtol=1e-5, atol=1e-3)


def test_fit_standardize_and_shuffled_flow_match_keras():
    g = IDG(rescale=1 / 255.0, featurewise_center=True, featurewise_std_normalization=True)
    g.fit(FIX["x"])
    np.testing.assert_array_max_ulp(g.mean, FIX["fit_mean"], maxulp=4)
    np.testing.assert_array_max_ulp(g.std, FIX["fit_std"], maxulp=4)
    np.testing.assert_array_max_ulp(g.standardize(FIX["x"][0].copy()), FIX["standardize"], maxulp=4)
    it = IDG(rescale=1 / 255.0).flow(FIX["x"], FIX["y"], batch_size=4, shuffle=True, seed=3)
    assert len(it) == 2
    for k in (0, 1):
        bx, by = it[k]
        np.testing.assert_array_equal(by, FIX[f"flow_y{k}"])
        np.testing.assert_array_equal(bx, FIX[f"flow_x{k}"])


def test_flow_from_directory_classes_labels_and_subsets(tmp_path):
    from PIL import Image
    rng = np.random.default_rng(0)
    for c, n in (("cats", 3), ("dogs", 2)):
        (tmp_path / c).mkdir()
        for k in range(n):
            Image.fromarray(rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)).save(tmp_path / c / f"{k}.png")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    it = IDG(rescale=1 / 255.0).flow_from_directory(str(tmp_path), target_size=(8, 8), batch_size=2,
                                                    class_mode="binary", shuffle=False)
    assert it.class_indices == {"cats": 0, "dogs": 1} and it.samples == 5 and len(it) == 3
    assert it.filenames[0] == os.path.join("cats", "0.png") and list(it.classes) == [0, 0, 0, 1, 1]
    bx, by = it[2]
    assert bx.shape == (1, 8, 8, 3) and by.tolist() == [1.0] and bx.max() <= 1.0
    expected = image.img_to_array(image.load_img(str(tmp_path / "dogs" / "1.png"), target_size=(8, 8))) / 255.0
    np.testing.assert_allclose(bx[0], expected, rtol=1e-6)
    val = IDG(validation_split=0.5).flow_from_directory(str(tmp_path), target_size=(8, 8), subset="validation")
    train = IDG(validation_split=0.5).flow_from_directory(str(tmp_path), target_size=(8, 8), subset="training")
    assert val.filenames == [os.path.join("cats", "0.png"), os.path.join("dogs", "0.png")]
    assert train.samples == 3 and val[0][1].shape == (2, 2)
    x, y = next(iter(val))
    assert x.shape == (2, 8, 8, 3) and y.sum() == 2


def test_argument_errors_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="zoom_range"):
        IDG(zoom_range=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="validation_split"):
        IDG(validation_split=1.5)
    with pytest.raises(ValueError, match="fill_mode"):
        IDG(fill_mode="mirror")
    with pytest.raises(ValueError, match="class_mode"):
        IDG().flow_from_directory(str(tmp_path), class_mode="onehot")
    with pytest.raises(ValueError, match="rank 4"):
        IDG().flow(np.zeros((3, 4, 4)))


def test_fit_reads_an_iterator_as_a_py_dataset():
    py_dataset = getattr(tf.keras.utils, "PyDataset", None)
    if py_dataset is None:
        pytest.skip("this tinytf has no keras.utils.PyDataset (fit reads iterators through it)")
    it = IDG(rescale=1 / 255.0, horizontal_flip=True).flow(FIX["x"], FIX["y"] % 2, batch_size=4, seed=1)
    assert isinstance(it, py_dataset)
    model = tf.keras.Sequential([tf.keras.Input((7, 8, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(it, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2 and np.isfinite(hist.history["loss"]).all()
