"""Where mnist / fashion_mnist / cifar10 look for their files, and how they read them."""

import io
import os
import socket
import tarfile

import numpy as np
import pytest

from tinytf.keras.datasets import _files, cifar10, fashion_mnist, mnist
from tinytf.keras.datasets._files import DatasetNotFoundError, write_idx

REAL_FASHION = "/usr/share/datasets/fashion-mnist"
IDX = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def closed_port_url():
    """A base URL nobody listens on, so a download fails at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A fake HOME, no $TINYTF_DATA, a fake system folder, no network."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("TINYTF_DATA", raising=False)
    monkeypatch.setenv("TINYTF_DATASETS_URL", closed_port_url())
    monkeypatch.setattr(_files, "SYSTEM_DATA_DIR", str(tmp_path / "system"))
    return tmp_path


def make_idx(folder, marker, gz=True, n=(6, 3)):
    """Write a tiny MNIST-like IDX set whose labels are all ``marker``."""
    os.makedirs(folder, exist_ok=True)
    suffix = ".gz" if gz else ""
    rng = np.random.default_rng(marker)
    arrays = (rng.integers(0, 256, (n[0], 28, 28), dtype=np.uint8), np.full(n[0], marker, np.uint8),
              rng.integers(0, 256, (n[1], 28, 28), dtype=np.uint8), np.full(n[1], marker, np.uint8))
    for name, a in zip(IDX, arrays):
        write_idx(os.path.join(folder, name + suffix), a)
    return arrays


def make_npz(path, marker):
    """Write a tiny Keras-style mnist.npz whose labels are all ``marker``."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    x = np.full((4, 28, 28), marker, np.uint8)
    np.savez(path, x_train=x, y_train=np.full(4, marker, np.uint8), x_test=x[:2], y_test=np.full(2, marker, np.uint8))


def marker_of(result):
    (x, y), (xt, yt) = result
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert len(x) == len(y) and len(xt) == len(yt)
    return int(y[0])


# ----------------------------------------------------------------- search


def test_fashion_search_order(env, monkeypatch):
    home_dir = env / "home" / ".keras" / "datasets" / "fashion-mnist"
    make_idx(env / "system" / "fashion-mnist", 1)
    make_idx(home_dir, 2, gz=False)
    make_idx(env / "data", 3)
    make_idx(env / "arg", 4)
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    assert marker_of(fashion_mnist.load_data(env / "arg")) == 4
    assert marker_of(fashion_mnist.load_data(str(env / "arg" / (IDX[0] + ".gz")))) == 4  # a file: its folder
    assert marker_of(fashion_mnist.load_data()) == 3
    monkeypatch.delenv("TINYTF_DATA")
    assert marker_of(fashion_mnist.load_data()) == 2
    for name in IDX:
        os.remove(home_dir / name)
    assert marker_of(fashion_mnist.load_data()) == 1


def test_fashion_subfolder_of_data_dir_wins_over_its_root(env, monkeypatch):
    make_idx(env / "data", 5)
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    assert marker_of(fashion_mnist.load_data()) == 5
    make_idx(env / "data" / "fashion-mnist", 6)
    assert marker_of(fashion_mnist.load_data()) == 6


def test_fashion_mixed_gz_and_raw(env):
    arrays = make_idx(env / "arg", 7)
    os.remove(env / "arg" / (IDX[1] + ".gz"))
    write_idx(env / "arg" / IDX[1], arrays[1])
    (x, y), (xt, yt) = fashion_mnist.load_data(env / "arg")
    np.testing.assert_array_equal(x, arrays[0])
    np.testing.assert_array_equal(yt, arrays[3])


def test_missing_path_argument_falls_through_and_is_reported(env, monkeypatch):
    make_idx(env / "data", 8)
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    assert marker_of(fashion_mnist.load_data(env / "nowhere")) == 8
    monkeypatch.delenv("TINYTF_DATA")
    with pytest.raises(DatasetNotFoundError) as e:
        fashion_mnist.load_data(env / "nowhere")
    assert str(env / "nowhere") in str(e.value)


