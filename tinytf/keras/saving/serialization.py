"""Keras 3 configs: ``{'module', 'class_name', 'config', 'registered_name', 'build_config'}`` for
layers and models, and back.

Writing turns tinytf's ``get_config`` into what Keras 3 writes (dtype as a ``DTypePolicy``,
initializers and regularizers with their ``module``, tuples as lists, an ``InputLayer`` with
``batch_shape``; functional models with ``inbound_nodes`` / ``keras_history``). Reading resolves a
class from ``custom_objects``, the registry (``register_keras_serializable``) or tinytf's built-in
layers, and drops the Keras arguments tinytf does not have only when they hold their default value
(``groups=1``, ``kernel_constraint=None``, ...); any other unknown argument is an error naming the
layer. Nothing is unpickled; a ``Lambda`` holding Python bytecode is refused unless
``safe_mode=False``, as in Keras.
"""
import base64
import inspect
import json
import marshal
import types
import warnings

import numpy as np

_REGISTERED = {}          # "package>name" -> class or function
_GLOBAL_CUSTOM = {}       # keras.saving.get_custom_objects()
_SCOPES = []              # custom_object_scope stack

# Keras arguments tinytf's layers do not take, harmless at these values (Keras's defaults)
_DEFAULT_ONLY = {"groups": (1,), "synchronized": (False,), "renorm": (False,), "renorm_clipping": (None,),
                 "sparse": (False,), "ragged": (False,), "optional": (False,), "lora_rank": (None,),
                 "lora_alpha": (None,), "quantization_config": (None,), "activity_regularizer": (None,),
                 "kernel_constraint": (None,), "bias_constraint": (None,), "beta_constraint": (None,),
                 "gamma_constraint": (None,), "depthwise_constraint": (None,), "pointwise_constraint": (None,),
                 "input_axes": (None,), "output_axes": (None,), "autocast": (True,)}
_ALWAYS_DROP = {"renorm_momentum", "shared_object_id"}


def register_keras_serializable(package="Custom", name=None):
    """Decorator: make a class (or function) loadable by name from Keras files (``package>name``)."""
    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if key in _REGISTERED and _REGISTERED[key] is not obj:
            raise ValueError(f"{key} has already been registered to {_REGISTERED[key]}")
        _REGISTERED[key] = obj
        obj._tinytf_registered_name = key
        return obj
    return decorator


def get_registered_name(obj):
    obj = obj if isinstance(obj, type) or inspect.isfunction(obj) else type(obj)
    return obj.__dict__.get("_tinytf_registered_name", obj.__name__) if isinstance(obj, type) \
        else getattr(obj, "_tinytf_registered_name", obj.__name__)


def get_registered_object(name, custom_objects=None):
    for table in [custom_objects or {}] + _SCOPES[::-1] + [_GLOBAL_CUSTOM, _REGISTERED]:
        if name in table:
            return table[name]
    return None


def get_custom_objects():
    """The global dict of custom objects (name -> class or function), as ``keras.saving``'s."""
    return _GLOBAL_CUSTOM


class CustomObjectScope:
    """``with custom_object_scope({'MyLayer': MyLayer}): load_model(...)``."""

    def __init__(self, *objects):
        self.objects = {k: v for d in objects for k, v in (d or {}).items()}

    def __enter__(self):
        _SCOPES.append(self.objects)
        return self

    def __exit__(self, *exc):
        _SCOPES.remove(self.objects)


custom_object_scope = CustomObjectScope


# ---- writing ---------------------------------------------------------------------------------
def _builtin_layer(cls):
    from .. import layers as L
    return getattr(L, cls.__name__, None) is cls


