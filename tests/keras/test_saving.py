"""Keras 3 files written and read by tinytf: round trips, configs, custom objects, bad files."""
import json
import os
import sys
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py")
import tinytf as tf  # noqa: E402

K, L = tf.keras, tf.keras.layers
X = np.random.RandomState(0).rand(3, 8, 8, 1).astype("float32")


def seq():
    return K.Sequential([K.Input((8, 8, 1)), L.Conv2D(4, 3, padding="same"), L.BatchNormalization(), L.ReLU(),
                         L.MaxPooling2D(), L.Flatten(), L.Dropout(0.5), L.Dense(3, activation="softmax")])


def func():
    i = K.Input((8, 8, 1))
    a = L.Conv2D(4, 3, padding="same", activation="relu")(i)
    b = L.BatchNormalization()(L.Conv2D(4, 1)(i))
    y = L.GlobalAveragePooling2D()(L.Add()([a, b]))
    return K.Model(i, L.Dense(2)(y))


def perturbed(m):
    rng = np.random.RandomState(1)
    m.set_weights([w + rng.rand(*w.shape).astype(w.dtype) for w in m.get_weights()])
    return m


@pytest.mark.parametrize("build", [seq, func])
def test_keras_file_round_trip(tmp_path, build):
    m = perturbed(build())
    m.compile(optimizer=K.optimizers.SGD(0.1, momentum=0.9), loss="mse", metrics=["mae"])
    p = tmp_path / "m.keras"
    m.save(p)
    with zipfile.ZipFile(p) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        cfg = json.loads(z.read("config.json"))
    assert {"module", "class_name", "config", "registered_name", "compile_config"} <= set(cfg)
    assert cfg["compile_config"]["optimizer"]["class_name"] == "SGD"
    m2 = K.models.load_model(p)
    np.testing.assert_array_equal(m2.predict(X, verbose=0), m.predict(X, verbose=0))
    assert m2.compiled and m2.loss == "mse"
    assert not any(n.startswith(".tinytf-tmp") for n in os.listdir(tmp_path))


@pytest.mark.parametrize("ext", [".weights.h5", ".h5", ".npz", ".keras"])
def test_weights_round_trip(tmp_path, ext):
    m = perturbed(seq())
    p = tmp_path / ("w" + ext)
    if ext == ".keras":
        m.save(p)
    else:
        m.save_weights(p)
    m2 = seq()
    m2.load_weights(p)
    np.testing.assert_array_equal(m2.predict(X, verbose=0), m.predict(X, verbose=0))


def test_subclassed_weights_in_keras_layout(tmp_path):
    import h5py

    class Net(K.Model):
        def __init__(self):
            super().__init__()
            self.conv = L.Conv2D(2, 3)
            self.bn = L.BatchNormalization()
            self.blocks = [L.Dense(3), L.Dense(3)]

        def call(self, x, training=False):
            x = tf.reduce_mean(self.bn(self.conv(x), training=training), axis=(1, 2))
            for b in self.blocks:
                x = b(x)
            return x
    m = Net()
    m(X)
    perturbed(m)
    m.save_weights(tmp_path / "s.weights.h5")
    with h5py.File(tmp_path / "s.weights.h5", "r") as f:  # what Keras 3 writes for this class
        names = []
        f.visit(names.append)
    assert {"conv/vars/0", "bn/vars/3", "blocks/dense/vars/1", "blocks/dense_1/vars/0", "vars"} <= set(names)
    m2 = Net()
    m2(X)
    m2.load_weights(tmp_path / "s.weights.h5")
    np.testing.assert_array_equal(m2(X).numpy(), m(X).numpy())


def test_configs_and_json_round_trip():
    m = func()
    m2 = K.models.model_from_json(m.to_json())
    assert [type(l).__name__ for l in m2.layers] == [type(l).__name__ for l in m.layers]
    m2.set_weights(m.get_weights())
    np.testing.assert_array_equal(m2.predict(X, verbose=0), m.predict(X, verbose=0))
    s = seq()
    s2 = K.Sequential.from_config(s.get_config())
    assert [l.get_config()["units"] for l in s2.layers if isinstance(l, L.Dense)] == [3]
    for layer in [L.Conv2D(3, 2, strides=2, padding="same", activation="relu"), L.BatchNormalization(momentum=0.9),
                  L.MaxPooling2D(3), L.AveragePooling2D(2), L.Flatten(), L.Dropout(0.3), L.ReLU(max_value=6.0),
                  L.Activation("tanh"), L.Reshape((4, 2)), L.Dense(4, kernel_regularizer="l2"),
                  L.GlobalAveragePooling2D()]:
        e = K.saving.serialize_keras_object(layer)
        back = K.saving.deserialize_keras_object(json.loads(json.dumps(e)))
        assert type(back) is type(layer)
        assert back.get_config() == {**layer.get_config(), "name": layer.name}
    opt = K.optimizers.Adam(0.003)
    assert K.optimizers.deserialize(K.optimizers.serialize(opt)).get_config()["learning_rate"] == pytest.approx(0.003)


