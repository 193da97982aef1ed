"""``tf.saved_model``: tinytf's own SavedModel folder. TensorFlow's SavedModel is a protobuf graph of
traced functions, which tinytf (eager, no graphs) can neither write nor run; tinytf's folder holds

* ``tinytf_saved_model.json``: the marker (format, version, what was saved), written last;
* a Keras model: ``model.keras``, the ``.keras`` file of the model (config + weights);
* a ``tf.Module``: ``variables.npz`` (its ``variables`` in order; names and trainable flags in the marker).

Every file is written atomically; the marker is removed first and written last, so a folder cut
short by a crash has no marker and is refused. ``load`` reads through ``loading.py``'s checks and
refuses TensorFlow's own SavedModel folders with a clear error."""
import json
import os

from ...files import open_npz, write_npz_atomic, write_text_atomic
from ...loading import MAX_TEXT, FileRefused
from ...module import Module
from ...tensor import Variable
from . import keras_file

MARKER = "tinytf_saved_model.json"
FORMAT = "tinytf-saved-model"
VERSION = 1
_KERAS, _VARS = "model.keras", "variables.npz"
_TF_FILES = ("saved_model.pb", "saved_model.pbtxt")


class SaveOptions:
    """``tf.saved_model.SaveOptions``: accepted for code that passes them; tinytf's folder has no
    devices, function aliases or namespace whitelists to configure, so they change nothing."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_io_device=None, experimental_variable_policy=None, **kwargs):
        self.experimental_io_device = experimental_io_device


class LoadOptions:
    """``tf.saved_model.LoadOptions``: accepted and, like ``SaveOptions``, without effect in tinytf."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None, **kwargs):
        self.experimental_io_device = experimental_io_device


def _is_keras_model(obj):
    from ..models import Model
    return isinstance(obj, Model)


def save(obj, export_dir, signatures=None, options=None):
    """Write ``obj`` (a built Keras model or a ``tf.Module``) to the folder ``export_dir``."""
    export_dir = os.fspath(export_dir)
    if _is_keras_model(obj):
        if not getattr(obj, "built", False):
            raise ValueError("saved_model.save: the Keras model is not built; call it on data (or build it) first")
        kind = "keras"
    elif isinstance(obj, Module):
        kind = "module"
    else:
        raise ValueError(f"saved_model.save: obj must be a Keras model or a tf.Module, got {type(obj).__name__}")
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise FileExistsError(f"saved_model.save: export_dir {export_dir} exists and is not a folder")
    os.makedirs(export_dir, exist_ok=True)
    marker = os.path.join(export_dir, MARKER)
    if os.path.lexists(marker):
        os.remove(marker)
    meta = {"format": FORMAT, "version": VERSION, "kind": kind}
    if kind == "keras":
        keras_file.save_model(obj, os.path.join(export_dir, _KERAS))
    else:
        variables = obj.variables
        write_npz_atomic(os.path.join(export_dir, _VARS), {f"v{i}": v.numpy() for i, v in enumerate(variables)})
        meta["variables"] = [{"name": v.name, "trainable": bool(v.trainable)} for v in variables]
    write_text_atomic(marker, json.dumps(meta))