def _plain(value):
    """JSON-ready: tuples to lists, NumPy scalars to Python numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _keras_nested(value, module):
    """tinytf's ``{'class_name', 'config'}`` (initializers, regularizers) with Keras's module."""
    if isinstance(value, dict) and "class_name" in value and "config" in value and "module" not in value:
        return {"module": module, "class_name": value["class_name"], "config": _plain(value["config"]),
                "registered_name": None}
    return value


def dtype_policy(name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def layer_config_to_keras(layer, config):
    """tinytf ``get_config()`` of ``layer`` -> the ``config`` Keras 3 writes for it."""
    from ..layers.core import InputLayer
    config = dict(config)
    if isinstance(layer, InputLayer):
        return {"batch_shape": _plain(layer.shape), "dtype": layer.dtype, "sparse": False, "ragged": False,
                "name": layer.name, "optional": False}
    config.pop("input_shape", None)  # carried by the InputLayer
    if isinstance(config.get("dtype"), str):
        config["dtype"] = dtype_policy(config["dtype"])
    for k, v in list(config.items()):
        if k.endswith("_initializer"):
            config[k] = _keras_nested(v, "keras.initializers")
        elif k.endswith("_regularizer"):
            config[k] = _keras_nested(v, "keras.regularizers")
    return _plain(config)


def serialize_keras_object(obj):
    """A layer, model, optimizer, loss or metric as Keras 3 writes it (a JSON-ready dict)."""
    from ..layers.base import Layer
    from ..models import Model
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, Model):
        from .model_config import serialize_model
        return serialize_model(obj)
    if isinstance(obj, Layer):
        cls = type(obj)
        builtin = _builtin_layer(cls)
        out = {"module": "keras.layers" if builtin else cls.__module__, "class_name": cls.__name__,
               "config": layer_config_to_keras(obj, obj.get_config()),
               "registered_name": None if builtin else get_registered_name(cls)}
        shape = obj.input_shape_built
        if obj.built and shape is not None and not _is_input_layer(obj):
            out["build_config"] = {"input_shape": _plain(shape.as_list() if hasattr(shape, "as_list")
                                                         else [list(s) for s in shape])}
        return out
    from .. import losses, metrics, optimizers
    from ..optimizers.base_optimizer import Optimizer
    if isinstance(obj, Optimizer):
        out = optimizers.serialize(obj)
        return {**out, "config": _plain(out["config"])}
    if isinstance(obj, losses.Loss):
        return _plain(losses.serialize(obj))
    if isinstance(obj, metrics.Metric):
        return _plain(metrics.serialize(obj))
    if hasattr(obj, "get_config"):
        return {"module": type(obj).__module__, "class_name": type(obj).__name__,
                "config": _plain(obj.get_config()), "registered_name": get_registered_name(obj)}
    if callable(obj):
        return getattr(obj, "__name__", repr(obj))
    raise TypeError(f"cannot serialize {obj!r}")


def _is_input_layer(layer):
    from ..layers.core import InputLayer
    return isinstance(layer, InputLayer)


# ---- reading ---------------------------------------------------------------------------------
def _describe(entry):
    return (f"class {entry.get('class_name')!r} (module {entry.get('module')!r}, registered name "
            f"{entry.get('registered_name')!r})")


def resolve_class(entry, custom_objects=None, builtin=None):
    """The class of a serialized object: from ``custom_objects``, a scope, the global custom
    objects, the registry, then ``builtin(class_name)``; a ``ValueError`` naming it otherwise."""
    names = [entry.get("registered_name"), entry.get("class_name")]
    for name in names:
        if name:
            obj = get_registered_object(name, custom_objects)
            if obj is not None:
                return obj
    module = entry.get("module") or "keras"
    if builtin is not None and (module.startswith("keras") or module.startswith("tinytf")):
        obj = builtin(entry.get("class_name"))
        if obj is not None:
            return obj
    raise ValueError(f"Unknown layer or object: {_describe(entry)}. tinytf has no built-in class of that "
                     "name; pass it with custom_objects={'" + str(entry.get("class_name")) + "': cls} or "
                     "decorate the class with keras.saving.register_keras_serializable()")


def _builtin_layer_class(name):
    from .. import layers as L
    from ..layers.base import Layer
    if name in ("Functional", "Model"):
        from ..models import Model
        return Model
    if name == "Sequential":
        from ..models import Sequential
        return Sequential
    cls = getattr(L, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, Layer) else None


def _accepted(cls):
    """Argument names the constructor takes (through ``**kwargs`` up to ``Layer``), or None for any."""
    names = set()
    for klass in cls.__mro__:
        if "__init__" not in klass.__dict__:
            continue
        params = inspect.signature(klass.__dict__["__init__"]).parameters
        names |= {n for n, p in params.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            break
        if klass.__name__ == "Layer" and klass.__module__.startswith("tinytf"):
            break
    return names - {"self"}


def _policy_name(value):
    if isinstance(value, dict):
        if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
            name = value.get("config", {}).get("name")
        else:
            raise ValueError(f"unsupported dtype policy {value.get('class_name')!r}")
        value = name
    if isinstance(value, str) and value.startswith("mixed_"):
        raise ValueError(f"dtype policy {value!r} is not supported by tinytf (float32 only)")
    return value


def _nested_object(value, kind):
    """A Keras ``{'module', 'class_name', 'config'}`` initializer / regularizer -> tinytf instance."""
    from .. import initializers as I, regularizers as R
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    # explicit tables of tinytf's classes: a name is never looked up among a module's attributes
    table = {"initializer": {c.__name__: c for c in set(I._ALIASES.values())},
             "regularizer": {"L1": R.L1, "L2": R.L2, "L1L2": R.L1L2}}[kind]
    name = value["class_name"]
    cls = get_registered_object(value.get("registered_name") or "", None) or \
        (table.get(name) if isinstance(name, str) else None)
    if not isinstance(cls, type) or not hasattr(cls, "from_config"):
        raise ValueError(f"unknown {kind} class_name {name!r}; tinytf's are {sorted(table)} "
                         "(or register yours with keras.saving.register_keras_serializable)")
    return cls.from_config(_filter(cls, dict(value.get("config") or {}), f"{kind} {value['class_name']}"))


def _filter(cls, config, what):
    accepted = _accepted(cls)
    out = {}
    for k, v in config.items():
        if k in accepted:
            out[k] = v
        elif k in _ALWAYS_DROP or (k in _DEFAULT_ONLY and v in _DEFAULT_ONLY[k]) or \
                (v is None and k not in ("rate", "units", "filters")):
            continue
        else:
            raise ValueError(f"{what}: argument {k}={v!r} is not supported by tinytf")
    return out


def keras_config_to_layer(cls, config, builtin):
    """Keras 3 ``config`` -> the keyword arguments of tinytf's ``cls`` (checked, see module doc)."""
    config = dict(config)
    if "dtype" in config:
        config["dtype"] = _policy_name(config["dtype"])
    if not builtin:
        return config
    from ..layers.core import InputLayer
    if cls is InputLayer and "batch_shape" in config:
        shape = config.pop("batch_shape")
        config["shape"], config["batch_size"] = tuple(shape[1:]), shape[0]
    if cls is InputLayer and "batch_input_shape" in config:  # Keras 2
        shape = config.pop("batch_input_shape")
        config["shape"], config["batch_size"] = tuple(shape[1:]), shape[0]
    for k, v in list(config.items()):
        if k.endswith("_initializer"):
            config[k] = _nested_object(v, "initializer")
        elif k.endswith("_regularizer"):
            config[k] = _nested_object(v, "regularizer")
        elif isinstance(v, list) and k in ("kernel_size", "strides", "pool_size", "dilation_rate",
                                           "target_shape", "noise_shape", "shape"):
            config[k] = tuple(v)
    return _filter(cls, config, f"{cls.__name__} '{config.get('name')}'")


