"""``.keras`` zips and ``.npz`` files from strangers: bombs refused from the zip directory before
anything is inflated (in bounded memory and time), unused members never inflated, and a clear
error naming the file and member for a bad CRC, an encrypted member or an unknown compression."""
import io
import os
import struct
import time
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py")

import tinytf as tf  # noqa: E402
from hostile_files import bits, run_limited, small_model  # noqa: E402

TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOMB = 512 << 20  # inflated size of the bomb members (about 2.3 MB stored)


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(path, members, bomb=None):
    """A zip of ``members``, plus ``bomb`` (a member name) holding BOMB zero bytes, deflated."""
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            if n != bomb:
                z.writestr(n, data)
        if bomb:
            info = zipfile.ZipInfo(bomb)
            info.compress_type = zipfile.ZIP_DEFLATED
            zero = bytes(1 << 20)
            with z.open(info, "w", force_zip64=True) as w:
                for _ in range(BOMB >> 20):
                    w.write(zero)


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("keras") / "m.keras")
    small_model().save(path)
    return path


def _limited_load(path, how="load_model"):
    code = f"""
        import tinytf as tf
        from hostile_files import small_model, bits
        try:
            if {how!r} == "load_model":
                tf.keras.models.load_model({path!r})
            else:
                m = small_model(); before = bits(m)
                m.load_weights({path!r})
                assert bits(m) == before
            print("LOADED")
        except ValueError as e:
            print("REFUSED", e)
        """
    start = time.perf_counter()
    r = run_limited(code, address_space=1536 << 20, timeout=60, cwd=TESTS)
    return r, time.perf_counter() - start


@pytest.mark.parametrize("how", ["load_model", "load_weights"])
def test_a_bomb_in_model_weights_h5_is_refused_at_once(tmp_path, keras_file, how):
    path = str(tmp_path / "bomb.keras")
    _write(path, _members(keras_file), bomb="model.weights.h5")
    assert os.path.getsize(path) < 4 << 20
    r, seconds = _limited_load(path, how)
    assert "REFUSED" in r.stdout, r.stdout + r.stderr[-2000:]
    assert "model.weights.h5" in r.stdout and "bomb.keras" in r.stdout
    assert seconds < 30  # inflating it would take far longer (and fail under the memory limit)


def test_an_unused_bomb_member_is_never_inflated(tmp_path, keras_file):
    path = str(tmp_path / "extra.keras")
    _write(path, {**_members(keras_file), "junk.bin": b""}, bomb="junk.bin")
    r, seconds = _limited_load(path)
    assert "LOADED" in r.stdout, r.stdout + r.stderr[-2000:]
    assert seconds < 30


def test_a_bomb_in_an_npz_is_refused(tmp_path):
    path = str(tmp_path / "w.npz")
    small_model().save_weights(path)
    members = _members(path)
    name = sorted(n for n in members if n != "__meta__.npy")[0]
    _write(path, {**members, name: b""}, bomb=name)
    r, seconds = _limited_load(path, "load_weights")
    assert "REFUSED" in r.stdout, r.stdout + r.stderr[-2000:]
    assert seconds < 30


def _patch(path, member, central_at, local_at, value, fmt="<H", mask=False):
    """Set a field of ``member``'s central directory entry and local header (at those offsets)."""
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    cd = data.index(b"PK\x01\x02")
    while data[cd + 46:cd + 46 + len(member)] != member.encode():
        cd = data.index(b"PK\x01\x02", cd + 4)
    for at in (cd + central_at, local + local_at):
        old = struct.unpack_from(fmt, data, at)[0]
        struct.pack_into(fmt, data, at, (old | value) if mask else value)
    open(path, "wb").write(data)


def _copy(keras_file, tmp_path):
    path = str(tmp_path / "m.keras")
    open(path, "wb").write(open(keras_file, "rb").read())
    return path


