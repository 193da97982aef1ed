"""Weights in HDF5: Keras 3's ``.weights.h5`` and the legacy Keras 2 ``.h5`` layout.

Keras 3 (``model.weights.h5`` inside a ``.keras`` file too): one group per object, named as
Keras's ``saving_lib`` walks the model: a Sequential's / functional model's layers under
``layers/<class name in snake_case>[_<k>]`` (numbered per class in ``model.layers`` order), other
layers by attribute name (sorted, private ones last; lists as containers numbered the same way);
each object's own variables in ``<path>/vars/0, 1, ...`` (trainable, then non-trainable, in
creation order), ``vars`` at the top for the model's own.

Legacy (TF 2.0-2.15 ``save_weights('w.h5')``, and ``model_weights/`` of ``model.save('m.h5')``):
``layer_names`` attribute; per layer a group with ``weight_names`` and the arrays at those paths
(``conv2d/kernel:0``). Matched to the model's layers with weights, in order (Keras 2's
``load_weights`` without ``by_name``).

Files are opened through ``loading.py`` (links and storage checked before anything is read);
every dataset's declared shape and dtype is checked against the model before any data is read,
and every array is read before any weight is assigned.
"""
import io
import os
import warnings

import numpy as np

from ...files import atomic_write
from ...loading import FileRefused, check_h5, dtype_problem, h5_dataset, read_dataset
from ..naming import snake_case

_UNWALKED = frozenset({"_tracked", "_trainable_weights", "_non_trainable_weights", "_regularized",
                       "_activity_losses", "_functional", "_metric_specs", "_compile_metrics", "optimizer", "history",
                       "input_shape_built", "output_shape_built", "_input_shape_arg", "_stack",
                       "_input_layer", "_loss_tracker", "_compile_loss", "loss"})


def h5py():
    try:
        import h5py as mod
    except ImportError:
        raise ImportError("HDF5 files (.h5, .weights.h5, .keras) need h5py: pip install 'tinytf[h5]' "
                          "(or pip install h5py)") from None
    return mod


def _own_vars(layer):
    own = layer._own_weights()
    return [v for v, t in own if t] + [v for v, t in own if not t]