def test_corrupt_local_file_is_an_error_not_skipped(env, monkeypatch):
    make_idx(env / "data", 1)
    make_idx(env / "home" / ".keras" / "datasets" / "fashion-mnist", 2)
    bad = env / "data" / (IDX[2] + ".gz")
    bad.write_bytes(bad.read_bytes()[:-20])
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    with pytest.raises(ValueError) as e:
        fashion_mnist.load_data()
    assert str(bad) in str(e.value)


def test_not_found_lists_every_place(env, monkeypatch):
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    with pytest.raises(DatasetNotFoundError) as e:
        fashion_mnist.load_data(env / "arg")
    msg = str(e.value)
    assert isinstance(e.value, FileNotFoundError)
    for place in (env / "arg", env / "data", env / "data" / "fashion-mnist",
                  env / "home" / ".keras" / "datasets", env / "system" / "fashion-mnist"):
        assert str(place) in msg
    assert "apt-get install dataset-fashion-mnist" in msg
    assert "TINYTF_DATA" in msg and "127.0.0.1" in msg  # the failed download is reported
    assert not (env / "data").exists()  # the failed download left no folder behind


# ------------------------------------------------------------------ mnist


def test_mnist_npz_search_order(env, monkeypatch):
    make_npz(env / "home" / ".keras" / "datasets" / "mnist.npz", 1)
    make_npz(env / "data" / "mnist.npz", 2)
    make_npz(env / "arg" / "mine.npz", 3)
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    assert marker_of(mnist.load_data(str(env / "arg" / "mine.npz"))) == 3
    assert marker_of(mnist.load_data()) == 2
    monkeypatch.delenv("TINYTF_DATA")
    assert marker_of(mnist.load_data()) == 1
    (x, y), (xt, yt) = mnist.load_data()
    assert x.shape == (4, 28, 28) and y.shape == (4,) and xt.shape == (2, 28, 28) and yt.shape == (2,)


def test_mnist_prefers_npz_then_idx_in_mnist_subfolder(env, monkeypatch):
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    make_idx(env / "data", 9)  # root-level IDX files could be Fashion-MNIST: ignored
    with pytest.raises(DatasetNotFoundError):
        mnist.load_data()
    make_idx(env / "data" / "mnist", 4, gz=False)
    assert marker_of(mnist.load_data()) == 4
    make_npz(env / "data" / "mnist" / "mnist.npz", 5)
    assert marker_of(mnist.load_data()) == 5
    assert marker_of(mnist.load_data(env / "data")) == 5  # an explicit folder: mnist/ subfolder first


def test_mnist_idx_in_explicit_folder(env):
    make_idx(env / "arg", 6)
    assert marker_of(mnist.load_data(env / "arg")) == 6


def test_mnist_npz_rejects_pickles_and_garbage(env):
    path = env / "obj.npz"
    np.savez(path, x_train=np.array([{"a": 1}], dtype=object), y_train=np.zeros(1, np.uint8),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    with pytest.raises(ValueError) as e:
        mnist.load_data(path)
    assert str(path) in str(e.value)
    junk = env / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError) as e:
        mnist.load_data(junk)
    assert str(junk) in str(e.value)


def test_mnist_npz_missing_key(env):
    path = env / "m.npz"
    np.savez(path, x_train=np.zeros((1, 28, 28), np.uint8), y_train=np.zeros(1, np.uint8))
    with pytest.raises(ValueError, match="x_test") as e:
        mnist.load_data(path)
    assert str(path) in str(e.value)


# ---------------------------------------------------------------- cifar10


def cifar_batches(counts=(3, 2, 2, 2, 1, 4)):
    """Six fake binary batches: (name, x in HWC, y, record bytes)."""
    rng = np.random.default_rng(10)
    out = []
    for i, n in enumerate(counts):
        name = f"data_batch_{i + 1}.bin" if i < 5 else "test_batch.bin"
        x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        y = rng.integers(0, 10, (n, 1), dtype=np.uint8)
        records = np.concatenate([y, x.transpose(0, 3, 1, 2).reshape(n, -1)], axis=1)
        out.append((name, x, y, records.tobytes()))
    return out


