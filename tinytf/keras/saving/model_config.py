"""Model configs as Keras 3 writes them: ``Sequential`` (a list of layers, an ``InputLayer`` first)
and ``Functional`` (each layer with its ``inbound_nodes``; tensors named by ``keras_history`` =
[layer name, node index, tensor index]; ``input_layers`` / ``output_layers``). Also reads Keras 2's
``inbound_nodes`` form ([[name, node, tensor, kwargs], ...]). ``keras_layers`` gives Keras's
``model.layers`` order, which names the groups of the weights files."""
from .serialization import (_plain, compile_config, deserialize_layer, dtype_policy, get_registered_name,
                            resolve_class, serialize_keras_object)


def _kt(t, names):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": _plain(tuple(t.shape)), "dtype": t.dtype,
                       "keras_history": [t.layer.name, names[id(t)], 0]}}


def functional_order(model):
    """Keras 3's ``Functional.layers`` order: by depth from the inputs, ties in depth-first
    discovery order from the outputs (``keras.src.ops.function.map_graph``); InputLayers included."""
    ins, outs, order, _ = model._functional
    index, depth, seen = {}, {}, set()

    def visit(t):  # a tensor seen before adds nothing new: visit each once (linear, not exponential)
        if id(t) in seen:
            return
        seen.add(id(t))
        if t.layer is not None and id(t.layer) not in index:
            index[id(t.layer)] = (len(index), t.layer)
        for p in t.parents:
            visit(p)
    for t in outs:
        visit(t)
    node_depth = {}
    for t in reversed(order):  # outputs first: a parent is deeper than each child
        node_depth.setdefault(id(t), 0)
        for p in t.parents:
            node_depth[id(p)] = max(node_depth.get(id(p), 0), node_depth[id(t)] + 1)
    for t in order:
        if t.layer is not None:
            depth[id(t.layer)] = max(depth.get(id(t.layer), 0), node_depth[id(t)])
    layers = sorted(index.values(), key=lambda p: (-depth[id(p[1])], p[0]))
    return [layer for _, layer in layers]


def keras_layers(model):
    """What Keras's ``model.layers`` holds for this model (weights-file group order)."""
    from ..models import Sequential
    if isinstance(model, Sequential):
        return list(model.layers)
    if getattr(model, "_functional", None) is not None:
        return functional_order(model)
    return None


def serialize_model(model):
    from ..models import Sequential
    from ..layers.core import InputLayer
    cls = type(model)
    if isinstance(model, Sequential):
        layers = []
        shape = model.input_shape
        if model._input_layer is not None:
            layers.append(serialize_keras_object(model._input_layer))
        elif shape is not None:
            layers.append({"module": "keras.layers", "class_name": "InputLayer",
                           "config": {"batch_shape": _plain(tuple(shape)), "dtype": model.dtype, "sparse": False,
                                      "ragged": False, "name": "input_layer", "optional": False},
                           "registered_name": None})
        layers += [serialize_keras_object(l) for l in model.layers]
        config = {"name": model.name, "trainable": model.trainable, "dtype": dtype_policy(model.dtype),
                  "layers": layers}
        if shape is not None:
            config["build_input_shape"] = _plain(tuple(shape))
        builtin = cls is Sequential
        out = {"module": "keras" if builtin else cls.__module__, "class_name": cls.__name__, "config": config,
               "registered_name": None if builtin else get_registered_name(cls),
               "build_config": {"input_shape": _plain(tuple(shape)) if shape is not None else None}}
    elif model._functional is not None:
        ins, outs, order, multi = model._functional
        nodes = {}   # id(layer) -> list of KerasTensors it made
        names = {}   # id(KerasTensor) -> node index
        for t in order:
            if t.layer is not None:
                made = nodes.setdefault(id(t.layer), [])
                names[id(t)] = len(made)
                made.append(t)
        entries = []
        for layer in functional_order(model):
            e = serialize_keras_object(layer)
            e["name"] = layer.name
            e["inbound_nodes"] = []
            if not isinstance(layer, InputLayer):
                for t in nodes[id(layer)]:
                    args = [_kt(p, names) for p in t.parents]
                    e["inbound_nodes"].append({"args": args if len(args) == 1 else [args], "kwargs": {}})
            entries.append(e)

        def ref(ts, is_multi):
            r = [[t.layer.name, names[id(t)], 0] for t in ts]
            return r if is_multi or len(r) > 1 else r[0]
        config = {"name": model.name, "trainable": model.trainable, "layers": entries,
                  "input_layers": ref(ins, len(ins) > 1), "output_layers": ref(outs, multi)}
        builtin = type(model).__name__ in ("Model", "Functional") and cls.__module__.startswith("tinytf")
        out = {"module": "keras.src.models.functional" if builtin else cls.__module__,
               "class_name": "Functional" if builtin else cls.__name__, "config": config,
               "registered_name": "Functional" if builtin else get_registered_name(cls),
               "build_config": {"input_shape": None}}
    else:  # subclassed: its own get_config, built from the shape it was built with
        config = _plain(model.get_config())
        config.setdefault("name", model.name)
        config.setdefault("trainable", model.trainable)
        shape = model.input_shape_built
        out = {"module": cls.__module__, "class_name": cls.__name__, "config": config,
               "registered_name": get_registered_name(cls),
               "build_config": {"input_shape": _plain(tuple(shape)) if shape is not None else None}}
    out["compile_config"] = compile_config(model)
    return out