def _read_marker(export_dir):
    marker = os.path.join(export_dir, MARKER)
    if os.path.islink(marker) or os.path.getsize(marker) > MAX_TEXT:
        raise FileRefused(export_dir, MARKER, "is a symbolic link or too big: not a marker tinytf wrote")
    with open(marker, "rb") as f:
        raw = f.read()
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise FileRefused(export_dir, MARKER, f"is not valid JSON: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise FileRefused(export_dir, MARKER, f"is not a {FORMAT} marker")
    if meta.get("version") != VERSION:
        raise FileRefused(export_dir, MARKER, f"has version {meta.get('version')!r}; this tinytf reads {VERSION}")
    if meta.get("kind") not in ("keras", "module"):
        raise FileRefused(export_dir, MARKER, f"has kind {meta.get('kind')!r}; expected 'keras' or 'module'")
    return meta


def _data_file(export_dir, name):
    path = os.path.join(export_dir, name)
    if os.path.islink(path):
        raise FileRefused(export_dir, name, "is a symbolic link; tinytf writes a plain file there")
    if not os.path.isfile(path):
        raise FileRefused(export_dir, name, "is missing")
    return path


def load(export_dir, tags=None, options=None):
    """The object saved in ``export_dir`` by ``tf.saved_model.save``: for a Keras model an object
    whose ``__call__`` and ``signatures['serving_default']`` run the model; for a ``tf.Module`` a
    ``tf.Module`` holding the saved variables (tinytf saves no functions)."""
    export_dir = os.fspath(export_dir)
    if not os.path.isdir(export_dir):
        raise FileNotFoundError(f"saved_model.load: no such folder: {export_dir}")
    if not os.path.lexists(os.path.join(export_dir, MARKER)):
        tf_file = next((n for n in _TF_FILES if os.path.exists(os.path.join(export_dir, n))), None)
        if tf_file:
            raise ValueError(f"saved_model.load: {export_dir} is a TensorFlow SavedModel ({tf_file}): a TensorFlow "
                             "graph, which tinytf cannot read or run. Save the model from TensorFlow / Keras as a "
                             ".keras file (model.save('m.keras')) and load that with tf.keras.models.load_model")
        raise ValueError(f"saved_model.load: {export_dir} is not a SavedModel folder: no {MARKER} "
                         "(written last by tf.saved_model.save; a save cut short leaves none)")
    meta = _read_marker(export_dir)
    if meta["kind"] == "keras":
        return LoadedModel(keras_file.load_model(_data_file(export_dir, _KERAS), compile=False))
    return _load_module(export_dir, meta)


def _load_module(export_dir, meta):
    specs = meta.get("variables")
    if not isinstance(specs, list) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("trainable"), bool)
            for s in specs):
        raise FileRefused(export_dir, MARKER, "variables must be a list of {name, trainable} entries")
    path = _data_file(export_dir, _VARS)
    with open_npz(path, max_bytes=os.path.getsize(path) + (1 << 20)) as z:
        arrays = z.read_all()
    if sorted(arrays) != sorted(f"v{i}" for i in range(len(specs))):
        raise FileRefused(path, "", f"holds arrays {sorted(arrays)}; the marker lists {len(specs)} variables")
    for key, a in arrays.items():
        if a.dtype.kind not in "fiub":
            raise FileRefused(path, key, f"has dtype {a.dtype}; variables are numbers")
    restored = Module(name="restored")
    restored._saved_variables = tuple(Variable(arrays[f"v{i}"], trainable=s["trainable"], name=s["name"])
                                      for i, s in enumerate(specs))
    return restored


class LoadedModel:
    """A Keras model loaded by ``tf.saved_model.load``: ``loaded(x)`` runs it in inference mode;
    ``loaded.signatures['serving_default'](inputs=x)`` (or one positional input) returns
    ``{'output_0': tensor, 'output_1': ...}``, as TensorFlow 2.21's signature of a Keras 3 model."""

    def __init__(self, model):
        self.keras_model = model
        self.signatures = {"serving_default": self._serve}

    def __call__(self, *args, training=False, **kwargs):
        return self.keras_model(*args, training=training, **kwargs)

    def _serve(self, *args, **kwargs):
        if len(args) + len(kwargs) != 1 or kwargs and "inputs" not in kwargs:
            raise TypeError("serving_default takes one argument, the model's inputs (positional or inputs=...), "
                            f"got {len(args)} positional and keywords {sorted(kwargs)}")
        out = self.keras_model(args[0] if args else kwargs["inputs"], training=False)
        outs = out if isinstance(out, (list, tuple)) else [out]
        return {f"output_{i}": o for i, o in enumerate(outs)}

    @property
    def variables(self):
        return list(self.keras_model.weights)

    @property
    def trainable_variables(self):
        return list(self.keras_model.trainable_weights)