def test_custom_objects_and_registry(tmp_path):
    class Scale(L.Layer):
        def __init__(self, factor=2.0, **kw):
            super().__init__(**kw)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}
    m = K.Sequential([K.Input((8, 8, 1)), Scale(3.0), L.Flatten(), L.Dense(2)])
    m.save(tmp_path / "c.keras")
    with pytest.raises(ValueError, match="Unknown layer.*'Scale'.*custom_objects"):
        K.models.load_model(tmp_path / "c.keras")
    m2 = K.models.load_model(tmp_path / "c.keras", custom_objects={"Scale": Scale})
    np.testing.assert_array_equal(m2.predict(X, verbose=0), m.predict(X, verbose=0))
    assert m2.layers[0].factor == 3.0

    @K.saving.register_keras_serializable(package="tinytf_test")
    class Shift(Scale):
        pass
    m = K.Sequential([K.Input((8, 8, 1)), Shift(1.5), L.Flatten(), L.Dense(2)])
    m.save(tmp_path / "r.keras")
    with zipfile.ZipFile(tmp_path / "r.keras") as z:
        assert json.loads(z.read("config.json"))["config"]["layers"][1]["registered_name"] == "tinytf_test>Shift"
    m2 = K.models.load_model(tmp_path / "r.keras")
    assert type(m2.layers[0]) is Shift


def _keras_zip(path, config, weights=b""):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", "{}")
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights)


def _lambda_config():
    import base64
    import marshal
    code = base64.b64encode(marshal.dumps((lambda x: x * 2).__code__)).decode("ascii")
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "s", "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                 "config": {"batch_shape": [None, 2], "dtype": "float32", "name": "in"}},
                {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
                 "config": {"name": "lam", "function": {"class_name": "__lambda__", "config": {
                     "code": code, "defaults": None, "closure": None}}, "arguments": {}}}]}}


def test_lambda_bytecode_refused_in_safe_mode(tmp_path):
    import h5py
    import io
    buf = io.BytesIO()
    h5py.File(buf, "w").close()
    _keras_zip(tmp_path / "l.keras", _lambda_config(), buf.getvalue())
    with pytest.raises(ValueError, match="safe_mode"):
        K.models.load_model(tmp_path / "l.keras")
    m = K.models.load_model(tmp_path / "l.keras", safe_mode=False)
    np.testing.assert_array_equal(m(np.ones((1, 2), "float32")).numpy(), [[2.0, 2.0]])


def test_bad_files(tmp_path):
    m = perturbed(seq())
    m.save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "t.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        K.models.load_model(tmp_path / "t.keras")
    # an unknown layer class
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        cfg = json.loads(z.read("config.json"))
        weights = z.read("model.weights.h5")
    cfg["config"]["layers"][2]["class_name"] = "FancyNorm"
    _keras_zip(tmp_path / "u.keras", cfg, weights)
    with pytest.raises(ValueError, match="FancyNorm"):
        K.models.load_model(tmp_path / "u.keras")
    # an unsupported argument value
    cfg["config"]["layers"][2]["class_name"] = "BatchNormalization"
    cfg["config"]["layers"][2]["config"]["renorm"] = True
    _keras_zip(tmp_path / "a.keras", cfg, weights)
    with pytest.raises(ValueError, match="renorm=True is not supported"):
        K.models.load_model(tmp_path / "a.keras")
    # missing h5 groups / wrong architecture: nothing assigned
    import h5py
    m.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "a") as f:
        del f["layers/batch_normalization"]
    other = seq()
    before = other.get_weights()
    with pytest.raises(ValueError, match="layers/batch_normalization/vars.*missing in file"):
        other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)
    small = K.Sequential([K.Input((8, 8, 1)), L.Flatten(), L.Dense(3)])
    with pytest.raises(ValueError, match="does not match"):
        small.load_weights(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="unknown file format"):
        m.save(tmp_path / "m.zip")


def test_h5py_missing_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"tinytf\[h5\]"):
        seq().save_weights(tmp_path / "w.weights.h5")


def test_no_pickle_in_saving():
    import pathlib
    root = pathlib.Path(tf.__file__).parent / "keras" / "saving"
    for p in root.glob("*.py"):
        assert "pickle" not in p.read_text().replace("unpickled", "").replace("never unpickled", ""), p


def test_legacy_h5_keeps_the_compile_config(tmp_path):
    """Keras writes a whole-model .h5 with its training_config; load_model compiles it again."""
    pytest.importorskip("h5py")
    m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
    m.compile(tf.keras.optimizers.Adam(0.01), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    m.save(str(tmp_path / "m.h5"))
    back = tf.keras.models.load_model(str(tmp_path / "m.h5"))
    assert type(back.optimizer).__name__ == "Adam" and float(back.optimizer.learning_rate) == pytest.approx(0.01)
    x, y = np.ones((2, 4), "float32"), np.array([0, 2])
    assert back.evaluate(x, y, verbose=0) == m.evaluate(x, y, verbose=0)
