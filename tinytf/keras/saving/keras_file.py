"""The Keras 3 ``.keras`` file: a zip of ``metadata.json``, ``config.json`` (the model's config, see
``serialization.py``) and ``model.weights.h5`` (``h5_weights.py``). Written atomically; read with
every member checked before the model is returned."""
import datetime
import io
import json
import os
import zipfile

from ...files import atomic_write
from . import h5_weights
from .serialization import compile_from_config, deserialize_layer, serialize_keras_object

KERAS_VERSION = "3.15.1"  # the Keras these files follow (TF 2.21)


def save_model(model, filepath, overwrite=True, zipped=True):
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save: {filepath} exists and overwrite=False")
    config = serialize_keras_object(model)
    meta = {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = io.BytesIO()
    h5_weights.write_keras3(model, weights, optimizer=True)
    with atomic_write(filepath) as f:
        with zipfile.ZipFile(f, "w") as z:
            z.writestr("metadata.json", json.dumps(meta))
            z.writestr("config.json", json.dumps(config))
            z.writestr("model.weights.h5", weights.getvalue())


def _open_zip(filepath):
    try:
        z = zipfile.ZipFile(filepath)
        z.testzip()
        return z
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise ValueError(f"{filepath} is not a readable .keras file (truncated or corrupted zip?): {e}") from None


def read_members(filepath):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"no such file: {filepath}")
    with _open_zip(filepath) as z:
        names = set(z.namelist())
        missing = [n for n in ("config.json", "model.weights.h5") if n not in names]
        if missing:
            raise ValueError(f"{filepath} is a zip file but not a Keras model file: it lacks {missing}")
        try:
            config = json.loads(z.read("config.json"))
        except ValueError as e:
            raise ValueError(f"{filepath}: config.json is not valid JSON: {e}") from None
        return config, z.read("model.weights.h5")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a ``.keras`` file (Keras 3 / TF 2.21 or tinytf): rebuilt from its config, its
    weights loaded (all checked first) and, with ``compile=True``, compiled as it was saved."""
    filepath = os.fspath(filepath)
    config, weights = read_members(filepath)
    model = deserialize_layer(config, custom_objects, safe_mode)
    if not model.built:
        raise ValueError(f"{filepath}: the model could not be built from its config (no input shape)")
    with h5_weights._open(io.BytesIO(weights), f"{filepath} (model.weights.h5)") as f:
        pairs = h5_weights.read_keras3(model, f, f"{filepath} (model.weights.h5)")
        state = h5_weights.optimizer_state(f)
    h5_weights.assign(pairs)
    if compile:
        compile_from_config(model, config.get("compile_config"), custom_objects)
        if getattr(model, "compiled", False):
            h5_weights.load_optimizer_state(model, state)
    return model


def load_weights(model, filepath):
    """The weights of a ``.keras`` file into ``model`` (as Keras's ``load_weights('m.keras')``)."""
    filepath = os.fspath(filepath)
    _, weights = read_members(filepath)
    with h5_weights._open(io.BytesIO(weights), filepath) as f:
        pairs = h5_weights.read_keras3(model, f, filepath)
    h5_weights.assign(pairs)
