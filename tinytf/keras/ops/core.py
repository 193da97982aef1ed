"""``keras.ops`` core: conversion, Keras 3's dtype promotion, and the structural ops (``shape``,
``cast``, ``slice``, ``stop_gradient``, ``vectorized_map``, ...).

Keras converts arguments as its TensorFlow backend does: Python floats become float32, ints int32,
NumPy arrays keep their dtype. Binary ops promote as Keras 3 does (``keras.backend.result_type``):
Python numbers are weakly typed (``ops.add(float16_x, 1.0)`` stays float16, an int tensor with a
Python float becomes float32); between tensors, bool < ints < floats, and two floats or two ints
take the wider type (an int with a float takes the float's type).
"""
import builtins
import functools

import numpy as np

from ...backend import floatx
from ...dtypes import np_dtype
from ...ops import array_ops as A, math_ops as M
from ...tensor import Tensor, to_array
from ..naming import unique_name


_KERAS_TENSOR = []


def _keras_tensor_type():
    if not _KERAS_TENSOR:  # the layers import keras.ops: resolved at the first call
        from ..layers.base import KerasTensor
        _KERAS_TENSOR.append(KerasTensor)
    return _KERAS_TENSOR[0]


def _symbolic_leaves(args, kwargs):
    """The KerasTensors among the arguments (top level, and one level into lists and tuples)."""
    kt = _keras_tensor_type()
    found = []
    for v in (*args, *kwargs.values()):
        if isinstance(v, kt):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            found.extend(e for e in v if isinstance(e, kt))
    return found


def symbolic(fn):
    """Keras 3's symbolic call for the functional API: given KerasTensors, the op becomes a layer
    node (a ``Lambda`` over it, of the first input's dtype so integer inputs stay integers) whose
    output is a KerasTensor; given tensors or arrays it just runs. One output only (tinytf's
    functional API); such a model cannot be saved (the ``Lambda`` cannot be serialised)."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        leaves = _symbolic_leaves(args, kwargs)
        if not leaves:
            return fn(*args, **kwargs)
        from ..layers.lambda_layer import Lambda
        kt = _keras_tensor_type()

        def swap(v, real):
            if isinstance(v, kt):
                return next(real)
            if isinstance(v, (list, tuple)) and builtins.any(isinstance(e, kt) for e in v):
                return type(v)(next(real) if isinstance(e, kt) else e for e in v)
            return v

        def run(inputs):
            real = iter(inputs if len(leaves) > 1 else [inputs])
            a = [swap(v, real) for v in args]
            k = {name: swap(v, real) for name, v in kwargs.items()}
            return fn(*a, **k)
        layer = Lambda(run, dtype=leaves[0].dtype, name=unique_name(fn.__name__))
        return layer(leaves if len(leaves) > 1 else leaves[0])
    return op


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A Tensor; with ``dtype``, cast to it (a float-to-float cast keeps the gradient)."""
    if sparse or ragged:
        raise ValueError("convert_to_tensor: tinytf has no sparse or ragged tensors "
                         f"(got sparse={sparse!r}, ragged={ragged!r})")
    if isinstance(x, Tensor):
        t = x
    else:
        try:
            t = Tensor(to_array(x))
        except (TypeError, ValueError) as e:
            raise ValueError(f"convert_to_tensor: cannot convert {type(x).__name__} to a tensor: {e}") from None
        if np.asarray(t).dtype.kind in "USO":
            raise ValueError(f"convert_to_tensor: cannot convert {x!r} to a numeric tensor")
    return t if dtype is None else cast(t, dtype)


def convert_to_numpy(x):
    return np.array(np.asarray(convert_to_tensor(x)))


def is_tensor(x):
    return isinstance(x, Tensor)


def dtype(x):
    if isinstance(x, _keras_tensor_type()):
        return np.dtype(x.dtype).name
    return np.asarray(convert_to_tensor(x)).dtype.name


def shape(x):
    """The static shape as a tuple of ints (Keras 3 returns a tuple, not a tensor; a KerasTensor's
    has None for unknown axes)."""
    if isinstance(x, _keras_tensor_type()):
        return tuple(x.shape)
    return tuple(np.asarray(convert_to_tensor(x)).shape)


def cast(x, dtype):
    if dtype is None:
        raise ValueError("cast: dtype must be given, got None")
    return M.cast(convert_to_tensor(x), np_dtype(dtype))


def _weak(x):
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.generic)


def _rank(dt):
    return {"b": 0, "u": 1, "i": 1, "f": 2}.get(dt.kind, 3)


