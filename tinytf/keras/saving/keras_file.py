"""The Keras 3 ``.keras`` file: a zip of ``metadata.json``, ``config.json`` (the model's config, see
``serialization.py``) and ``model.weights.h5`` (``h5_weights.py``). Written atomically; read with
``loading.py``'s zip checks (sizes, ratios, methods, encryption, CRC) before anything is
inflated; only ``config.json`` and ``model.weights.h5`` are ever inflated."""
import datetime
import io
import json
import os
import zipfile

import numpy as np

from ...files import atomic_write
from ...loading import MAX_TEXT, FileRefused, member, open_zip, read_member
from . import h5_weights
from .serialization import compile_from_config, deserialize_from_file, serialize_keras_object

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


def _weights_limit(model):
    """The most bytes a ``model.weights.h5`` for ``model`` can need: its variables with up to seven
    optimizer copies each (slots, EMA, gradient accumulators), plus HDF5's overhead per object."""
    n = sum(int(np.prod(v.shape)) * np.dtype(v.dtype.as_numpy_dtype).itemsize for v in model.weights)
    return 8 * n + (32 << 10) * (len(model.weights) + 64) + (1 << 20)


def _config(z, filepath):
    raw = read_member(z, filepath, "config.json", MAX_TEXT)
    try:
        config = json.loads(raw)
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError included; nesting too deep
        raise FileRefused(filepath, "config.json", f"is not valid JSON: {e}") from None
    if not isinstance(config, dict):
        raise FileRefused(filepath, "config.json", f"is a JSON {type(config).__name__}, not a model config")
    return config


def _read(model, filepath, with_optimizer=False):
    """Read the checked weights (and optimizer state) of ``filepath`` for ``model``: nothing assigned."""
    filepath = os.fspath(filepath)
    with open_zip(filepath, ".keras file") as z:
        weights = read_member(z, filepath, "model.weights.h5", _weights_limit(model))
    what = f"{filepath} (model.weights.h5)"
    with h5_weights._open(io.BytesIO(weights), what) as f:
        pairs = h5_weights.read_keras3(model, f, what)
        state = h5_weights.optimizer_state(f, model, what) if with_optimizer else {}
    return pairs, state


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a ``.keras`` file (Keras 3 / TF 2.21 or tinytf): the zip directory checked, the
    config read and the model rebuilt from it, then its weights (checked against the model before
    they are read, all read before any is assigned) and, with ``compile=True``, compiled as it was
    saved."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"no such file: {filepath}")
    with open_zip(filepath, ".keras file") as z:
        stored = member(z, filepath, "model.weights.h5", 1 << 62).file_size  # refused before building anything
        config = _config(z, filepath)
    # the weights must fit in model.weights.h5
    model = deserialize_from_file(config, filepath, "config.json", stored + (1 << 20), custom_objects, safe_mode)
    if not getattr(model, "built", False):
        raise ValueError(f"{filepath}: the model could not be built from its config (no input shape)")
    pairs, state = _read(model, filepath, with_optimizer=compile)
    h5_weights.assign(pairs)
    if compile:
        compile_from_config(model, config.get("compile_config"), custom_objects)
        if getattr(model, "compiled", False):
            h5_weights.load_optimizer_state(model, state)
    return model


def load_weights(model, filepath):
    """The weights of a ``.keras`` file into ``model`` (as Keras's ``load_weights('m.keras')``)."""
    pairs, _ = _read(model, filepath)
    h5_weights.assign(pairs)
