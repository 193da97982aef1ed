"""Downloads from a local HTTP server: checksums, atomic writes, clean failures."""

import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading

import numpy as np
import pytest

from tinytf.keras.datasets import _files, cifar10, fashion_mnist, mnist
from tinytf.keras.datasets._files import DatasetNotFoundError, write_idx


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Serve ``tmp_path/served`` on 127.0.0.1; point the loaders at it.

    Also gives a fake HOME, no $TINYTF_DATA and an empty system folder.
    Yields ``(served_folder, requests)``, requests being the paths asked for.
    """
    served = tmp_path / "served"
    served.mkdir()
    requests = []

    class Handler(_Handler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("TINYTF_DATA", raising=False)
    monkeypatch.setenv("TINYTF_DATASETS_URL", f"http://127.0.0.1:{httpd.server_address[1]}/data")
    monkeypatch.setattr(_files, "SYSTEM_DATA_DIR", str(tmp_path / "system"))
    (served / "data").mkdir()
    try:
        yield served / "data", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def fake_npz(path):
    x = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    np.savez(path, x_train=x, y_train=np.array([1, 2, 3], np.uint8), x_test=x[:1], y_test=np.array([9], np.uint8))


def test_mnist_download_success(server, tmp_path, monkeypatch):
    served, requests = server
    fake_npz(served / "mnist.npz")
    monkeypatch.setitem(mnist.FILE_HASHES, "mnist.npz", sha256(served / "mnist.npz"))
    (x, y), (xt, yt) = mnist.load_data()
    assert x.shape == (3, 28, 28) and x.dtype == np.uint8 and y.tolist() == [1, 2, 3] and yt.tolist() == [9]
    cache = tmp_path / "home" / ".keras" / "datasets"
    assert os.listdir(cache) == ["mnist.npz"]  # no temporary file left
    assert requests == ["/data/mnist.npz"]
    mnist.load_data()  # now found on disk
    assert len(requests) == 1


def test_bad_checksum_leaves_nothing_behind(server, tmp_path, monkeypatch):
    served, _ = server
    fake_npz(served / "mnist.npz")
    monkeypatch.setitem(mnist.FILE_HASHES, "mnist.npz", "0" * 64)
    with pytest.raises(DatasetNotFoundError, match="SHA-256 mismatch") as e:
        mnist.load_data()
    assert isinstance(e.value.__cause__, _files.DownloadError)
    assert not (tmp_path / "home" / ".keras" / "datasets").exists()
    # With an existing target folder, it stays as it was (empty).
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("TINYTF_DATA", str(data))
    with pytest.raises(DatasetNotFoundError):
        mnist.load_data()
    assert os.listdir(data) == []


def test_missing_file_on_server(server, tmp_path):
    with pytest.raises(DatasetNotFoundError) as e:
        mnist.load_data()
    msg = str(e.value)
    assert "404" in msg and "/data/mnist.npz" in msg
    assert str(tmp_path / "home" / ".keras" / "datasets") in msg
    assert not (tmp_path / "home" / ".keras").exists()  # folders it made are removed again


def test_fashion_download_into_tinytf_data(server, tmp_path, monkeypatch):
    served, requests = server
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte.gz": np.array([0, 1, 2, 9], np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte.gz": np.array([5, 6], np.uint8)}
    for name, a in arrays.items():
        write_idx(served / name, a)
        monkeypatch.setitem(fashion_mnist.FILE_HASHES, name, sha256(served / name))
    monkeypatch.setenv("TINYTF_DATA", str(tmp_path / "data"))
    (x, y), (xt, yt) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte.gz"])
    assert sorted(os.listdir(tmp_path / "data" / "fashion-mnist")) == sorted(arrays)
    assert len(requests) == 4


def test_fashion_partial_failure_keeps_only_verified_files(server, tmp_path, monkeypatch):
    served, _ = server
    names = list(fashion_mnist.FILE_HASHES)
    write_idx(served / names[0], np.zeros((1, 28, 28), np.uint8))
    monkeypatch.setitem(fashion_mnist.FILE_HASHES, names[0], sha256(served / names[0]))
    with pytest.raises(DatasetNotFoundError):  # the second file is not served
        fashion_mnist.load_data()
    folder = tmp_path / "home" / ".keras" / "datasets" / "fashion-mnist"
    assert os.listdir(folder) == [names[0]]


def test_cifar_download(server, tmp_path, monkeypatch):
    served, _ = server
    rng = np.random.default_rng(1)
    with tarfile.open(served / "cifar-10-binary.tar.gz", "w:gz") as tar:
        for name in cifar10.TRAIN_BATCHES + (cifar10.TEST_BATCH,):
            data = rng.integers(0, 10, (2, 3073), dtype=np.uint8).tobytes()
            info = tarfile.TarInfo("cifar-10-batches-bin/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    monkeypatch.setitem(cifar10.FILE_HASHES, "cifar-10-binary.tar.gz", sha256(served / "cifar-10-binary.tar.gz"))
    (x, y), (xt, yt) = cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1) and xt.shape == (2, 32, 32, 3) and yt.shape == (2, 1)
    assert os.listdir(tmp_path / "home" / ".keras" / "datasets") == ["cifar-10-binary.tar.gz"]


def test_official_urls_and_hashes(monkeypatch):
    monkeypatch.delenv("TINYTF_DATASETS_URL", raising=False)
    base = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    assert _files.base_url(mnist.DATASET) == base == _files.base_url(fashion_mnist.DATASET)
    assert _files.base_url(cifar10.DATASET) + cifar10.ARCHIVE == "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    monkeypatch.setenv("TINYTF_DATASETS_URL", "http://127.0.0.1:1/mirror")
    assert _files.base_url(cifar10.DATASET) == "http://127.0.0.1:1/mirror/"
    assert all(len(h) == 64 for d in (mnist, fashion_mnist, cifar10) for h in d.FILE_HASHES.values())
