"""HDF5 files from strangers (``.weights.h5``, legacy ``.h5``, ``model.weights.h5`` in a ``.keras``):
links, external storage and virtual datasets refused before a byte is read, declared shapes and
dtypes checked before any data is read, and the model bitwise unchanged after every refusal."""
import io
import json
import os
import time
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

import tinytf as tf  # noqa: E402
from hostile_files import CANARY, bits, holds_canary, run_limited, small_model  # noqa: E402


def _canary_h5(path, shape=(4, 3)):
    """A file outside the one loaded, laid out as a Keras 3 weights file, full of the canary."""
    with h5py.File(path, "w") as f:
        for name in ("dense", "dense_1"):
            g = f.create_group(f"layers/{name}/vars")
            g.create_dataset("0", data=np.full(shape if name == "dense" else (3, 2), CANARY, np.float32))
            g.create_dataset("1", data=np.full(3 if name == "dense" else 2, CANARY, np.float32))
        f.create_dataset("kernel", data=np.full(shape, CANARY, np.float32))


def _weights(tmp_path, m=None):
    path = str(tmp_path / "w.weights.h5")
    (m or small_model()).save_weights(path)
    return path


def _refused(m, path, *words):
    before = bits(m)
    with pytest.raises(ValueError) as e:
        m.load_weights(path)
    msg = str(e.value)
    for w in (os.path.basename(path),) + words:
        assert w in msg, msg
    assert bits(m) == before and not holds_canary(m)
    return msg


def test_external_link_to_a_group_is_refused(tmp_path):
    _canary_h5(tmp_path / "outside.h5")
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers"]
        f["layers"] = h5py.ExternalLink(str(tmp_path / "outside.h5"), "/layers")
    _refused(small_model(), path, "/layers", "ExternalLink")


def test_external_link_to_a_dataset_is_refused(tmp_path):
    _canary_h5(tmp_path / "outside.h5")
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(tmp_path / "outside.h5"), "/kernel")
    _refused(small_model(), path, "/layers/dense/vars/0", "ExternalLink")


def test_soft_links_are_refused_even_to_an_external_link(tmp_path):
    _canary_h5(tmp_path / "outside.h5")
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        f["stash"] = h5py.ExternalLink(str(tmp_path / "outside.h5"), "/kernel")
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.SoftLink("/stash")
    _refused(small_model(), path, "Link")
    inside = _weights(tmp_path)  # a soft link inside the file: refused too (documented)
    with h5py.File(inside, "a") as f:
        f["real"] = f["layers/dense/vars/0"][()]
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.SoftLink("/real")
    _refused(small_model(), inside, "/layers/dense/vars/0", "SoftLink")


def test_external_raw_storage_is_refused(tmp_path):
    raw = tmp_path / "outside.bin"
    raw.write_bytes(np.full((4, 3), CANARY, np.float32).tobytes())
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f.create_dataset("layers/dense/vars/0", shape=(4, 3), dtype="f4", external=[(str(raw), 0, 48)])
    _refused(small_model(), path, "/layers/dense/vars/0", "outside.bin")


def test_virtual_dataset_is_refused(tmp_path):
    _canary_h5(tmp_path / "outside.h5")
    path = _weights(tmp_path)
    layout = h5py.VirtualLayout(shape=(4, 3), dtype="f4")
    layout[:] = h5py.VirtualSource(str(tmp_path / "outside.h5"), "kernel", shape=(4, 3))
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f.create_virtual_dataset("layers/dense/vars/0", layout)
    _refused(small_model(), path, "/layers/dense/vars/0", "virtual")


