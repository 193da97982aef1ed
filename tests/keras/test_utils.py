"""tf.keras.utils and tf.keras.backend."""
import hashlib
import os
import random
import zipfile

import numpy as np
import pytest

import tinytf as tf

PIL = pytest.importorskip("PIL.Image")
utils = tf.keras.utils


def test_reachable():
    import tinytf.keras.utils as u
    assert tf.keras.utils is u
    assert tf.keras.backend.floatx() == "float32"
    assert tf.keras.backend.epsilon() == 1e-7
    assert tf.keras.backend.image_data_format() == "channels_last"


def test_to_categorical():
    out = utils.to_categorical([0, 2, 1])
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert out.dtype == np.float32
    assert utils.to_categorical(np.array([[1], [3]]), num_classes=5).shape == (2, 5)
    assert utils.to_categorical(np.zeros((2, 3), int), 4).shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="num_classes=0"):
        utils.to_categorical([0], num_classes=0)


def test_set_random_seed_seeds_everything():
    def draw():
        return random.random(), np.random.rand(), float(tf.random.uniform(()))
    utils.set_random_seed(7)
    a = draw()
    utils.set_random_seed(7)
    assert draw() == a
    utils.set_random_seed(8)
    assert draw() != a
    with pytest.raises(ValueError, match="seed='1'"):
        utils.set_random_seed("1")


def test_clear_session_resets_names():
    tf.keras.backend.clear_session()
    assert tf.keras.layers.Dense(2).name == "dense"
    assert tf.keras.layers.Dense(2).name == "dense_1"
    tf.keras.backend.clear_session()
    assert tf.keras.layers.Dense(2).name == "dense"


# ---- get_file (file:// URLs: no network) ---------------------------------------------------------

def _source(tmp_path, data=b"hello tinytf\n", name="src.txt"):
    p = tmp_path / name
    p.write_bytes(data)
    return p.as_uri(), hashlib.sha256(data).hexdigest()


def test_get_file_downloads_checks_and_caches(tmp_path):
    url, sha = _source(tmp_path)
    cache = tmp_path / "cache"
    path = utils.get_file("a.txt", url, file_hash=sha, cache_dir=str(cache))
    assert path == str(cache / "datasets" / "a.txt")
    assert utils.get_file(origin=url, cache_dir=str(cache), cache_subdir="x") == str(cache / "x" / "src.txt")
    assert open(path, "rb").read() == b"hello tinytf\n"
    os.remove(tmp_path / "src.txt")  # cached: no second download
    assert utils.get_file("a.txt", url, file_hash=sha, cache_dir=str(cache)) == path


def test_get_file_bad_hash_leaves_nothing(tmp_path):
    url, _ = _source(tmp_path)
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        utils.get_file("a.txt", url, file_hash="0" * 64, cache_dir=str(cache))
    assert not (cache / "datasets" / "a.txt").exists()
    assert not (cache / "datasets").exists()  # no temp file, not even the folders it made
    with pytest.raises(ValueError, match="MD5"):
        utils.get_file("a.txt", url, file_hash="0" * 32, cache_dir=str(cache))


def test_get_file_offline_is_clear(tmp_path):
    with pytest.raises(OSError, match="could not download"):
        utils.get_file("b.txt", (tmp_path / "nope.txt").as_uri(), cache_dir=str(tmp_path / "c"))
    with pytest.raises(ValueError, match="cache_dir"):
        utils.get_file("d/b.txt", "http://example.invalid/b.txt", cache_dir=str(tmp_path))


def test_get_file_extract_zip(tmp_path):
    z = tmp_path / "arch.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("inner/x.txt", "x")
    out = utils.get_file("arch.zip", z.as_uri(), extract=True, cache_dir=str(tmp_path / "c"))
    assert out == str(tmp_path / "c" / "datasets" / "arch_extracted")
    assert open(os.path.join(out, "inner", "x.txt")).read() == "x"


# ---- images ------------------------------------------------------------------------------------

def _write_images(root, counts, size=(6, 4)):
    rng = np.random.default_rng(0)
    for cls, n in counts.items():
        os.makedirs(root / cls, exist_ok=True)
        for i in range(n):
            arr = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
            PIL.fromarray(arr).save(root / cls / f"img{i}.png")
    (root / next(iter(counts)) / "notes.txt").write_text("not an image")


