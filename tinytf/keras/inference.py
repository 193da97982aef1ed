"""Inference chains: a ``Conv2D`` and the ``BatchNormalization``, ``ReLU`` and ``MaxPooling2D``
layers right after it, run as one convolution whose parts go through the other layers' arithmetic
while they are in cache (``kernels/conv.py: conv2d_forward_tail``), instead of one pass over the
whole batch per layer. Sequential and functional models use them when they are called for
inference (``training`` false and no tape recording: ``predict``, ``evaluate``, ``model(x)``).

A chain computes what its layers compute, step for step in the same order (``kernels/tail.py``),
so its output has the same bits as the layers called one after another; only the intermediate
tensors are never made. (TensorFlow's grappler rewrites ``tf.function`` graphs likewise: its
remapper fuses Conv2D with BiasAdd, FusedBatchNorm and Relu.)

A chain is, in this order: a ``Conv2D`` (channels_last, ``groups=1``, no activation or ReLU), then
any of a ``BatchNormalization`` over the last axis, a plain ReLU (a ``ReLU()`` layer with its
defaults or ``Activation('relu')``), a ``MaxPooling2D`` (channels_last) and another plain ReLU:
at least one of them. In a functional model each tensor inside a chain must be the only input of
the next layer and no output of the model. Only these exact classes join (a subclass may change
``call``), only built layers, and only a float input of the layers' dtype with the channels the
kernel expects: any other input runs the layers one by one, which also gives their errors.
"""
import numpy as np

from ..kernels import norm
from ..kernels import table as K
from ..kernels.tail import Tail
from ..tape import is_recording
from ..tensor import Tensor
from . import activations
from .layers.activations import ReLU
from .layers.convolutional import Conv2D
from .layers.core import Activation
from .layers.normalization import BatchNormalization
from .layers.pooling import MaxPooling2D


def steps(layers, training):
    """What a Sequential model calls in turn: its layers, with the chains among them joined into
    one ``Chain`` each at inference."""
    if training or is_recording():
        return layers
    out, i = [], 0
    while i < len(layers):
        chain = Chain.at(layers, i)
        out.append(layers[i] if chain is None else chain)
        i += 1 if chain is None else len(chain.layers)
    return out


def graph_steps(order, outputs, training):
    """A functional model's steps: (tensor, step, parents) for the tensors of ``order`` in turn,
    where a step is the tensor's layer or, at inference, a ``Chain`` that makes the tensor from
    its first layer's input; the tensors inside a chain (each the only input of the next layer and
    no output) are left out."""
    if training or is_recording():
        return [(t, t.layer, t.parents) for t in order]
    users, single = {}, {}
    for t in order:
        for p in t.parents:
            users[id(p)] = users.get(id(p), 0) + 1
            if len(t.parents) == 1:
                single[id(p)] = t
    kept = {id(t) for t in outputs}
    out, inside = [], set()
    for t in order:
        if id(t) in inside:
            continue
        walk = [t]
        while users.get(id(walk[-1])) == 1 and id(walk[-1]) not in kept and id(walk[-1]) in single:
            walk.append(single[id(walk[-1])])
        chain = Chain.at([u.layer for u in walk], 0) if len(t.parents) == 1 else None
        if chain is None:
            out.append((t, t.layer, t.parents))
            continue
        last = walk[len(chain.layers) - 1]
        inside.update(id(u) for u in walk[:len(chain.layers)])
        out.append((last, chain, t.parents))
    return out


def _plain(layer):
    return "call" not in vars(layer) and layer.built and layer.output_shape_built is not None


def _is_relu(layer):
    if type(layer) is ReLU:
        return layer.negative_slope == 0 and layer.max_value is None and layer.threshold == 0
    return type(layer) is Activation and activations.is_plain_relu(layer.activation)


class Chain:
    """A Conv2D and the layers it takes after it (``conv``, ``norm``, ``relu_norm``, ``pool``,
    ``relu_pool``; None where absent), called as one layer."""

    def __init__(self, layers, conv, norm, relu_norm, pool, relu_pool):
        self.layers, self.conv, self.norm, self.pool = layers, conv, norm, pool
        self.relu_norm, self.relu_pool = relu_norm, relu_pool

    @classmethod
    def at(cls, layers, i):
        """The chain starting at ``layers[i]``, or None where none starts there."""
        conv = layers[i]
        if not (type(conv) is Conv2D and _plain(conv) and conv.data_format == "channels_last" and conv.groups == 1
                and (conv.activation is activations.linear or activations.is_plain_relu(conv.activation))):
            return None
        taken = {}
        for layer in layers[i + 1:]:
            if not _plain(layer):
                break
            if type(layer) is BatchNormalization and not taken and layer.axis in (-1, 3):
                taken["norm"] = layer
            elif _is_relu(layer) and "relu_norm" not in taken and "pool" not in taken:
                taken["relu_norm"] = layer
            elif type(layer) is MaxPooling2D and "pool" not in taken and layer.data_format == "channels_last":
                taken["pool"] = layer
            elif _is_relu(layer) and "pool" in taken and "relu_pool" not in taken:
                taken["relu_pool"] = layer
            else:
                break
        if not taken:
            return None
        chain_layers = layers[i:i + 1 + len(taken)]
        return cls(chain_layers, conv, taken.get("norm"), "relu_norm" in taken, taken.get("pool"),
                   "relu_pool" in taken)

    def __call__(self, x, training=False):
        out = self._fused(x)
        if out is None:
            for layer in self.layers:
                x = layer(x, training=training)
            return x
        return out

    def _fused(self, x):
        """The chain's output as one convolution with its tail, or None for an input it does not
        take."""
        conv = self.conv
        if not isinstance(x, Tensor) or getattr(x, "_keras_mask", None) is not None:
            return None
        xv = np.asarray(x)
        w = np.asarray(conv.kernel)
        dtype = w.dtype
        if xv.ndim != 4 or xv.dtype != dtype or xv.shape[3] != w.shape[2] \
                or any(np.dtype(layer.dtype) != dtype for layer in self.layers):
            return None
        geo = K.geometry(xv.shape[1:3], w.shape[:2], conv.strides, conv.dilation_rate, conv.padding.upper())
        if geo.oh <= 0 or geo.ow <= 0:
            return None
        bias = None if conv.bias is None else np.asarray(conv.bias)
        inv = shift = pool = None
        if self.norm is not None:
            bn = self.norm
            gamma = None if bn.gamma is None else np.asarray(bn.gamma)
            beta = None if bn.beta is None else np.asarray(bn.beta)
            inv, shift = norm.scale_shift(np.asarray(bn.moving_mean), np.asarray(bn.moving_variance), gamma,
                                          beta, dtype.type(bn.epsilon))
        if self.pool is not None:
            pool = K.geometry((geo.oh, geo.ow), self.pool.pool_size, self.pool.strides, (1, 1),
                              self.pool.padding.upper())
            if pool.oh <= 0 or pool.ow <= 0:
                return None
        steps = Tail(bias, activations.is_plain_relu(conv.activation), inv, shift, self.relu_norm, pool,
                     self.relu_pool)
        if any(v is not None and (v.dtype != dtype or v.shape != (w.shape[3],)) for v in (bias, inv, shift)):
            return None
        out = np.empty(steps.out_shape((xv.shape[0], geo.oh, geo.ow, w.shape[3])), dtype)
        return Tensor(K.conv2d_forward_tail(xv, w, geo, steps, out))