def _promote(a, b):
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return a if ra > rb else b
    return np.promote_types(a, b)


def result_type(*values):
    """The dtype Keras 3 computes ``values`` in (Python numbers weakly typed; see the module doc)."""
    strong = [np.asarray(v if isinstance(v, Tensor) else convert_to_tensor(v)).dtype for v in values if not _weak(v)]
    weak = [v for v in values if _weak(v)]
    if strong:
        out = strong[0]
        for d in strong[1:]:
            out = _promote(out, d)
    else:
        out = None
    weak_kind = max((2 if isinstance(v, float) else 1 if not isinstance(v, bool) else 0) for v in weak) \
        if weak else -1
    if out is None:
        return np.dtype({2: floatx(), 1: "int32", 0: "bool"}[weak_kind])
    if weak_kind == 2 and out.kind != "f":
        return np.dtype(floatx())
    if weak_kind == 1 and out.kind == "b":
        return np.dtype("int32")
    return np.dtype(out)


def operands(*values, dtype=None):
    """``values`` as Tensors of one dtype (``dtype``, or their ``result_type``)."""
    if dtype is None and builtins.all(isinstance(v, Tensor) for v in values) and len(
            {np.asarray(v).dtype for v in values}) == 1:
        return list(values)
    dt = np.dtype(dtype) if dtype is not None else result_type(*values)
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v if np.asarray(v).dtype == dt else M.cast(v, dt))
        else:
            out.append(Tensor(np.asarray(to_array(v)).astype(dt, copy=False)))
    return out


def float_operand(x):
    """``x`` as a float tensor (ints and bools become float32, as Keras's unary float ops do)."""
    t = convert_to_tensor(x)
    return t if np.asarray(t).dtype.kind == "f" else Tensor(np.asarray(t).astype(floatx()))


def stop_gradient(variable):
    return A.stop_gradient(convert_to_tensor(variable))


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's name
    """``inputs[start:start + shape]`` on every axis (``lax.dynamic_slice``'s arguments)."""
    x = convert_to_tensor(inputs)
    starts = [int(s) for s in to_array(start_indices).reshape(-1)]
    sizes = [int(s) for s in to_array(shape).reshape(-1)]
    if len(starts) != x.ndim or len(sizes) != x.ndim:
        raise ValueError(f"slice: start_indices and shape need one entry per axis of the rank-{x.ndim} "
                         f"input, got {starts} and {sizes}")
    key = tuple(builtins.slice(b, b + (d - b if s == -1 else s)) for b, s, d in zip(starts, sizes, np.asarray(x).shape))
    return A.getitem(x, key)


def unstack(x, num=None, axis=0):
    return A.unstack(convert_to_tensor(x), num, axis)


def vectorized_map(function, elements):
    """``function`` on each slice along axis 0 of ``elements`` (a tensor or a structure of them),
    stacked (tinytf runs the slices one by one)."""
    from ...nest import flatten, pack_sequence_as
    flat = [convert_to_tensor(e) for e in flatten(elements)]
    n = np.asarray(flat[0]).shape[0] if flat and np.asarray(flat[0]).ndim else None
    if n is None or any(t.ndim == 0 or np.asarray(t).shape[0] != n for t in flat):
        raise ValueError("vectorized_map: every element must have the same size along axis 0, got shapes "
                         f"{[t.shape for t in flat]}")
    outs = [function(pack_sequence_as(elements, [A.getitem(t, i) for t in flat])) for i in range(n)]
    first = flatten(outs[0])
    stacked = [A.stack([flatten(o)[k] for o in outs]) for k in range(len(first))]
    return pack_sequence_as(outs[0], stacked)


map = vectorized_map  # noqa: A001 - keras.ops.map(f, xs): the same contract for tinytf


def cond(pred, true_fn, false_fn):
    return true_fn() if bool(np.asarray(convert_to_tensor(pred))) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for i in [lower, upper) (tinytf runs the loop in Python)."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Run ``body`` while ``cond`` holds (a tuple or list of loop variables is passed unpacked)."""
    many = isinstance(loop_vars, (tuple, list))
    state, n = loop_vars, 0
    while (maximum_iterations is None or n < maximum_iterations) and bool(
            np.asarray(convert_to_tensor(cond(*state) if many else cond(state)))):
        state = body(*state) if many else body(state)
        if many and not isinstance(state, (tuple, list)):
            state = (state,)
        n += 1
    return type(loop_vars)(state) if many else state