def _tensor_refs(args):
    """``keras_history`` triples inside a node's args (Keras 3) or a Keras 2 node list."""
    if isinstance(args, dict):
        if args.get("class_name") == "__keras_tensor__":
            return tuple(args["config"]["keras_history"])
        return None
    if isinstance(args, list):
        return [_tensor_refs(a) for a in args]
    return None


def _node_inputs(node):
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        args = node.get("args") or []
        refs = _tensor_refs(args[0]) if len(args) == 1 else [_tensor_refs(a) for a in args]
        return refs
    # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
    refs = [tuple(n[:3]) for n in node]
    return refs[0] if len(refs) == 1 else refs


def deserialize_model(entry, custom_objects=None, safe_mode=True):
    from ..models import Model, Sequential
    from ..layers.core import InputLayer
    cls_name = entry["class_name"]
    config = dict(entry.get("config") or {})
    if cls_name == "Sequential":
        model = Sequential(name=config.get("name"))
        for lc in config.get("layers", []):
            model.add(deserialize_layer(lc, custom_objects, safe_mode))
        shape = config.get("build_input_shape") or (entry.get("build_config") or {}).get("input_shape")
        if not model.built and shape is not None:
            model.build(tuple(shape))
        return model
    # functional
    made, tensors, pending = {}, {}, []
    for lc in config.get("layers", []):
        layer = deserialize_layer(lc, custom_objects, safe_mode)
        name = lc.get("name") or layer.name
        made[name] = layer
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer.output
        for k, node in enumerate(lc.get("inbound_nodes") or []):
            pending.append((name, k, _node_inputs(node)))

    def lookup(refs):
        if isinstance(refs, list):
            vals = [lookup(r) for r in refs]
            return None if any(v is None for v in vals) else vals
        return tensors.get(tuple(refs)) if refs is not None else None
    while pending:
        progress = []
        for item in pending:
            name, k, refs = item
            inputs = lookup(refs)
            if inputs is None:
                continue
            tensors[(name, k, 0)] = made[name](inputs)
            progress.append(item)
        if not progress:
            raise ValueError(f"functional config: cannot connect layers {[p[0] for p in pending]} "
                             "(their inputs are never produced)")
        pending = [p for p in pending if p not in progress]

    def ends(spec):
        spec = spec if spec and isinstance(spec[0], list) else [spec]
        try:
            return [tensors[tuple(s[:3])] for s in spec]
        except KeyError as e:
            raise ValueError(f"functional config: model input/output {e} is not produced by any layer") from None
    ins = ends(config["input_layers"])
    outs = ends(config["output_layers"])
    multi_out = bool(config["output_layers"]) and isinstance(config["output_layers"][0], list)
    cls = Model
    if cls_name not in ("Functional", "Model"):
        cls = resolve_class(entry, custom_objects, None)
    return cls(inputs=ins if len(ins) > 1 else ins[0], outputs=outs if multi_out else outs[0],
               name=config.get("name"))
