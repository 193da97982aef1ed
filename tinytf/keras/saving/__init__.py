"""``keras.saving``: Keras 3 files (``.keras``, ``.weights.h5``), legacy Keras 2 ``.h5`` weights,
and configs (``serialize_keras_object`` / ``deserialize_keras_object``, the custom-object
registry). h5py is optional (``pip install 'tinytf[h5]'``); nothing is ever unpickled."""
from .serialization import (CustomObjectScope, custom_object_scope, deserialize_keras_object,  # noqa: F401
                            get_custom_objects, get_registered_name, get_registered_object,
                            register_keras_serializable, serialize_keras_object)


def save_model(model, filepath, overwrite=True, **kwargs):
    model.save(filepath, overwrite=overwrite, **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a ``.keras`` file (Keras 3 / TF 2.21 or tinytf), or a legacy whole-model ``.h5``
    (``.keras`` must be a zip and ``.h5`` / ``.hdf5`` HDF5; any other name is read by content)."""
    import os
    from ..models import weights_kind
    filepath = os.fspath(filepath)
    if weights_kind(filepath) == "hdf5":
        from .legacy_h5 import load_legacy_model
        return load_legacy_model(filepath, custom_objects, compile, safe_mode)
    from .keras_file import load_model as load
    return load(filepath, custom_objects, compile, safe_mode)