@pytest.mark.parametrize("legacy", [False, True])
def test_external_link_in_legacy_and_keras_files(tmp_path, legacy):
    _canary_h5(tmp_path / "outside.h5")
    m = small_model()
    if legacy:
        path = str(tmp_path / "m.h5")
        m.save(path)
        with h5py.File(path, "a") as f:
            first = f["model_weights"].attrs["layer_names"][0].decode()
            del f[f"model_weights/{first}"]
            f[f"model_weights/{first}"] = h5py.ExternalLink(str(tmp_path / "outside.h5"), "/layers/dense")
        with pytest.raises(ValueError, match="ExternalLink"):
            tf.keras.models.load_model(path)
        return
    path = str(tmp_path / "m.keras")
    m.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    buf = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buf, "a") as f:
        del f["layers/dense/vars"]
        f["layers/dense/vars"] = h5py.ExternalLink(str(tmp_path / "outside.h5"), "/layers/dense/vars")
    members["model.weights.h5"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(ValueError, match="m.keras.*ExternalLink"):
        tf.keras.models.load_model(path)
    _refused(small_model(), path, "ExternalLink")


def test_a_huge_declared_kernel_is_refused_before_reading(tmp_path):
    """9.3 GiB declared in a small file: refused from the declared shape, in bounded memory and time."""
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f.create_dataset("layers/dense/vars/0", shape=(50000, 50000), dtype="f4", chunks=(1000, 1000),
                         compression="gzip")
    assert os.path.getsize(path) < 100_000
    start = time.perf_counter()
    r = run_limited(f"""
        from hostile_files import small_model, bits
        m = small_model(); before = bits(m)
        try:
            m.load_weights({path!r})
        except ValueError as e:
            assert bits(m) == before
            print("REFUSED", e)
        """, address_space=1536 << 20, timeout=60, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert "REFUSED" in r.stdout, r.stderr[-2000:]
    assert "(50000, 50000)" in r.stdout and "layers/dense/vars/0" in r.stdout
    assert time.perf_counter() - start < 60


def test_legacy_huge_declared_kernel_and_empty_names(tmp_path):
    path = str(tmp_path / "w.h5")
    small_model().save_weights(path)
    with h5py.File(path, "a") as f:
        first = f.attrs["layer_names"][0].decode()
        name = f[first].attrs["weight_names"][0].decode()
        del f[f"{first}/{name}"]
        f.create_dataset(f"{first}/{name}", shape=(50000, 50000), dtype="f4", chunks=(1000, 1000),
                         compression="gzip")
    start = time.perf_counter()
    _refused(small_model(), path, "(50000, 50000)")
    assert time.perf_counter() - start < 10  # nothing of the 9.3 GiB is read
    with h5py.File(path, "a") as f:
        f.attrs["layer_names"] = h5py.Empty("S10")
    _refused(small_model(), path, "the file has 0 layers with weights")


def test_legacy_string_dataset_changes_nothing(tmp_path):
    path = str(tmp_path / "w.h5")
    small_model().save_weights(path)
    with h5py.File(path, "a") as f:
        last = f.attrs["layer_names"][-1].decode()
        names = [n.decode() for n in f[last].attrs["weight_names"]]
        del f[f"{last}/{names[-1]}"]
        f.create_dataset(f"{last}/{names[-1]}", data=np.array([b"ab", b"cd"]))
    _refused(small_model(), path, "not numbers")


def test_keras3_string_dataset_changes_nothing(tmp_path):
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense_1/vars/1"]
        f.create_dataset("layers/dense_1/vars/1", data=np.array([b"ab", b"cd"]))
    _refused(small_model(), path, "layers/dense_1/vars/1", "not numbers")


def test_vars_stored_as_a_group(tmp_path):
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f.create_group("layers/dense/vars/0")
    _refused(small_model(), path, "/layers/dense/vars/0", "Group", "expected a dataset")


def _legacy_model_file(tmp_path, config):
    path = str(tmp_path / "m.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = config if isinstance(config, (str, bytes)) else json.dumps(config)
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([], dtype="S1")
    return path


def test_legacy_model_config_not_json(tmp_path):
    path = _legacy_model_file(tmp_path, "{not json")
    with pytest.raises(ValueError, match=r"m\.h5: attribute model_config: is not valid JSON"):
        tf.keras.models.load_model(path)


def test_keras2_lambda_in_legacy_h5(tmp_path):
    import base64
    import marshal
    code = base64.b64encode(marshal.dumps((lambda x: x * 2).__code__)).decode("ascii")
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "i"}},
        {"class_name": "Lambda", "config": {"name": "lam", "function": [code, None, None],
                                            "function_type": "lambda", "output_shape": None, "arguments": {}}}]}}
    path = _legacy_model_file(tmp_path, config)
    with pytest.raises(ValueError, match=r"m\.h5.*Lambda.*safe_mode") as e:
        tf.keras.models.load_model(path)
    assert "unhashable" not in str(e.value)
    m = tf.keras.models.load_model(path, safe_mode=False)  # trusted: the Keras 2 bytecode runs
    assert np.allclose(m.predict(np.ones((1, 4), np.float32), verbose=0), 2.0)


def _keras_file(tmp_path, layer_entry):
    path = str(tmp_path / "m.keras")
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "i"}},
        layer_entry]}, "build_config": {"input_shape": [None, 4]}}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", "{}")
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", b"")
    return path


def test_a_function_named_as_a_layer_class(tmp_path):
    path = _keras_file(tmp_path, {"module": "keras.layers", "class_name": "relu_fn", "config": {}})
    with pytest.raises(ValueError, match=r"m\.keras.*relu_fn.*not a Layer class"):
        tf.keras.models.load_model(path, custom_objects={"relu_fn": lambda x: x})


@pytest.mark.parametrize("name", ["__class__", "__dict__", "np", "os", "Initializer"])
def test_initializer_class_names_come_from_a_table(tmp_path, name):
    path = _keras_file(tmp_path, {"module": "keras.layers", "class_name": "Dense", "config": {
        "units": 2, "kernel_initializer": {"module": "keras.initializers", "class_name": name, "config": {}}}})
    with pytest.raises(ValueError, match=rf"m\.keras.*unknown initializer class_name '{name}'"):
        tf.keras.models.load_model(path)


def test_metric_fn_names_come_from_a_table():
    from tinytf.keras import metrics
    for name in ("np", "globals", "_float_arr", "__builtins__"):
        with pytest.raises(ValueError, match=f"unknown metric function fn='{name}'"):
            metrics.MeanMetricWrapper.from_config({"fn": name, "name": "m"})
    assert metrics.MeanMetricWrapper.from_config({"fn": "accuracy", "name": "m"})._fn is metrics.accuracy


def test_loss_fn_names_come_from_a_table():
    from tinytf.keras import losses
    for name in ("np", "Loss", "_keras_logits", "__builtins__"):
        with pytest.raises(ValueError, match=f"unknown loss function fn='{name}'"):
            losses.LossFunctionWrapper.from_config({"fn": name})
    assert losses.LossFunctionWrapper.from_config({"fn": "mse"}).fn is losses.mean_squared_error


def test_vars_stored_as_a_dataset(tmp_path):
    path = _weights(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars"]
        f.create_dataset("layers/dense/vars", data=np.zeros(2, np.float32))  # len() == 2 weights
    _refused(small_model(), path, "/layers/dense/vars", "Dataset, expected a group")