def test_load_img_and_arrays(tmp_path):
    _write_images(tmp_path, {"cats": 1})
    p = tmp_path / "cats" / "img0.png"
    img = utils.load_img(p)
    x = utils.img_to_array(img)
    assert x.shape == (4, 6, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x, np.asarray(PIL.open(p), np.float32))
    assert utils.img_to_array(utils.load_img(p, color_mode="grayscale", target_size=(2, 3))).shape == (2, 3, 1)
    back = utils.img_to_array(utils.array_to_img(x, scale=False))
    np.testing.assert_array_equal(back, x)
    assert utils.img_to_array(x[..., :1].astype(np.uint8), data_format="channels_first").shape == (1, 4, 6)
    with pytest.raises(ValueError, match="color_mode='cmyk'"):
        utils.load_img(p, color_mode="cmyk")


def test_image_dataset_from_directory(tmp_path):
    _write_images(tmp_path, {"cats": 3, "dogs": 2})
    ds = utils.image_dataset_from_directory(tmp_path, image_size=(4, 6), batch_size=2, shuffle=False)
    assert ds.class_names == ["cats", "dogs"]
    batches = list(ds)
    assert [tuple(b[0].shape) for b in batches] == [(2, 4, 6, 3), (2, 4, 6, 3), (1, 4, 6, 3)]
    labels = np.concatenate([b[1].numpy() for b in batches])
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1])
    assert batches[0][1].dtype == tf.int32 and batches[0][0].dtype == tf.float32
    first = np.asarray(PIL.open(tmp_path / "cats" / "img0.png"), np.float32)
    np.testing.assert_array_equal(batches[0][0].numpy()[0], first)  # same size: pixels unchanged
    small = utils.image_dataset_from_directory(tmp_path, image_size=(2, 3), label_mode="categorical",
                                               color_mode="grayscale", batch_size=None, shuffle=False)
    x, y = next(iter(small))
    assert tuple(x.shape) == (2, 3, 1) and y.numpy().tolist() == [1.0, 0.0]


def test_image_dataset_split_and_shuffle(tmp_path):
    _write_images(tmp_path, {"cats": 5, "dogs": 5})
    kw = dict(image_size=(4, 6), batch_size=3, validation_split=0.3, seed=1, label_mode="binary")
    train, val = utils.image_dataset_from_directory(tmp_path, subset="both", **kw)
    assert len(train.file_paths) == 7 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    again = utils.image_dataset_from_directory(tmp_path, subset="validation", **kw)
    assert again.file_paths == val.file_paths
    y = np.concatenate([b[1].numpy() for b in train])
    assert y.shape == (7, 1) and y.dtype == np.float32
    with pytest.raises(ValueError, match="seed"):
        utils.image_dataset_from_directory(tmp_path, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="label_mode='ints'"):
        utils.image_dataset_from_directory(tmp_path, label_mode="ints")
    with pytest.raises(ValueError, match="No images found"):
        utils.image_dataset_from_directory(_empty(tmp_path))


def _empty(tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    return d


def test_fit_on_image_dataset(tmp_path):
    _write_images(tmp_path, {"a": 3, "b": 3})
    ds = utils.image_dataset_from_directory(tmp_path, image_size=(4, 4), batch_size=4, seed=3)
    model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
    model.compile(optimizer="adagrad", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(ds, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2


def test_plot_model_needs_pydot():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pydot.*Graphviz"):
            utils.plot_model(model)


def test_save_img_round_trip(tmp_path):
    pytest.importorskip("PIL")
    x = np.random.default_rng(0).integers(0, 256, (5, 7, 3)).astype("float32")
    tf.keras.utils.save_img(str(tmp_path / "a.png"), x, scale=False)
    back = tf.keras.utils.img_to_array(tf.keras.utils.load_img(str(tmp_path / "a.png")))
    np.testing.assert_array_equal(back, x)
    rgba = np.concatenate([x, np.full((5, 7, 1), 255, "float32")], -1)
    with pytest.warns(UserWarning, match="JPG format does not support RGBA"):
        tf.keras.utils.save_img(str(tmp_path / "b.jpg"), rgba, scale=False)
    with pytest.raises(ValueError, match="file_format"):
        tf.keras.utils.save_img(str(tmp_path / "c.unknown"), x)

