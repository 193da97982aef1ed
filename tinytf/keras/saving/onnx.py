"""ONNX export of a model's inference graph: ``model.export('m.onnx')``, or
``tinytf.onnx.export(model, 'm.onnx')`` (``tf.onnx`` is this module).

Sequential and functional models of Conv2D, Dense, BatchNormalization (inference: moving
statistics), MaxPooling2D / AveragePooling2D, GlobalAveragePooling2D / GlobalMaxPooling2D, ReLU,
Activation / activations (relu, sigmoid, tanh, softmax, linear), Softmax, Flatten, Reshape,
Dropout (identity), Add / Concatenate and InputLayer. The graph takes NHWC input as the model does:
4-D tensors are transposed to NCHW once after each input and kept there (ONNX's Conv / pools /
BatchNormalization work in NCHW); a Flatten / Reshape / Dense on a 4-D tensor transposes back
first, so Keras's NHWC flatten order is kept. Built with the ``onnx`` package (``pip install
'tinytf[onnx]'``), checked with ``onnx.checker.check_model``, written atomically.
"""
import os

import numpy as np

from ...files import atomic_write

OPSET = 17


def _onnx():
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'tinytf[onnx]'") from None
    return onnx, helper, numpy_helper


class _Graph:
    def __init__(self, helper, numpy_helper):
        self.h, self.nh = helper, numpy_helper
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, array, base="const"):
        name = self.name(base)
        self.inits.append(self.nh.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, base=None, **attrs):
        out = self.name(base or op_type.lower())
        self.nodes.append(self.h.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out


_ACT = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax", "linear": None,
        "elu": "Elu", "softplus": "Softplus"}


def _activation(g, x, fn):
    from .. import activations
    name = activations.serialize(fn) if callable(fn) else fn
    if name not in _ACT:
        raise NotImplementedError(f"ONNX export: activation {name!r} is not supported")
    if _ACT[name] is None:
        return x
    return g.op(_ACT[name], [x], axis=-1) if name == "softmax" else g.op(_ACT[name], [x])


def _pads(layer, hw):
    if layer.padding == "valid":
        return [0, 0, 0, 0]
    from ...kernels.padding import axis_plan
    k = layer.kernel_size if hasattr(layer, "kernel_size") else layer.pool_size
    d = getattr(layer, "dilation_rate", (1, 1))
    plans = [axis_plan(n, kk, s, dd, "SAME") for n, kk, s, dd in zip(hw, k, layer.strides, d)]
    return [p[1] for p in plans] + [p[2] for p in plans]


def _emit(g, layer, x, nchw, in_shape):
    """(output name, output is NCHW) for ``layer`` on ``x`` (``nchw``: x is a transposed 4-D tensor)."""
    from .. import layers as L
    t = type(layer).__name__
    if isinstance(layer, (L.Conv2D,)) and t == "Conv2D":
        if layer.data_format != "channels_last":
            raise NotImplementedError("ONNX export: channels_first layers are not supported")
        k = np.asarray(layer.kernel)
        w = g.const(k.transpose(3, 2, 0, 1), "kernel")
        ins = [x, w] + ([g.const(np.asarray(layer.bias), "bias")] if layer.bias is not None else [])
        y = g.op("Conv", ins, kernel_shape=list(k.shape[:2]), strides=list(layer.strides),
                 dilations=list(layer.dilation_rate), pads=_pads(layer, in_shape[1:3]))
        return _activation(g, y, layer.activation), True
    if t in ("MaxPooling2D", "AveragePooling2D"):
        pads = _pads(layer, in_shape[1:3])
        attrs = dict(kernel_shape=list(layer.pool_size), strides=list(layer.strides), pads=pads)
        if t == "AveragePooling2D":
            attrs["count_include_pad"] = 0
        return g.op("MaxPool" if t == "MaxPooling2D" else "AveragePool", [x], **attrs), True
    if t in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        y = g.op("GlobalAveragePool" if t == "GlobalAveragePooling2D" else "GlobalMaxPool", [x])
        if layer.keepdims:
            return y, True
        return g.op("Flatten", [y], axis=1), False
    if t == "BatchNormalization":
        c = layer.moving_mean.shape[0]
        if layer._axis != len(in_shape) - 1:
            raise NotImplementedError("ONNX export: BatchNormalization must normalise the last axis")
        one = np.ones(c, "float32")
        zero = np.zeros(c, "float32")
        ins = [g.const(np.asarray(layer.gamma) if layer.gamma is not None else one, "gamma"),
               g.const(np.asarray(layer.beta) if layer.beta is not None else zero, "beta"),
               g.const(np.asarray(layer.moving_mean), "mean"), g.const(np.asarray(layer.moving_variance), "var")]
        if nchw or len(in_shape) == 2:
            return g.op("BatchNormalization", [x] + ins, epsilon=layer.epsilon), nchw
        raise NotImplementedError("ONNX export: BatchNormalization on this rank is not supported")
    if t == "Dense":
        if nchw:
            x, nchw = g.op("Transpose", [x], perm=[0, 2, 3, 1]), False
        y = g.op("MatMul", [x, g.const(np.asarray(layer.kernel), "kernel")])
        if layer.bias is not None:
            y = g.op("Add", [y, g.const(np.asarray(layer.bias), "bias")])
        return _activation(g, y, layer.activation), False
    if t in ("Flatten", "Reshape"):
        if nchw:
            x = g.op("Transpose", [x], perm=[0, 2, 3, 1])
        shape = [0, -1] if t == "Flatten" else [0] + list(layer.target_shape)
        y = g.op("Reshape", [x, g.const(np.asarray(shape, np.int64), "shape")])
        if t == "Reshape" and len(shape) == 4:
            return g.op("Transpose", [y], perm=[0, 3, 1, 2]), True
        return y, False
    if t in ("Dropout", "SpatialDropout2D"):
        return x, nchw
    if t == "ReLU":
        if layer.negative_slope or layer.threshold:
            raise NotImplementedError("ONNX export: ReLU with negative_slope/threshold is not supported")
        y = g.op("Relu", [x])
        if layer.max_value is not None:
            y = g.op("Clip", [y, g.const(np.float32(0), "lo"), g.const(np.float32(layer.max_value), "hi")])
        return y, nchw
    if t == "Activation":
        if nchw and activations_name(layer.activation) == "softmax":
            x, nchw = g.op("Transpose", [x], perm=[0, 2, 3, 1]), False
        return _activation(g, x, layer.activation), nchw
    if t == "Softmax":
        if nchw:
            x, nchw = g.op("Transpose", [x], perm=[0, 2, 3, 1]), False
        return g.op("Softmax", [x], axis=layer.axis if isinstance(layer.axis, int) else -1), nchw
    raise NotImplementedError(f"ONNX export: layer {t} '{layer.name}' is not supported")


