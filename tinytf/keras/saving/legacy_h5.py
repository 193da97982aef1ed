"""Legacy whole-model HDF5 (``model.save('m.h5')`` of TF 2.x / Keras 2, and Keras 3's legacy
writer): the ``model_config`` attribute and the ``model_weights`` group."""
import json
import os

from . import h5_weights
from .serialization import compile_from_config, deserialize_layer


def load_legacy_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    filepath = os.fspath(filepath)
    with h5_weights._open(filepath, filepath) as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"{filepath} holds weights only (no model_config): build the model in code "
                             "and call model.load_weights")
        config = json.loads(raw.decode("utf8") if isinstance(raw, bytes) else raw)
        model = deserialize_layer(config, custom_objects, safe_mode)
        pairs = h5_weights.read_legacy(model, f, filepath)
        training = f.attrs.get("training_config")
    h5_weights.assign(pairs)
    if compile and training is not None:
        tc = json.loads(training.decode("utf8") if isinstance(training, bytes) else training)
        opt = tc.get("optimizer_config")
        compile_from_config(model, {"optimizer": opt, "loss": tc.get("loss"), "metrics": tc.get("metrics")},
                            custom_objects)
    return model
