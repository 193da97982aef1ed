"""tinytf: TensorFlow 2's convolutional-network API on NumPy.

``import tinytf as tf`` and write TensorFlow code: tensors, ``GradientTape``, ``tf.nn`` ops,
``tf.keras`` layers and models. Arrays are NHWC, filters HWIO, floats float32 by default.
"""
import types as _types

from . import config, dtypes, errors, math, nn, random  # noqa: F401
from . import ops as _ops
from .backend import floatx as _floatx  # noqa: F401
from .dtypes import (  # noqa: F401
    DType, as_dtype, bool, complex64, complex128, double, float16, float32, float64, half, int8, int16, int32, int64,
    string, uint8, uint16)
from .ops.array_ops import (  # noqa: F401
    boolean_mask, broadcast_to, concat, expand_dims, eye, fill, gather, identity, linspace, one_hot,
    ones, ones_like, pad, rank, reshape, reverse, shape, size, split, squeeze, stack, stop_gradient,
    tile, transpose, unstack, where, zeros, zeros_like)
from .ops.array_ops import range_ as range  # noqa: F401,A004
from .ops.math_ops import (  # noqa: F401
    abs, add, add_n, argmax, argmin, cast, clip_by_value, cos, cumsum, divide, equal, exp, greater,
    greater_equal, less, less_equal, log, logical_and, logical_not, logical_or, matmul, maximum,
    minimum, multiply, negative, not_equal, pow, reduce_all, reduce_any, reduce_logsumexp, reduce_max,
    reduce_mean, reduce_min, reduce_prod, reduce_sum, round, sigmoid, sign, sin, sqrt, square,
    squared_difference, subtract, tanh, tensordot)
from .ops.math_ops import einsum  # noqa: F401
from .ops.index_ops import gather_nd, unique  # noqa: F401
from .ops.sort_ops import argsort, sort  # noqa: F401
from .ops.scatter_ops import (  # noqa: F401
    broadcast_dynamic_shape, meshgrid, saturate_cast, tensor_scatter_nd_add, tensor_scatter_nd_sub,
    tensor_scatter_nd_update)
from .custom_gradient import custom_gradient  # noqa: F401
from .eager import init_scope, py_function  # noqa: F401
from .init_ops import RandomNormal as random_normal_initializer  # noqa: F401
from .module import Module  # noqa: F401
from .ops.stats_ops import roll  # noqa: F401
from .tape import GradientTape  # noqa: F401
from .tensor_array import TensorArray  # noqa: F401
from .tensor import Tensor, TensorShape, Variable, constant, convert_to_tensor  # noqa: F401

_ops.math_ops._attach()

__version__ = "2.21.0"  # the TensorFlow API implemented: code checks `tf.__version__` against "2."
__tinytf_version__ = "0.1.0"  # tinytf's own release (pyproject.toml)
newaxis = None
version = _types.SimpleNamespace(VERSION=__version__)


def get_logger():
    """TensorFlow's logger, ``logging.getLogger('tensorflow')``."""
    import logging
    return logging.getLogger("tensorflow")


def is_tensor(x):
    return isinstance(x, Tensor)


def executing_eagerly():
    return True


def function(func=None, **kwargs):
    """``tf.function``: tinytf always runs eagerly, so this returns the function unchanged (with
    ``python_function``, the function itself, set on a plain Python function)."""
    if func is None:
        return function
    if isinstance(func, _types.FunctionType):
        func.python_function = func
    return func


class device:
    """``with tf.device('/GPU:0'):`` runs the block as written: tinytf has one device, the CPU, and
    places every op there (TensorFlow's soft placement does the same on a machine without a GPU)."""

    def __init__(self, device_name):
        if device_name is not None and not isinstance(device_name, str):
            raise TypeError(f"tf.device: device_name must be a string such as '/CPU:0', got {device_name!r}")
        self.device_name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def print(*inputs, **kwargs):  # noqa: A001 - TensorFlow's name
    import builtins
    builtins.print(*[i.numpy() if isinstance(i, Tensor) else i for i in inputs], **kwargs)


_LAZY = {"keras": "tinytf.keras", "data": "tinytf.data", "image": "tinytf.image", "train": "tinytf.train",
         "io": "tinytf.io", "strings": "tinytf.strings", "compat": "tinytf.compat", "test": "tinytf.test",
         "onnx": "tinytf.keras.saving.onnx", "distribute": "tinytf.distribute", "summary": "tinytf.summary",
         "saved_model": "tinytf.keras.saving.saved_model", "autograph": "tinytf.autograph", "types": "tinytf.types",
         "python": "tinytf.python", "audio": "tinytf.audio", "signal": "tinytf.signal"}
_FROM_DATA = ("TensorSpec",)
_FROM_SUMMARY = ("name_scope",)  # tf.name_scope: prefixes summary tags (tinytf's ops have no names)
_KERAS_ALIASES = ("losses", "optimizers", "metrics", "initializers", "layers", "models", "callbacks",
                  "regularizers", "activations")


def __getattr__(name):
    import importlib
    if name in _LAZY:
        mod = importlib.import_module(_LAZY[name])
        globals()[name] = mod
        return mod
    if name in _FROM_DATA:
        return getattr(importlib.import_module("tinytf.data"), name)
    if name in _FROM_SUMMARY:
        return getattr(importlib.import_module("tinytf.summary.writer"), name)
    if name in _KERAS_ALIASES:  # tf.losses, tf.optimizers ... (TensorFlow 2.0-2.3 code)
        mod = importlib.import_module(f"tinytf.keras.{name}")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'tinytf' has no attribute {name!r}")
