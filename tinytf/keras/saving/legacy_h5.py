"""Legacy whole-model HDF5 (``model.save('m.h5')`` of TF 2.x / Keras 2, and Keras 3's legacy
writer): the ``model_config`` attribute and the ``model_weights`` group."""
import json
import os

from ...loading import FileRefused
from . import h5_weights
from .serialization import compile_from_config, deserialize_from_file


def _json(raw, filepath, name):
    """The JSON object in the HDF5 attribute ``name`` (a ``FileRefused`` naming it otherwise)."""
    try:
        text = raw.decode("utf8") if isinstance(raw, bytes) else raw
        value = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError, JSONDecodeError, nesting too deep
        raise FileRefused(filepath, f"attribute {name}", f"is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise FileRefused(filepath, f"attribute {name}", f"is not a JSON object (got {type(raw).__name__} "
                                                         f"{str(raw)[:80]!r})")
    return value


def load_legacy_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    filepath = os.fspath(filepath)
    with h5_weights._open(filepath, filepath) as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"{filepath} holds weights only (no model_config): build the model in code "
                             "and call model.load_weights")
        config = _json(raw, filepath, "model_config")
        model = deserialize_from_file(config, filepath, "attribute model_config",  # the weights fit in the file
                                      os.path.getsize(filepath) + (1 << 20), custom_objects, safe_mode)
        pairs = h5_weights.read_legacy(model, f, filepath)
        training = f.attrs.get("training_config")
        tc = _json(training, filepath, "training_config") if compile and training is not None else None
    h5_weights.assign(pairs)
    if tc is not None:
        opt = tc.get("optimizer_config")
        compile_from_config(model, {"optimizer": opt, "loss": tc.get("loss"), "metrics": tc.get("metrics")},
                            custom_objects)
    return model