def _lambda_function(fn_config, safe_mode, custom_objects):
    if isinstance(fn_config, dict) and fn_config.get("class_name") == "__lambda__":
        if safe_mode:
            raise ValueError(
                "Requested the deserialization of a Lambda layer whose function is Python bytecode: this "
                "can run arbitrary code, so it is refused with safe_mode=True (the default). Load the file "
                "with safe_mode=False only if you trust its source.")
        cfg = fn_config["config"]
        code = marshal.loads(base64.b64decode(cfg["code"].encode("ascii") if isinstance(cfg["code"], str)
                                              else cfg["code"]))
        import tinytf
        glob = {"tf": tinytf, "keras": tinytf.keras, "np": np, **(custom_objects or {})}
        defaults = tuple(cfg["defaults"]) if cfg.get("defaults") else None
        return types.FunctionType(code, glob, name=code.co_name, argdefs=defaults)
    if isinstance(fn_config, (list, tuple)):  # Keras 2's func_dump: (base64 bytecode, defaults, closure)
        return _keras2_lambda(fn_config, safe_mode, custom_objects)
    name = fn_config.get("config") if isinstance(fn_config, dict) else fn_config
    reg = fn_config.get("registered_name") if isinstance(fn_config, dict) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"Lambda: function {str(fn_config)[:100]!r} is neither a function name nor Keras's "
                         "serialized bytecode")
    fn = get_registered_object(reg or "", custom_objects) or get_registered_object(name or "", custom_objects)
    if fn is None:
        from .. import activations
        try:
            fn = activations.get(name)
        except ValueError:
            raise ValueError(f"Lambda: unknown function {name!r}; pass it with custom_objects=") from None
    return fn


