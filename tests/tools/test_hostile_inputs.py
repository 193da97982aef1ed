"""``tinytf predict / evaluate / export / train`` on files from strangers: one ``tinytf: error:``
line and exit status 2 (no traceback), nothing read from outside, nothing replaced without
``--overwrite``; 16-bit pictures scaled by their bit depth."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

from tinytf.cli import main
from tinytf.keras.datasets import _files

FAST = ("--epochs", 1, "--batch-size", 32)


def cli(capsys, *args):
    capsys.readouterr()
    try:
        rc = main([str(a) for a in args])
    except SystemExit as e:
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err


def refused(capsys, *args, phrases=()):
    rc, out, err = cli(capsys, *args)
    assert rc == 2, (rc, out, err)
    assert err.startswith("tinytf: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for p in phrases:
        assert p in err, err
    return err


def _idx_folder(folder, labels=None):
    rng = np.random.default_rng(0)
    os.makedirs(folder, exist_ok=True)
    for split, n in (("train", 64), ("t10k", 32)):
        y = (np.arange(n) % 3).astype(np.uint8)
        x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(y):
            x[i, 4 + 7 * c: 10 + 7 * c, 6:22] = 220
        _files.write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte"), x)
        _files.write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), y)
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile-cli")
    out = work / "run"
    data = _idx_folder(str(work / "idx"))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setenv("TINYTF_KERNELS", "numpy")
        assert main(["train", "--dataset", data, *map(str, FAST), "--out", str(out)]) == 0
    return out


def test_best_weights_that_are_really_hdf5_are_refused(run, tmp_path, capsys):
    h5py = pytest.importorskip("h5py")
    fake = tmp_path / "run"
    fake.mkdir()
    for name in os.listdir(run):
        if os.path.isfile(run / name) and not name.startswith("."):
            (fake / name).write_bytes((run / name).read_bytes())
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as f:
        f.create_dataset("k", data=np.full(3, 1234.5, np.float32))
    with h5py.File(fake / "best.weights.npz", "w") as f:
        f["layers"] = h5py.ExternalLink(str(outside), "/")
    np.save(tmp_path / "x.npy", np.zeros((28, 28), np.uint8))
    refused(capsys, "predict", fake, tmp_path / "x.npy", "--best",
            phrases=("best.weights.npz", "HDF5"))


def test_a_16_bit_png_is_scaled_by_its_bit_depth(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    from tinytf.tools import images
    a16 = np.zeros((28, 28), np.uint16)
    a16[8:20, 8:20] = 32768  # half of full scale
    Image.fromarray(a16).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as im:
        assert im.mode.startswith("I")  # Pillow's 16-bit grey: its own convert("L") clips to 255
    x = images.load(tmp_path / "deep.png")
    assert x.shape == (1, 28, 28, 1)
    assert x[0, 0, 0, 0] == 0 and abs(float(x[0, 14, 14, 0]) - 128 / 255) < 1e-6


def test_npy_declaring_1e8_images_is_refused_from_its_header(run, tmp_path, capsys):
    path = tmp_path / "many.npy"
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 28, 28), np.uint8))
    header["shape"] = (10 ** 8, 28, 28)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    path.write_bytes(buf.getvalue() + bytes(28 * 28))
    refused(capsys, "predict", run, path, phrases=("many.npy", "(100000000, 28, 28)"))


def test_export_does_not_replace_a_user_file(run, tmp_path, capsys):
    pytest.importorskip("onnx")
    notes = tmp_path / "notes.onnx"
    notes.write_text("my notes")
    refused(capsys, "export", run, notes, phrases=("notes.onnx", "--overwrite"))
    assert notes.read_text() == "my notes"
    rc, _, err = cli(capsys, "export", run, notes, "--overwrite")
    assert rc == 0, err
    assert notes.read_bytes() != b"my notes"


def test_export_onto_a_folder_or_under_a_file(run, tmp_path, capsys):
    (tmp_path / "dir.onnx").mkdir()
    refused(capsys, "export", run, tmp_path / "dir.onnx", phrases=("is a folder",))
    (tmp_path / "plain").write_text("x")
    refused(capsys, "export", run, tmp_path / "plain" / "m.onnx", phrases=("is a file, not a folder",))
    refused(capsys, "export", run, tmp_path / "plain" / "sub" / "m.keras", phrases=("is a file, not a folder",))
    assert (tmp_path / "plain").read_text() == "x"


def _keras_from_run(run, tmp_path, capsys):
    path = tmp_path / "m.keras"
    rc, _, err = cli(capsys, "export", run, path)
    assert rc == 0, err
    return path


def test_keras_file_damage_on_the_command_line(run, tmp_path, capsys):
    path = _keras_from_run(run, tmp_path, capsys)
    original = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("config.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data = bytearray(original)
    i = data.index(b"Dense", start)
    data[i] = ord("d")
    path.write_bytes(bytes(data))
    np.save(tmp_path / "x.npy", np.zeros((28, 28), np.uint8))
    refused(capsys, "predict", path, tmp_path / "x.npy", phrases=("m.keras", "config.json", "CRC"))
    data = bytearray(original)
    data[info.header_offset + 6] |= 1  # the encryption flag, in the local header ...
    cd = data.index(b"PK\x01\x02")
    while data[cd + 46:cd + 46 + len("config.json")] != b"config.json":
        cd = data.index(b"PK\x01\x02", cd + 4)
    data[cd + 8] |= 1  # ... and in the central directory
    path.write_bytes(bytes(data))
    refused(capsys, "evaluate", path, phrases=("m.keras", "config.json", "encrypted"))
    data = bytearray(original)
    data[info.header_offset + 8] = 98
    data[cd + 10] = 98
    path.write_bytes(bytes(data))
    refused(capsys, "predict", path, tmp_path / "x.npy", phrases=("config.json", "compression method 98"))


def test_class_initializer_on_the_command_line(run, tmp_path, capsys):
    path = _keras_from_run(run, tmp_path, capsys)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    config = json.loads(members["config.json"])
    dense = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")
    dense["config"]["kernel_initializer"] = {"module": "keras.initializers", "class_name": "__class__",
                                             "config": {}}
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, d in members.items():
            z.writestr(n, d)
    np.save(tmp_path / "x.npy", np.zeros((28, 28), np.uint8))
    refused(capsys, "predict", path, tmp_path / "x.npy", phrases=("m.keras", "'__class__'"))


def test_dataset_label_2_to_the_40_is_refused(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    x = np.zeros((4, 28, 28), np.uint8)
    np.savez(folder / "d.npz", x_train=x, y_train=np.array([0, 1, 2, 2 ** 40]), x_test=x,
             y_test=np.array([0, 1, 2, 1]))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        refused(capsys, "train", "--dataset", folder, *FAST, "--out", tmp_path / "out",
                phrases=("y_train", str(2 ** 40), "below 100000"))
    assert not (tmp_path / "out").exists()


def _png_header_only(path, width, height):
    """A PNG whose header declares ``width`` x ``height`` grey pixels and holds almost no data."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))