def keras3_entries(model):
    """``[(group path, layer, [variables])]`` for every object Keras 3 would save, in its order."""
    from ..layers.base import Layer
    from .model_config import keras_layers
    out, visited = [], set()

    def container(items, path):
        used = {}
        for item in items:
            if isinstance(item, Layer):
                name = _unique(snake_case(type(item).__name__), used)
                walk(item, f"{path}/{name}")
            elif isinstance(item, (list, tuple, dict)):
                container(list(item.values()) if isinstance(item, dict) else item,
                          f"{path}/{_unique('container', used)}")

    def walk(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        out.append((path, layer, _own_vars(layer)))
        prefix = f"{path}/" if path else ""
        listed = keras_layers(layer) if hasattr(layer, "_functional") else None
        if listed is not None:
            container(listed, prefix + "layers")
        for attr in sorted(layer.__dict__, key=lambda a: f"~{a}" if a.startswith("_") else a):
            value = layer.__dict__[attr]
            if attr in _UNWALKED or attr.startswith("__"):
                continue
            if isinstance(value, Layer):
                walk(value, prefix + attr)
            elif isinstance(value, (list, tuple, dict)) and value and listed is None:
                items = list(value.values()) if isinstance(value, dict) else list(value)
                if any(isinstance(i, (Layer, list, tuple, dict)) for i in items):
                    container(items, prefix + attr)
    walk(model, "")
    return out


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def write_keras3(model, target, optimizer=False):
    """Write the model's weights in Keras 3's layout to ``target`` (a path: atomically; or a file);
    with ``optimizer`` (a ``.keras`` file) also the optimizer's variables under ``optimizer/vars``."""
    h5 = h5py()
    buf = io.BytesIO()
    with h5.File(buf, "w") as f:
        for path, layer, variables in keras3_entries(model):
            g = f.require_group(f"{path}/vars" if path else "vars")
            g.attrs["name"] = layer.name
            for i, v in enumerate(variables):
                g.create_dataset(str(i), data=v.numpy())
        opt = getattr(model, "optimizer", None)
        if optimizer and opt is not None and hasattr(opt, "save_own_variables") and _keras_order(model):
            g = f.require_group("optimizer/vars")
            g.attrs["name"] = opt.name
            store = {}
            opt.save_own_variables(store)
            for k, a in store.items():
                g.create_dataset(k, data=a)
    data = buf.getvalue()
    if isinstance(target, (str, os.PathLike)):
        with atomic_write(target) as out:
            out.write(data)
    else:
        target.write(data)


def _open(source, what):
    """The HDF5 file, opened and checked (``loading.check_h5``: hard links only, no data outside
    the file) before anything in it is read."""
    h5 = h5py()
    try:
        f = h5.File(source, "r")
    except OSError as e:
        raise ValueError(f"{what} is not a readable HDF5 file (truncated or corrupted?): {e}") from None
    try:
        check_h5(f, what)
    except BaseException:
        f.close()
        raise
    return f


def is_legacy(f):
    return "layer_names" in f.attrs or ("model_weights" in f and "layer_names" in f["model_weights"].attrs)


def read_keras3(model, f, what):
    """``[(variable, array)]`` for every weight of ``model`` from an open Keras 3 weights file;
    a ``ValueError`` listing every difference (nothing assigned here)."""
    pairs, problems, used = [], [], set()
    for path, layer, variables in keras3_entries(model):
        gpath = f"{path}/vars" if path else "vars"
        g = f.get(gpath)
        if g is None and path.startswith("layers") and "_layer_checkpoint_dependencies" in f:
            g = f.get(gpath.replace("layers", "_layer_checkpoint_dependencies", 1))
        if g is not None and not isinstance(g, h5py().Group):
            problems.append(f"{g.name} (layer '{layer.name}'): is an HDF5 {type(g).__name__}, expected a group")
            continue
        n = len(g) if g is not None else 0
        if g is not None:
            used.add(g.name)
        if n != len(variables):
            if g is None and variables:
                problems.append(f"{gpath} (layer '{layer.name}', {len(variables)} weights): missing in file")
            else:
                problems.append(f"{gpath} (layer '{layer.name}'): file has {n} arrays, model has "
                                f"{len(variables)} weights")
            continue
        for i, v in enumerate(variables):
            ds = h5_dataset(g, str(i), what)
            if ds is None:
                problems.append(f"{gpath}/{i} missing in file")
            else:
                problems += _mismatch(ds, v, f"{gpath}/{i} (layer '{layer.name}' {v.name})")
                pairs.append((v, ds))
    extra = []

    def scan(name, obj):
        if name.endswith("/vars") or name == "vars":
            if len(obj) and obj.name not in used and not name.startswith(("optimizer", "metrics")):
                extra.append(name)
    f.visititems(scan)
    if extra:
        problems.append(f"not in model: {extra}")
    if problems:
        raise ValueError(f"load_weights: {what} does not match this model (no weight was changed):\n  "
                         + "\n  ".join(problems))
    return [(v, read_dataset(ds, what)) for v, ds in pairs]


def _mismatch(ds, v, where):
    """``[problem]`` of dataset ``ds`` for variable ``v``: its declared shape and dtype, unread."""
    if ds.shape != tuple(v.shape):
        return [f"{where}: file {ds.shape} vs model {tuple(v.shape)}"]
    why = dtype_problem(ds.dtype, v.dtype.as_numpy_dtype)
    return [f"{where}: {why}"] if why else []


def optimizer_state(f, model, what):
    """The arrays of ``optimizer/vars`` (Keras order: iteration, learning_rate, slots), or {}; each a
    number array no bigger than the model's largest trainable variable, checked before reading."""
    g = f.get("optimizer/vars")
    if g is None:
        return {}
    if not isinstance(g, h5py().Group):
        raise ValueError(f"{what}: optimizer/vars is an HDF5 {type(g).__name__}, expected a group")
    shapes = {tuple(v.shape) for v in model.trainable_variables} | {()}
    out = {}
    for k in g:
        ds = h5_dataset(g, k, what)
        why = dtype_problem(ds.dtype, np.float32 if ds.dtype.kind == "f" else np.int64)
        if why or ds.shape not in shapes:
            raise ValueError(f"{what}: optimizer/vars/{k} ({ds.shape}, {ds.dtype}) is not a state array of "
                             f"this model's optimizer{': ' + why if why else ''}")
        out[k] = ds
    return {k: read_dataset(ds, what) for k, ds in out.items()}


def load_optimizer_state(model, state):
    """Build the compiled model's optimizer and load ``state`` into it (a warning if it differs)."""
    opt = getattr(model, "optimizer", None)
    if not state or opt is None or not hasattr(opt, "load_own_variables"):
        return
    if not opt.built and len(state) <= 2:  # never trained: iteration and learning rate only
        return
    if not _keras_order(model):
        warnings.warn("the optimizer state of this file was not loaded: this model orders its trainable "
                      "variables differently from Keras (a branching functional model)", stacklevel=3)
        return
    if not opt.built:
        opt.build(model.trainable_variables)
    opt.load_own_variables(state)


def _keras_order(model):
    """Whether the model's trainable variables are in Keras's order (the optimizer slots' order)."""
    ours = [id(v) for v in model.trainable_variables]
    keras = [id(v) for _, layer, vs in keras3_entries(model) for v in vs if any(id(v) == i for i in ours)]
    return ours == keras


def _names(attr):
    """The strings of a ``layer_names`` / ``weight_names`` attribute ([] if absent or empty)."""
    if attr is None or isinstance(attr, h5py().Empty):
        return []
    values = np.asarray(attr).reshape(-1).tolist()
    return [n.decode("utf8", "replace") if isinstance(n, bytes) else str(n) for n in values]


def read_legacy(model, f, what):
    """``[(variable, array)]`` from a Keras 2 HDF5 file (``save_weights('w.h5')`` or a whole-model
    ``.h5``); layers with weights matched in order."""
    g = f["model_weights"] if "model_weights" in f else f
    file_layers = []
    for name in [None] + _names(g.attrs.get("layer_names")):
        obj = g if name is None else g.get(name) if name in g else None
        if name is not None and obj is None:
            raise ValueError(f"load_weights: {what}: layer group {name!r} listed in layer_names is missing")
        if not isinstance(obj, h5py().Group):
            raise FileRefused(what, obj.name,
                              f"is an HDF5 {type(obj).__name__}, expected a group of a layer's arrays")
        if name is None:
            continue
        weight_names = _names(g[name].attrs.get("weight_names"))
        if weight_names:
            missing = [w for w in weight_names if w not in g[name]]
            if missing:
                raise ValueError(f"load_weights: {what}: layer {name!r} lacks the arrays {missing}")
            file_layers.append((name, [h5_dataset(g[name], w, what) for w in weight_names], weight_names))
    layers = [l for l in _legacy_layers(model) if l.weights]
    if len(layers) != len(file_layers):
        raise ValueError(f"load_weights: {what} does not match this model (no weight was changed): the file has "
                         f"{len(file_layers)} layers with weights {[n for n, _, _ in file_layers]}, the model "
                         f"{len(layers)} {[l.name for l in layers]}")
    pairs, problems = [], []
    for layer, (name, datasets, wnames) in zip(layers, file_layers):
        ws = layer.weights
        if len(ws) != len(datasets):
            problems.append(f"layer '{layer.name}' has {len(ws)} weights, file layer {name!r} has {len(datasets)}")
            continue
        for v, ds, wn in zip(ws, datasets, wnames):
            problems += _mismatch(ds, v, f"{name}/{wn} (layer '{layer.name}')")
            pairs.append((v, ds))
    if problems:
        raise ValueError(f"load_weights: {what} does not match this model (no weight was changed):\n  "
                         + "\n  ".join(problems))
    return [(v, read_dataset(ds, what)) for v, ds in pairs]


def write_legacy(model, target, model_config=None, compile_config=None):
    """Keras 2's HDF5 layout: ``save_weights('w.h5')``, or with ``model_config`` a whole-model ``.h5``
    (with ``compile_config``, its ``training_config``: ``load_model`` compiles it again, as Keras)."""
    import json
    h5 = h5py()
    buf = io.BytesIO()
    with h5.File(buf, "w") as f:
        if model_config is not None:
            f.attrs["backend"] = "tensorflow"
            f.attrs["keras_version"] = "3.15.1"
            f.attrs["model_config"] = json.dumps(model_config)
            if compile_config:
                f.attrs["training_config"] = json.dumps({
                    "loss": compile_config["loss"], "metrics": compile_config["metrics"], "weighted_metrics": None,
                    "loss_weights": None, "optimizer_config": compile_config["optimizer"]})
            g = f.create_group("model_weights")
        else:
            g = f
        layers = _legacy_layers(model)
        g.attrs["backend"] = "tensorflow"
        g.attrs["keras_version"] = "3.15.1"
        g.attrs["layer_names"] = np.array([l.name.encode("utf8") for l in layers])
        for layer in layers:
            lg = g.create_group(layer.name)
            names = [f"{layer.name}/{v.name.split(':')[0].rsplit('/', 1)[-1]}:0" for v in layer.weights]
            lg.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
            for n, v in zip(names, layer.weights):
                lg.create_dataset(n, data=v.numpy())
    with atomic_write(target) as out:
        out.write(buf.getvalue())


def _legacy_layers(model):
    """Keras's ``model.layers`` (the order legacy files are matched in), InputLayers left out."""
    from ..layers.core import InputLayer
    from .model_config import keras_layers
    listed = keras_layers(model) if hasattr(model, "_functional") else None
    return [l for l in (model.layers if listed is None else listed) if not isinstance(l, InputLayer)]


def assign(pairs):
    for v, a in pairs:
        v.assign(np.asarray(a, dtype=v.dtype.as_numpy_dtype))


def load_h5_weights(model, filepath):
    what = os.fspath(filepath)
    with _open(what, what) as f:
        pairs = read_legacy(model, f, what) if is_legacy(f) else read_keras3(model, f, what)
    assign(pairs)