def test_bad_crc(tmp_path, keras_file):
    path = _copy(keras_file, tmp_path)
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("config.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    i = data.index(b"Dense", start)
    data[i] = ord("d")
    open(path, "wb").write(data)
    with pytest.raises(ValueError, match=r"m\.keras: config\.json: .*CRC"):
        tf.keras.models.load_model(path)


def test_encrypted_member(tmp_path, keras_file):
    path = _copy(keras_file, tmp_path)
    _patch(path, "model.weights.h5", 8, 6, 0x1, mask=True)
    with pytest.raises(ValueError, match=r"m\.keras: model\.weights\.h5: is encrypted"):
        tf.keras.models.load_model(path)


def test_unsupported_compression(tmp_path, keras_file):
    path = _copy(keras_file, tmp_path)
    _patch(path, "config.json", 10, 8, 98)
    with pytest.raises(ValueError, match=r"m\.keras: config\.json: uses compression method 98"):
        tf.keras.models.load_model(path)


@pytest.mark.parametrize("config", [b"{not json", b"\xff\xfe", b"[1, 2]"])
def test_config_not_json(tmp_path, keras_file, config):
    path = str(tmp_path / "m.keras")
    _write(path, {**_members(keras_file), "config.json": config})
    with pytest.raises(ValueError, match=r"m\.keras: config\.json: is (not valid JSON|a JSON list)"):
        tf.keras.models.load_model(path)


def test_weights_member_bigger_than_the_model_can_need(tmp_path, keras_file):
    path = str(tmp_path / "m.keras")
    _write(path, {**_members(keras_file), "model.weights.h5": bytes(8 << 20)})
    m = small_model()
    before = bits(m)
    with pytest.raises(ValueError, match=r"model\.weights\.h5: declares 8\.0 MiB, more than"):
        m.load_weights(path)
    assert bits(m) == before


def test_npz_header_declaring_more_than_its_data(tmp_path):
    path = str(tmp_path / "w.npz")
    m = small_model()
    m.save_weights(path)
    members = _members(path)
    name = sorted(n for n in members if n != "__meta__.npy")[0]
    data = members[name]
    fake = np.lib.format.header_data_from_array_1_0(np.zeros(3, np.float32))
    fake["shape"] = (10 ** 11,)  # 400 GB declared, a few bytes stored
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, fake)
    members[name] = buf.getvalue() + data[data.index(b"\n") + 1:]
    _write(path, members)
    before = bits(m)
    with pytest.raises(ValueError, match=r"declares an array \(100000000000,\)"):
        m.load_weights(path)
    assert bits(m) == before


def test_npz_string_array_for_a_weight_changes_nothing(tmp_path):
    path = str(tmp_path / "w.npz")
    m = small_model()
    m.save_weights(path)
    members = _members(path)
    last = sorted(n for n in members if n != "__meta__.npy")[-1]
    buf = io.BytesIO()
    np.save(buf, np.array(["ab", "cd"]))
    members[last] = buf.getvalue()
    _write(path, members)
    before = bits(m)
    with pytest.raises(ValueError, match="not numbers|does not match"):
        m.load_weights(path)
    assert bits(m) == before


def test_hdf5_named_npz_is_refused(tmp_path):
    path = str(tmp_path / "best.weights.npz")
    m = small_model()
    m.save_weights(str(tmp_path / "w.weights.h5"))
    os.replace(str(tmp_path / "w.weights.h5"), path)
    with pytest.raises(ValueError, match=r"best\.weights\.npz: its name says NPZ, its content is an HDF5 file"):
        m.load_weights(path)


def _config_zip(path, config_text, weights=b""):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", config_text)
        z.writestr("model.weights.h5", weights)


def test_a_config_declaring_huge_weights_is_refused_before_allocating(tmp_path):
    """Dense(100000) on 100000 inputs (37 GiB) in a file whose weights hold 1 kB: refused from the
    budget the weights member gives, in bounded memory and time."""
    import json
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 100000], "name": "i"}},
        {"module": "keras.layers", "class_name": "Dense", "config": {"units": 100000, "name": "d"}}]},
        "build_config": {"input_shape": [None, 100000]}}
    path = str(tmp_path / "big.keras")
    _config_zip(path, json.dumps(config), bytes(1000))
    r, seconds = _limited_load(path)
    assert "REFUSED" in r.stdout and "d/kernel (100000, 100000)" in r.stdout, r.stdout + r.stderr[-2000:]
    assert seconds < 30


def test_deeply_nested_config_json(tmp_path):
    path = str(tmp_path / "deep.keras")
    _config_zip(path, "[" * 100000 + "]" * 100000)
    with pytest.raises(ValueError, match=r"deep\.keras: config\.json: is not valid JSON"):
        tf.keras.models.load_model(path)