def _keras2_lambda(fn_config, safe_mode, custom_objects):
    if safe_mode:
        raise ValueError(
            "Requested the deserialization of a Keras 2 Lambda layer whose function is Python bytecode: this "
            "can run arbitrary code, so it is refused with safe_mode=True (the default). Load the file with "
            "safe_mode=False only if you trust its source.")
    import codecs
    try:
        code = marshal.loads(codecs.decode(str(fn_config[0]).encode("raw_unicode_escape"), "base64"))
    except (ValueError, EOFError, TypeError, IndexError) as e:
        raise ValueError(f"Lambda: the Keras 2 bytecode cannot be loaded by this Python ({e})") from None
    if not isinstance(code, types.CodeType) or code.co_freevars:
        raise ValueError("Lambda: the Keras 2 function is not a plain function (closures are not supported)")
    import tinytf
    glob = {"tf": tinytf, "keras": tinytf.keras, "np": np, **(custom_objects or {})}
    defaults = tuple(fn_config[1]) if len(fn_config) > 1 and fn_config[1] else None
    return types.FunctionType(code, glob, name=code.co_name, argdefs=defaults)


def deserialize_layer(entry, custom_objects=None, safe_mode=True):
    """A layer (not built) from a Keras 3 (or Keras 2) layer entry."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError(f"not a Keras layer config: {str(entry)[:200]}")
    if entry["class_name"] in ("Functional", "Model", "Sequential") and \
            _builtin_layer_class(entry["class_name"]) is not None and \
            get_registered_object(entry.get("registered_name") or "", custom_objects) is None:
        from .model_config import deserialize_model
        return deserialize_model(entry, custom_objects, safe_mode)
    cls = resolve_class(entry, custom_objects, _builtin_layer_class)
    from ..layers.base import Layer
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{_describe(entry)} names {cls!r}, which is not a Layer class; a layer config must "
                         "name a Layer subclass")
    builtin = _builtin_layer(cls) or cls.__module__.startswith("tinytf.keras")
    config = dict(entry.get("config") or {})
    if cls.__name__ == "Lambda" and builtin:
        fn = _lambda_function(config.pop("function"), safe_mode, custom_objects)
        config.pop("function_type", None)
        for k in ("output_shape", "output_shape_type", "output_shape_module", "module", "mask", "arguments"):
            if config.get(k) in (None, {}, "raw") or k in ("module", "output_shape_module", "output_shape_type"):
                config.pop(k, None)
        kwargs = keras_config_to_layer(cls, config, True)
        return cls(fn, **{k: v for k, v in kwargs.items() if k != "function"})
    kwargs = keras_config_to_layer(cls, config, builtin)
    from ..models import Model
    if isinstance(cls, type) and issubclass(cls, Model) and not builtin:
        layer = _from_config(cls, kwargs, custom_objects)
    else:
        layer = _from_config(cls, kwargs, custom_objects)
    build = entry.get("build_config") or {}
    if build.get("input_shape") is not None and not layer.built:
        _build(layer, build["input_shape"])
    return layer


def _from_config(cls, kwargs, custom_objects):
    params = inspect.signature(cls.from_config).parameters
    try:
        return cls.from_config(kwargs, custom_objects) if "custom_objects" in params else cls.from_config(kwargs)
    except TypeError as e:
        raise TypeError(f"{cls.__name__}.from_config could not rebuild the layer from its Keras config "
                        f"({e}); give the class a get_config/from_config pair") from None


def _build(layer, shape):
    from ..models import Model, Sequential
    from ...tensor import TensorShape
    multi = isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple))
    if isinstance(layer, Model) and not isinstance(layer, Sequential) and layer._functional is None:
        zeros = [np.zeros([1 if d is None else d for d in s], layer.dtype) for s in shape] if multi else \
            np.zeros([1 if d is None else d for d in shape], layer.dtype)
        layer(zeros)
    elif isinstance(layer, Sequential):
        layer.build(shape)
    else:
        layer._maybe_build([TensorShape(s) for s in shape] if multi else TensorShape(shape))


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, module_objects=None):
    """A layer or model from its Keras config (also a JSON string)."""
    if isinstance(config, str):
        config = json.loads(config)
    return deserialize_layer(config, custom_objects, safe_mode)


# ---- compile_config --------------------------------------------------------------------------
def compile_config(model):
    if not getattr(model, "compiled", False):
        return {}

    def named(x):
        if isinstance(x, (str, type(None))):
            return x
        return serialize_keras_object(x) if hasattr(x, "get_config") else getattr(x, "__name__", repr(x))
    metrics = getattr(model, "_metric_specs", None)
    return {"optimizer": serialize_keras_object(model.optimizer), "loss": named(model.loss),
            "loss_weights": None, "metrics": [named(m) for m in metrics] if metrics else None,
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def compile_from_config(model, config, custom_objects=None):
    """Compile ``model`` as ``compile_config`` says; a warning (model left uncompiled) if it cannot."""
    if not config or config.get("optimizer") is None:
        return
    from .. import losses, metrics, optimizers
    try:
        opt = config["optimizer"]
        if isinstance(opt, dict):
            cfg = dict(opt.get("config") or {})
            cls = get_registered_object(opt.get("registered_name") or "", custom_objects) or \
                optimizers._ALL.get(str(opt.get("class_name")).lower())
            if cls is None:
                raise ValueError(f"unknown optimizer {opt.get('class_name')!r}")
            cfg = {k: v for k, v in cfg.items() if k in _accepted(cls) or v is not None}
            if isinstance(cfg.get("learning_rate"), float):
                cfg["learning_rate"] = float(np.float32(cfg["learning_rate"]))
            opt = cls.from_config(cfg, custom_objects)

        def obj(x, mod):
            if isinstance(x, dict):
                found = get_registered_object(x.get("registered_name") or "", custom_objects)
                return found.from_config(x.get("config") or {}) if found else mod.deserialize(x, custom_objects)
            if isinstance(x, str):
                return get_registered_object(x, custom_objects) or x
            return x
        loss = config.get("loss")
        loss = {k: obj(v, losses) for k, v in loss.items()} if isinstance(loss, dict) and "class_name" not in loss \
            else obj(loss, losses)
        mets = [obj(m, metrics) for m in config.get("metrics") or []]
        model.compile(optimizer=opt, loss=loss, metrics=mets or None)
    except Exception as e:  # Keras also loads the model uncompiled when compile fails
        warnings.warn(f"the model was loaded but not compiled: its compile_config could not be used ({e})",
                      stacklevel=3)


def deserialize_from_file(config, filepath, where, budget, custom_objects=None, safe_mode=True):
    """``deserialize_layer`` of a file's model config, allocating at most ``budget`` bytes of
    weights (what the file can fill); an error names the file and the part of it (``where``)."""
    from ...loading import FileRefused, allocation_budget
    try:
        with allocation_budget(filepath, budget):
            return deserialize_layer(config, custom_objects, safe_mode)
    except FileRefused:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ImportError, NotImplementedError,
            RecursionError) as e:
        raise ValueError(f"{filepath} ({where}): {e}") from None