def test_a_picture_declaring_too_many_pixels_is_refused_before_decoding(run, tmp_path, capsys):
    pytest.importorskip("PIL.Image")
    _png_header_only(tmp_path / "bomb.png", 12_000, 12_000)  # past MAX_PIXELS, below Pillow's own error
    refused(capsys, "predict", run, tmp_path / "bomb.png", phrases=("bomb.png", "12000x12000"))


@pytest.mark.parametrize("name", ["best.weights.npz", "checkpoint.npz"])
def test_run_files_that_are_symlinks_out_of_the_folder_are_refused(run, tmp_path, capsys, name):
    """A run's files are plain files tinytf wrote (renamed into place): a link to a file elsewhere,
    even a valid one, is not read."""
    fake = tmp_path / "run"
    fake.mkdir()
    for n in os.listdir(run):
        if os.path.isfile(run / n) and not n.startswith("."):
            (fake / n).write_bytes((run / n).read_bytes())
    (tmp_path / "elsewhere.npz").write_bytes((fake / name).read_bytes())
    os.remove(fake / name)
    os.symlink(tmp_path / "elsewhere.npz", fake / name)
    np.save(tmp_path / "x.npy", np.zeros((28, 28), np.uint8))
    refused(capsys, "predict", fake, tmp_path / "x.npy", "--best", phrases=(name, "symbolic link"))


@pytest.mark.parametrize("kind", ["two_channels", "image_output", "1000_classes", "huge_input"])
def test_keras_files_tinytf_cannot_feed_pictures_to(tmp_path, capsys, kind):
    import tinytf as tf
    L = tf.keras.layers
    shape = {"two_channels": (28, 28, 2), "huge_input": (20000, 20000, 1)}.get(kind, (28, 28, 1))
    head = {"image_output": [L.Conv2D(2, 3)], "1000_classes": [L.Flatten(), L.Dense(1000)]}.get(
        kind, [L.GlobalAveragePooling2D(), L.Dense(10)])
    model = tf.keras.Sequential([tf.keras.Input(shape), *head])
    path = tmp_path / "m.keras"
    model.save(str(path))
    np.save(tmp_path / "x.npy", np.zeros((28, 28), np.uint8))
    phrase = {"two_channels": "28x28x2", "image_output": "output_shape", "1000_classes": "1000 classes",
              "huge_input": "20000x20000x1"}[kind]
    refused(capsys, "predict", path, tmp_path / "x.npy", phrases=("m.keras", phrase))