def activations_name(fn):
    from .. import activations
    return activations.serialize(fn)


def _merge(g, layer, xs, flags, shape):
    t = type(layer).__name__
    if len(set(flags)) > 1:
        xs = [g.op("Transpose", [x], perm=[0, 2, 3, 1]) if f else x for x, f in zip(xs, flags)]
        flags = [False] * len(xs)
    nchw = flags[0]
    if t in ("Add", "Multiply", "Subtract", "Maximum", "Minimum"):
        op = {"Add": "Add", "Multiply": "Mul", "Subtract": "Sub", "Maximum": "Max", "Minimum": "Min"}[t]
        y = xs[0]
        for x in xs[1:]:
            y = g.op(op, [y, x])
        return y, nchw
    if t == "Concatenate":
        axis = layer.axis % len(shape)
        if nchw:
            axis = {0: 0, 1: 2, 2: 3, 3: 1}[axis]
        return g.op("Concat", xs, axis=axis), nchw
    raise NotImplementedError(f"ONNX export: layer {t} '{layer.name}' is not supported")


def to_onnx(model, opset=OPSET):
    """The model's inference graph as an ``onnx.ModelProto`` (checked)."""
    onnx, helper, numpy_helper = _onnx()
    from ..models import Sequential
    from ..layers.core import InputLayer
    g = _Graph(helper, numpy_helper)
    graph_inputs, graph_outputs = [], []

    def add_input(shape, name):
        graph_inputs.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT,
                                                          ["batch"] + list(shape[1:])))
        if len(shape) == 4:
            return g.op("Transpose", [name], perm=[0, 3, 1, 2]), True
        return name, False

    def finish(x, nchw, shape):
        if nchw:
            x = g.op("Transpose", [x], perm=[0, 2, 3, 1])
        name = f"output_{len(graph_outputs)}"
        g.nodes.append(helper.make_node("Identity", [x], [name], name=name))
        graph_outputs.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT,
                                                           ["batch"] + list(shape[1:])))

    if isinstance(model, Sequential):
        if not model.built or model.input_shape is None:
            raise ValueError("ONNX export: build the model first (model.build(input_shape) or call it on data)")
        shape = tuple(model.input_shape)
        x, nchw = add_input(shape, "input")
        for layer in model.layers:
            x, nchw = _emit(g, layer, x, nchw, shape)
            shape = tuple(layer.compute_output_shape(shape))
        finish(x, nchw, shape)
    elif getattr(model, "_functional", None) is not None:
        ins, outs, order, _ = model._functional
        values = {}
        for k, t in enumerate(ins):
            values[id(t)] = add_input(tuple(t.shape), t.layer.name if t.layer is not None else f"input_{k}")
        for t in order:
            if id(t) in values:
                continue
            if isinstance(t.layer, InputLayer):
                raise ValueError("ONNX export: an InputLayer that is not a model input")
            parents = [values[id(p)] for p in t.parents]
            if len(parents) == 1:
                values[id(t)] = _emit(g, t.layer, parents[0][0], parents[0][1], tuple(t.parents[0].shape))
            else:
                values[id(t)] = _merge(g, t.layer, [p[0] for p in parents], [p[1] for p in parents],
                                       tuple(t.parents[0].shape))
        for t in outs:
            finish(*values[id(t)], tuple(t.shape))
    else:
        raise NotImplementedError("ONNX export: only Sequential and functional models (a subclassed model's "
                                  "call is Python code)")
    graph = helper.make_graph(g.nodes, model.name, graph_inputs, graph_outputs, g.inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="tinytf")
    proto.ir_version = min(proto.ir_version, 9)
    onnx.checker.check_model(proto)
    return proto


def export(model, filepath, opset=OPSET):
    """Write ``model``'s inference graph to ``filepath`` as ONNX (atomically); returns the path."""
    proto = to_onnx(model, opset)
    filepath = os.fspath(filepath)
    with atomic_write(filepath) as f:
        f.write(proto.SerializeToString())
    return filepath