def make_cifar_tar(path, batches, extra=()):
    """Write a cifar-10-binary.tar.gz holding ``batches`` (and ``extra`` (name, bytes))."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in [(f"cifar-10-batches-bin/{b[0]}", b[3]) for b in batches] + list(extra):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def check_cifar(result, batches):
    (x, y), (xt, yt) = result
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1)
    assert xt.shape == (4, 32, 32, 3) and yt.shape == (4, 1)
    np.testing.assert_array_equal(x, np.concatenate([b[1] for b in batches[:5]]))
    np.testing.assert_array_equal(y, np.concatenate([b[2] for b in batches[:5]]))
    np.testing.assert_array_equal(xt, batches[5][1])
    np.testing.assert_array_equal(yt, batches[5][2])


def test_cifar_channel_order():
    record = bytes([7]) + bytes([10]) * 1024 + bytes([20]) * 1024 + bytes([30]) * 1024
    x, y = cifar10.parse_batch(record, "one")
    assert y.tolist() == [[7]]
    assert x.shape == (1, 32, 32, 3) and x[0, 5, 6].tolist() == [10, 20, 30]


def test_cifar_from_archive_path_and_home(env):
    batches = cifar_batches()
    make_cifar_tar(env / "arg" / "c.tar.gz", batches)
    check_cifar(cifar10.load_data(str(env / "arg" / "c.tar.gz")), batches)
    make_cifar_tar(env / "home" / ".keras" / "datasets" / "cifar-10-binary.tar.gz", batches)
    check_cifar(cifar10.load_data(), batches)


def test_cifar_from_extracted_folder(env, monkeypatch):
    batches = cifar_batches()
    folder = env / "data" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    for name, _, _, data in batches:
        (folder / name).write_bytes(data)
    monkeypatch.setenv("TINYTF_DATA", str(env / "data"))
    check_cifar(cifar10.load_data(), batches)
    check_cifar(cifar10.load_data(folder), batches)


def test_cifar_archive_never_extracts_other_members(env, monkeypatch):
    batches = cifar_batches()
    archive = env / "arg" / "cifar-10-binary.tar.gz"
    make_cifar_tar(archive, batches, extra=[("../../evil.txt", b"x"), ("/tmp/abs-evil.txt", b"x")])
    monkeypatch.chdir(env / "arg")
    check_cifar(cifar10.load_data(archive), batches)
    assert sorted(os.listdir(env / "arg")) == ["cifar-10-binary.tar.gz"]
    assert not (env / "evil.txt").exists()


def test_cifar_archive_errors_name_the_file(env):
    batches = cifar_batches()
    archive = env / "a.tar.gz"
    make_cifar_tar(archive, batches[:5])
    with pytest.raises(ValueError, match="test_batch.bin") as e:
        cifar10.load_data(archive)
    assert str(archive) in str(e.value)
    bad = list(batches)
    bad[2] = bad[2][:3] + (bad[2][3][:-1],)
    make_cifar_tar(archive, bad)
    with pytest.raises(ValueError, match="data_batch_3.bin") as e:
        cifar10.load_data(archive)
    assert str(archive) in str(e.value)
    archive.write_bytes(b"garbage")
    with pytest.raises(ValueError) as e:
        cifar10.load_data(archive)
    assert str(archive) in str(e.value)


def test_cifar_label_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        cifar10.parse_batch(bytes([10]) + bytes(3072), "b.bin")


# ------------------------------------------------------------- real data


@pytest.mark.skipif(not os.path.isdir(REAL_FASHION), reason="dataset-fashion-mnist is not installed")
def test_real_fashion_mnist_from_system_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TINYTF_DATA", raising=False)
    monkeypatch.setenv("TINYTF_DATASETS_URL", closed_port_url())
    (x, y), (xt, yt) = fashion_mnist.load_data()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert y.shape == (60000,) and yt.shape == (10000,)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert y.min() == 0 and y.max() == 9 and yt.min() == 0 and yt.max() == 9
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10
    assert not os.path.exists(tmp_path / ".keras")  # nothing downloaded
