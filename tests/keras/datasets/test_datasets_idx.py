"""IDX reading and writing (tinytf.keras.datasets._files)."""

import gzip

import numpy as np
import pytest

from tinytf.keras.datasets._files import load_idx_splits, read_idx, write_idx


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_roundtrip_uint8_images(tmp_path, name):
    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    path = tmp_path / name
    write_idx(path, x)
    raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    assert raw[:4] == b"\x00\x00\x08\x03"
    assert len(raw) == 4 + 3 * 4 + x.size
    y = read_idx(path, ndim=3)
    assert y.dtype == np.uint8 and y.shape == (5, 28, 28) and y.flags.writeable
    np.testing.assert_array_equal(x, y)


def test_roundtrip_labels_magic_0801(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "l", labels)
    assert (tmp_path / "l").read_bytes()[:8] == b"\x00\x00\x08\x01\x00\x00\x00\x0a"
    np.testing.assert_array_equal(read_idx(tmp_path / "l", ndim=1), labels)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "float32", "float64"])
def test_roundtrip_other_dtypes_native_order(tmp_path, dtype):
    x = (np.arange(24) - 7).reshape(2, 3, 4).astype(dtype)
    write_idx(tmp_path / "a.gz", x)
    y = read_idx(tmp_path / "a.gz")
    assert y.dtype == np.dtype(dtype) and y.dtype.isnative
    np.testing.assert_array_equal(x, y)


def test_gzip_detected_by_content_not_name(tmp_path):
    write_idx(tmp_path / "a.gz", np.ones((2, 2), np.uint8))
    (tmp_path / "plain").write_bytes((tmp_path / "a.gz").read_bytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "plain"), np.ones((2, 2), np.uint8))


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(ValueError, match="int64"):
        write_idx(tmp_path / "x", np.zeros(3, np.int64))


def _good(tmp_path, name="f-idx3-ubyte"):
    path = tmp_path / name
    write_idx(path, np.zeros((3, 4, 4), np.uint8))
    return path, path.read_bytes()


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_data(tmp_path, gz):
    path, data = _good(tmp_path)
    data = data[:-5]
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(ValueError, match="truncated") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_truncated_header(tmp_path):
    path, data = _good(tmp_path)
    path.write_bytes(data[:9])
    with pytest.raises(ValueError, match="header") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_shorter_than_magic(tmp_path):
    path = tmp_path / "tiny"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="magic") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_trailing_bytes(tmp_path):
    path, data = _good(tmp_path)
    path.write_bytes(data + b"\x00")
    with pytest.raises(ValueError, match="past") as e:
        read_idx(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x03", b"\x00\x00\x07\x03", b"PK\x03\x04"])
def test_wrong_magic(tmp_path, magic):
    path, data = _good(tmp_path)
    path.write_bytes(magic + data[4:])
    with pytest.raises(ValueError, match="magic") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_wrong_number_of_dims(tmp_path):
    path, _ = _good(tmp_path)
    with pytest.raises(ValueError, match="1-D") as e:
        read_idx(path, ndim=1)
    assert str(path) in str(e.value)


def test_corrupt_gzip(tmp_path):
    path, data = _good(tmp_path, "f.gz")
    packed = gzip.compress(data + bytes(1000))
    path.write_bytes(packed[: len(packed) // 2])  # gzip stream cut short
    with pytest.raises(ValueError) as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        read_idx(tmp_path / "nope-idx1-ubyte.gz")
    assert "nope-idx1-ubyte.gz" in str(e.value)


def _splits(tmp_path, n_train=4, n_labels=4, image_dims=(2, 2)):
    paths = [tmp_path / n for n in ("xa.gz", "ya.gz", "xb", "yb")]
    write_idx(paths[0], np.zeros((n_train,) + image_dims, np.uint8))
    write_idx(paths[1], np.zeros(n_labels, np.uint8))
    write_idx(paths[2], np.zeros((2,) + image_dims, np.uint8))
    write_idx(paths[3], np.zeros(2, np.uint8))
    return paths


def test_load_idx_splits(tmp_path):
    (x, y), (xt, yt) = load_idx_splits(*_splits(tmp_path))
    assert x.shape == (4, 2, 2) and y.shape == (4,) and xt.shape == (2, 2, 2) and yt.shape == (2,)


def test_load_idx_splits_count_mismatch_names_both_files(tmp_path):
    paths = _splits(tmp_path, n_labels=3)
    with pytest.raises(ValueError) as e:
        load_idx_splits(*paths)
    assert str(paths[0]) in str(e.value) and str(paths[1]) in str(e.value)


def test_load_idx_splits_images_must_be_3d(tmp_path):
    paths = _splits(tmp_path, image_dims=(4,))
    with pytest.raises(ValueError, match="3-D") as e:
        load_idx_splits(*paths)
    assert str(paths[0]) in str(e.value)


def test_load_idx_splits_requires_uint8(tmp_path):
    paths = _splits(tmp_path)
    write_idx(paths[1], np.zeros(4, np.int16))
    with pytest.raises(ValueError, match="uint8") as e:
        load_idx_splits(*paths)
    assert str(paths[1]) in str(e.value)


@pytest.mark.parametrize("gz", [False, True])
def test_absurd_header_dims(tmp_path, gz):
    path = tmp_path / "huge"
    data = b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 3 + bytes(10)
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(ValueError) as e:
        read_idx(path)
    assert str(path) in str(e.value)
