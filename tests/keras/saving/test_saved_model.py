"""tf.saved_model.save / load: tinytf's SavedModel folder (a .keras file or a tf.Module's variables plus
a marker written last), its signature as TF 2.21 names it for a Keras 3 model ('output_0', ...; one
input, positional or ``inputs=``), and the refusals: TensorFlow's own SavedModel, a folder cut short,
a marker or variables file that is not tinytf's."""
import json
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras.saving import saved_model as sm
from tinytf.loading import FileRefused


def _model():
    tf.random.set_seed(1)
    inp = tf.keras.Input((4,))
    return tf.keras.Model(inp, [tf.keras.layers.Dense(3)(inp), tf.keras.layers.Dense(1)(inp)])


def test_keras_model_round_trip(tmp_path):
    m = _model()
    x = np.random.default_rng(0).random((2, 4), dtype=np.float32)
    tf.saved_model.save(m, tmp_path / "sm")
    assert sorted(os.listdir(tmp_path / "sm")) == ["model.keras", "tinytf_saved_model.json"]
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    want = [t.numpy() for t in m(x)]
    got = loaded(x)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.numpy(), b)
    out = loaded.signatures["serving_default"](inputs=tf.constant(x))
    assert sorted(out) == ["output_0", "output_1"]
    np.testing.assert_array_equal(out["output_1"].numpy(), want[1])
    np.testing.assert_array_equal(loaded.signatures["serving_default"](x)["output_0"].numpy(), want[0])
    assert len(loaded.variables) == 4 and len(loaded.trainable_variables) == 4
    with pytest.raises(TypeError, match="one argument"):
        loaded.signatures["serving_default"](x=x)


def test_module_round_trip_keeps_values_order_and_trainable(tmp_path):
    class Affine(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0, 2.0]], name="w")
            self.steps = tf.Variable(7, trainable=False, name="steps")

    mod = Affine()
    tf.saved_model.save(mod, tmp_path / "mod")
    r = tf.saved_model.load(tmp_path / "mod")
    assert isinstance(r, tf.Module)
    assert [v.numpy().tolist() for v in r.variables] == [v.numpy().tolist() for v in mod.variables]
    assert [v.name for v in r.trainable_variables] == [v.name for v in mod.trainable_variables]
    assert r.non_trainable_variables[0].dtype == tf.int32


def test_overwrite_replaces_the_marker_last(tmp_path):
    d = tmp_path / "sm"
    tf.saved_model.save(_model(), d)
    os.remove(d / "model.keras")  # as if a second save died before writing the model
    with pytest.raises(FileRefused, match="model.keras: is missing"):
        tf.saved_model.load(d)
    tf.saved_model.save(_model(), d)
    assert tf.saved_model.load(d)(np.zeros((1, 4), np.float32))[0].shape == (1, 3)


def test_refuses_tensorflow_savedmodel_and_unmarked_folders(tmp_path):
    (tmp_path / "tfsm").mkdir()
    (tmp_path / "tfsm" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match=r"is a TensorFlow SavedModel \(saved_model.pb\).*\.keras file"):
        tf.saved_model.load(tmp_path / "tfsm")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no tinytf_saved_model.json"):
        tf.saved_model.load(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        tf.saved_model.load(tmp_path / "nothing")


@pytest.mark.parametrize("marker,match", [
    ("[1, 2]", "is not a tinytf-saved-model marker"),
    ("{not json", "is not valid JSON"),
    (json.dumps({"format": sm.FORMAT, "version": 99, "kind": "keras"}), "has version 99"),
    (json.dumps({"format": sm.FORMAT, "version": 1, "kind": "pickle"}), "has kind 'pickle'"),
    (json.dumps({"format": sm.FORMAT, "version": 1, "kind": "module", "variables": [{"name": 3}]}),
     "variables must be a list"),
    (json.dumps({"format": sm.FORMAT, "version": 1, "kind": "module",
                 "variables": [{"name": "a", "trainable": True}] * 3}), "the marker lists 3 variables"),
])
def test_refuses_bad_markers(tmp_path, marker, match):
    class One(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([1.0])

    tf.saved_model.save(One(), tmp_path)
    (tmp_path / sm.MARKER).write_text(marker)
    with pytest.raises(FileRefused, match=match):
        tf.saved_model.load(tmp_path)


def test_refuses_a_linked_variables_file(tmp_path):
    class One(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([1.0])

    tf.saved_model.save(One(), tmp_path / "a")
    os.replace(tmp_path / "a" / "variables.npz", tmp_path / "elsewhere.npz")
    os.symlink(tmp_path / "elsewhere.npz", tmp_path / "a" / "variables.npz")
    with pytest.raises(FileRefused, match="symbolic link"):
        tf.saved_model.load(tmp_path / "a")


def test_save_argument_checks(tmp_path):
    with pytest.raises(ValueError, match="must be a Keras model or a tf.Module, got int"):
        tf.saved_model.save(3, tmp_path / "x")
    with pytest.raises(ValueError, match="not built"):
        tf.saved_model.save(tf.keras.Sequential([tf.keras.layers.Dense(2)]), tmp_path / "x")
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError, match="is not a folder"):
        tf.saved_model.save(_model(), tmp_path / "file")


def test_options_are_accepted(tmp_path):
    opts = tf.saved_model.SaveOptions(experimental_io_device="/job:localhost")
    tf.saved_model.save(_model(), tmp_path, options=opts)
    loaded = tf.saved_model.load(tmp_path, options=tf.saved_model.LoadOptions(experimental_io_device="/job:localhost"))
    assert loaded(np.zeros((1, 4), np.float32))[1].shape == (1, 1)
    assert opts.experimental_io_device == "/job:localhost"
