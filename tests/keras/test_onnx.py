"""ONNX export: checked by onnx.checker and run by onnxruntime to tinytf's predictions."""
import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import tinytf as tf  # noqa: E402

K, L = tf.keras, tf.keras.layers


def perturbed(m):
    rng = np.random.RandomState(1)
    m.set_weights([w + 0.5 * rng.rand(*w.shape).astype(w.dtype) for w in m.get_weights()])
    return m


def run(path, x):
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return s.run(None, {s.get_inputs()[0].name: x})[0]


def seq():
    return K.Sequential([K.Input((9, 9, 2)), L.Conv2D(4, 3, padding="same", activation="relu"),
                         L.BatchNormalization(), L.MaxPooling2D(2, padding="same"), L.Conv2D(6, 3, strides=2),
                         L.ReLU(max_value=6.0), L.AveragePooling2D(2, strides=1, padding="same"), L.Flatten(),
                         L.Dropout(0.5), L.Dense(7), L.Activation("softmax")])


def func():
    i = K.Input((8, 8, 3))
    a = L.Conv2D(4, 3, padding="same")(i)
    b = L.BatchNormalization()(L.Conv2D(4, 1)(i))
    y = L.ReLU()(L.Add()([a, b]))
    g = L.Dense(5)(L.GlobalAveragePooling2D()(y))
    r = L.Reshape((4, 4, 8))(L.Flatten()(L.MaxPooling2D()(L.Concatenate()([y, y]))))
    f = L.Dense(5, activation="tanh")(L.Flatten()(L.Conv2D(2, 2)(r)))
    return K.Model(i, L.Softmax()(L.Add()([g, f])))


@pytest.mark.parametrize("build,shape", [(seq, (5, 9, 9, 2)), (func, (4, 8, 8, 3))])
def test_export_runs_in_onnxruntime(tmp_path, build, shape):
    m = perturbed(build())
    x = np.random.RandomState(0).randn(*shape).astype("float32")
    p = tmp_path / "m.onnx"
    tf.onnx.export(m, p)
    np.testing.assert_allclose(run(p, x), m.predict(x, verbose=0), rtol=1e-5, atol=2e-6)
    m.export(tmp_path / "n.onnx", format="onnx")
    assert (tmp_path / "n.onnx").read_bytes() == p.read_bytes()


def test_unsupported_is_clear(tmp_path):
    m = K.Sequential([K.Input((4, 4, 1)), L.Conv2DTranspose(2, 3)])
    with pytest.raises(NotImplementedError, match="Conv2DTranspose"):
        tf.onnx.export(m, tmp_path / "x.onnx")
    assert not (tmp_path / "x.onnx").exists()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """An IDX folder and a run folder trained on it for one epoch (the tests only read both; the run
    skips the pictures, as without matplotlib)."""
    from test_cli import ENV, FAST, _blocker, ok, tinytf, write_idx_folder
    tmp = tmp_path_factory.mktemp("cli")
    idx, run_dir = write_idx_folder(str(tmp / "idx")), tmp / "run"
    no_plot = dict(ENV, **_blocker(tmp / "block", "matplotlib"))
    ok(tinytf("train", "--dataset", idx, *FAST, "--out", run_dir, cwd=tmp, base=no_plot))
    return idx, run_dir


def test_cli_export(trained, tmp_path):
    from test_cli import ok, tinytf
    _, run_dir = trained
    out = ok(tinytf("export", run_dir, tmp_path / "m.onnx", cwd=tmp_path))
    assert "m.onnx" in out
    from tinytf.cli import _open_run
    _, model = _open_run(str(run_dir))
    x = np.random.RandomState(0).rand(2, 28, 28, 1).astype("float32")
    np.testing.assert_allclose(run(tmp_path / "m.onnx", x), model.predict(x, verbose=0), rtol=1e-5, atol=2e-6)
    ok(tinytf("export", run_dir, tmp_path / "m.keras", cwd=tmp_path))
    np.testing.assert_allclose(K.models.load_model(tmp_path / "m.keras").predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


def test_cli_evaluate_and_predict_take_a_keras_file(trained, tmp_path):
    """`tinytf evaluate` / `predict` accept a .keras file as well as a run folder, with the same results."""
    from test_cli import ok, tinytf, user_error
    (idx, run_dir), keras_file = trained, tmp_path / "m.keras"
    ok(tinytf("export", run_dir, keras_file, cwd=tmp_path))
    from_run = ok(tinytf("evaluate", run_dir, cwd=tmp_path))
    from_file = ok(tinytf("evaluate", keras_file, "--dataset", idx, cwd=tmp_path))
    assert "Keras model file" in from_file
    acc = [line for line in from_run.splitlines() if line.startswith("Test accuracy")]
    assert acc and acc == [line for line in from_file.splitlines() if line.startswith("Test accuracy")]
    np.save(tmp_path / "x.npy", np.random.RandomState(1).rand(2, 28, 28, 1).astype("float32"))
    top = ok(tinytf("predict", keras_file, tmp_path / "x.npy", "--dataset", "mnist", cwd=tmp_path))
    assert top.count("%") >= 2 and "x.npy[1]" in top
    user_error(tinytf("predict", keras_file, tmp_path / "x.npy", "--best", cwd=tmp_path), "run folder")
    (tmp_path / "bad.keras").write_bytes(b"PK\x03\x04 truncated")
    user_error(tinytf("evaluate", tmp_path / "bad.keras", cwd=tmp_path), "cannot load")
