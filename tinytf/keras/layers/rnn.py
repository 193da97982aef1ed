"""Recurrent layers as Keras 3 computes them: cells (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``)
do one step with tinytf ops; ``RNN(cell)`` loops over the time axis in Python, so gradients come
from the ops. ``LSTM`` / ``GRU`` / ``SimpleRNN`` are ``RNN`` over their cell (weights in
``<layer>.cell``, Keras 3's layout and file paths); ``Bidirectional`` runs a forward and a
backward copy of one.

Masks: a ``mask`` argument ([batch, time] bool), or the ``_keras_mask`` a ``Masking`` layer or
``Embedding(mask_zero=True)`` attaches to its output. A masked step keeps the states and repeats the
previous output (Keras's ``zero_output_for_mask=False``); sequences pass the mask on. Only
``stateful=False``; ``unroll`` is accepted and ignored (the loop is the same). A layer returning
several tensors (``return_state``) runs eagerly and in subclassed models, not in a functional graph
(tinytf's functional API takes one output per layer)."""
import inspect
import numbers

import numpy as np

from ...ops import array_ops as A, math_ops as M, nn_ops as N
from ...ops.core import as_tensor
from ...tensor import Tensor, TensorShape
from .. import activations, initializers as I, regularizers as R
from .base import Layer, snake_case


def _positive_units(cls, units):
    if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
        raise ValueError(f"{cls}: received an invalid value for argument `units`, expected a positive "
                         f"integer, got {units!r}.")
    return int(units)


def _rate(cls, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{cls}: {name} must be a number in [0, 1), got {value!r}")
    return min(1.0, max(0.0, float(value)))  # Keras clips the rates


class _Cell(Layer):
    """What the cells share: arguments, weights' initializers/regularizers, dropout masks (one per
    sequence, as Keras's ``DropoutRNNCell``)."""
    _gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.units = _positive_units(cls, units)
        if any(c is not None for c in (kernel_constraint, recurrent_constraint, bias_constraint)):
            raise NotImplementedError(f"{cls}: weight constraints are not supported")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = I.get(kernel_initializer)
        self.recurrent_initializer = I.get(recurrent_initializer)
        self.bias_initializer = I.get(bias_initializer)
        self.kernel_regularizer = R.get(kernel_regularizer)
        self.recurrent_regularizer = R.get(recurrent_regularizer)
        self.bias_regularizer = R.get(bias_regularizer)
        self.dropout = _rate(cls, "dropout", dropout)
        self.recurrent_dropout = _rate(cls, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self._masks = None

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def _build_kernels(self, input_dim, bias_shape, bias_initializer):
        n = self._gates * self.units
        self.kernel = self.add_weight("kernel", (input_dim, n), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, n), self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer)
        self.bias = self.add_weight("bias", bias_shape, bias_initializer, regularizer=self.bias_regularizer) \
            if self.use_bias else None

    def reset_dropout_mask(self):
        self._masks = None

    def _dropped(self, inputs, h, training):
        """``inputs`` and ``h`` times this sequence's dropout masks (in training, rates > 0)."""
        if not training or (self.dropout == 0 and self.recurrent_dropout == 0):
            return inputs, h
        if self._masks is None:
            def mask(like, rate):
                return N.dropout(A.ones_like(like), rate, seed=self.seed) if 0 < rate < 1 else None
            self._masks = (mask(inputs, self.dropout), mask(h, self.recurrent_dropout))
        dp, rdp = self._masks
        return (inputs if dp is None else inputs * dp), (h if rdp is None else h * rdp)

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [A.zeros((batch_size, s), self.dtype) for s in sizes]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": I.serialize(self.kernel_initializer),
                "recurrent_initializer": I.serialize(self.recurrent_initializer),
                "bias_initializer": I.serialize(self.bias_initializer),
                "kernel_regularizer": R.serialize(self.kernel_regularizer),
                "recurrent_regularizer": R.serialize(self.recurrent_regularizer),
                "bias_regularizer": R.serialize(self.bias_regularizer), "kernel_constraint": None,
                "recurrent_constraint": None, "bias_constraint": None, "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


class SimpleRNNCell(_Cell):
    """``h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)``."""

    def build(self, input_shape):
        self._build_kernels(input_shape[-1], (self.units,), self.bias_initializer)

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        inputs, prev = self._dropped(inputs, prev, training)
        h = M.matmul(inputs, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        h = self.activation(h + M.matmul(prev, self.recurrent_kernel))
        return h, [h]


class LSTMCell(_Cell):
    """Gates ``i, f, c, o`` from ``x @ kernel + h @ recurrent_kernel + bias`` (kernel [in, 4u]);
    ``c = f * c_prev + i * activation(z_c)``, ``h = o * activation(c)``. ``unit_forget_bias``
    initialises the forget gate's bias to ones."""
    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        u, b = self.units, self.bias_initializer

        def forget_ones(shape, dtype=None):
            return np.concatenate([np.asarray(p) for p in (b((u,), dtype), I.Ones()((u,), dtype), b((2 * u,), dtype))])
        self._build_kernels(input_shape[-1], (4 * u,), forget_ones if self.unit_forget_bias else b)

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states
        inputs, h_prev = self._dropped(inputs, h_prev, training)
        z = M.matmul(inputs, self.kernel) + M.matmul(h_prev, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        zi, zf, zc, zo = A.split(z, 4, axis=1)
        i, f, o = self.recurrent_activation(zi), self.recurrent_activation(zf), self.recurrent_activation(zo)
        c = f * c_prev + i * self.activation(zc)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """Update ``z``, reset ``r`` and candidate gates (kernel [in, 3u]); ``h = z * h_prev + (1 - z) * hh``.
    ``reset_after=True`` (Keras 3's default): the reset gate scales ``h_prev @ recurrent_kernel``,
    and the bias is [2, 3u] (input bias, recurrent bias)."""
    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 reset_after=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def build(self, input_shape):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._build_kernels(input_shape[-1], shape, self.bias_initializer)

    def call(self, inputs, states, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        inputs, h_drop = self._dropped(inputs, h_prev, training)
        u = self.units
        if self.bias is not None:
            b_in, b_rec = (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
        x = M.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + b_in
        x_z, x_r, x_h = A.split(x, 3, axis=-1)
        if self.reset_after:
            inner = M.matmul(h_drop, self.recurrent_kernel)
            if self.bias is not None:
                inner = inner + b_rec
        else:
            inner = M.matmul(h_drop, self.recurrent_kernel[:, :2 * u])
        rec_z, rec_r, rec_h = inner[:, :u], inner[:, u:2 * u], inner[:, 2 * u:]
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        if self.reset_after:
            rec_h = r * rec_h
        else:
            rec_h = M.matmul(r * h_drop, self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + rec_h)
        h = z * h_prev + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


class RNN(Layer):
    """Runs ``cell`` over axis 1 of [batch, time, features] inputs.

    Args:
        cell: a cell layer (``call(inputs, states, training)`` -> ``(output, new_states)``, with
            ``state_size``); return_sequences: all outputs [batch, time, units] (else the last);
            return_state: also return the final states (a list: ``[output] + states``);
            go_backwards: process the sequence reversed (the outputs come in that order, as Keras).
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            raise NotImplementedError("RNN: a list of cells (StackedRNNCells) is not supported; stack RNN layers")
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: argument `cell` should have a `call` method and a `state_size` attribute; "
                             f"received cell={cell!r}")
        if stateful:
            raise NotImplementedError(f"{type(self).__name__}: stateful=True is not supported")
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), False, bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of shape [batch, time, features], "
                             f"got {tuple(input_shape)}")
        if not self.cell.built:
            self.cell._maybe_build((input_shape[0],) + tuple(input_shape[2:]))

    def _sizes(self):
        s = self.cell.state_size
        return list(s) if isinstance(s, (list, tuple)) else [s]

    def compute_output_shape(self, input_shape):
        b, t = input_shape[0], input_shape[1]
        out = getattr(self.cell, "output_size", self._sizes()[0])
        y = TensorShape((b, t, out) if self.return_sequences else (b, out))
        return [y] + [TensorShape((b, s)) for s in self._sizes()] if self.return_state else y

    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = as_tensor(sequences)
        if mask is None:
            mask = getattr(sequences, "_keras_mask", None)
        batch, steps = x.shape[0], x.shape[1]
        if initial_state is None:
            states = [A.zeros((batch, s), x.dtype) for s in self._sizes()]
        else:
            states = [as_tensor(s) for s in (initial_state if isinstance(initial_state, (list, tuple))
                                             else [initial_state])]
            if len(states) != len(self._sizes()):
                raise ValueError(f"{type(self).__name__}: initial_state has {len(states)} tensors; the cell has "
                                 f"{len(self._sizes())} states")
        m = None if mask is None else np.asarray(as_tensor(mask)._v, bool).reshape(batch, steps)
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        if hasattr(self.cell, "reset_dropout_mask"):
            self.cell.reset_dropout_mask()
        cell_training = "training" in inspect.signature(self.cell.call).parameters
        outputs, prev = [], None
        for t in order:
            step = x[:, t]
            out, new = self.cell(step, states, training=training) if cell_training else self.cell(step, states)
            new = list(new) if isinstance(new, (list, tuple)) else [new]
            if m is not None:
                keep = m[:, t:t + 1]
                if prev is None:
                    prev = A.zeros_like(out)
                out = A.where(keep, out, A.zeros_like(out) if self.zero_output_for_mask else prev)
                new = [A.where(keep, n, s) for n, s in zip(new, states)]
            outputs.append(out)
            prev, states = out, new
        y = A.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if m is not None and self.return_sequences:
            y._keras_mask = Tensor(m)  # Keras's compute_mask: sequences keep the mask (not reversed)
        if m is not None and not self.return_sequences and not self.zero_output_for_mask:
            y = prev
        return [y] + list(states) if self.return_state else y

    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": False, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}


class _CellRNN(RNN):
    """``LSTM``, ``GRU``, ``SimpleRNN``: ``RNN`` over their own cell; the cell's arguments read back
    as the layer's attributes; the config is the cell's arguments and the RNN's, flat, as Keras 3.
    Each subclass spells out Keras's signature (the ``.keras`` loader checks arguments by it)."""
    _cell_class = None
    _rnn_args = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask")
    _layer_args = ("name", "trainable", "dtype", "input_shape", "batch_input_shape", "input_dim", "autocast")

    def _make(self, args):
        args = {k: v for k, v in args.items() if k not in ("self", "__class__")}
        kwargs = args.pop("kwargs")
        args.pop("use_cudnn")
        if args.pop("activity_regularizer") is not None:
            raise NotImplementedError(f"{type(self).__name__}: activity_regularizer is not supported")
        rnn = {k: args.pop(k) for k in self._rnn_args if k in args}
        rnn.update({k: kwargs.pop(k) for k in self._rnn_args if k in kwargs})
        base = {k: kwargs.pop(k) for k in self._layer_args if k in kwargs}
        cell = self._cell_class(name=f"{snake_case(type(self).__name__)}_cell", dtype=base.get("dtype"), **args,
                                **kwargs)
        RNN.__init__(self, cell, **rnn, **base)

    def __getattr__(self, name):
        cell = self.__dict__.get("cell")
        if cell is not None and not name.startswith("_") and hasattr(cell, name):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        cell = {k: v for k, v in self.cell.get_config().items() if k not in ("name", "trainable", "dtype")}
        return {**super().get_config(), **cell, "activity_regularizer": None}


class SimpleRNN(_CellRNN):
    """A fully connected recurrent layer (``SimpleRNNCell``)."""
    _cell_class = SimpleRNNCell

    def get_config(self):  # Keras 3's SimpleRNN does not write its seed
        return {k: v for k, v in super().get_config().items() if k != "seed"}

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 seed=None, use_cudnn="auto", **kwargs):
        self._make(locals())


class LSTM(_CellRNN):
    """Long short-term memory (``LSTMCell``; Keras 3's layout: kernel [in, 4u], recurrent_kernel
    [u, 4u], bias [4u], gates i, f, c, o). Example: ``layers.LSTM(64, return_sequences=True)``."""
    _cell_class = LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        self._make(locals())


class GRU(_CellRNN):
    """Gated recurrent unit (``GRUCell``; ``reset_after=True``: bias [2, 3u], gates z, r, h)."""
    _cell_class = GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        self._make(locals())


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Runs a copy of ``layer`` forwards and one backwards (``go_backwards`` flipped; its outputs
    flipped back in time) and merges them: ``merge_mode`` 'concat' (default), 'sum', 'mul', 'ave',
    or None (a list). Example: ``layers.Bidirectional(layers.LSTM(32))``."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: "
                             f"{backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             "{'sum', 'mul', 'ave', 'concat', None}")
        if weights is not None:
            raise NotImplementedError("Bidirectional(weights=...): call set_weights after building")
        self.forward_layer = self._copy(layer, "forward_", layer.go_backwards)
        self.backward_layer = backward_layer if backward_layer is not None else \
            self._copy(layer, "backward_", not layer.go_backwards)
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value. "
                             f"Received: forward_layer.go_backwards={self.forward_layer.go_backwards}, "
                             f"backward_layer.go_backwards={self.backward_layer.go_backwards}")
        for part in (self.forward_layer, self.backward_layer):  # as Keras: masked steps give zeros in sequences
            if hasattr(part, "zero_output_for_mask"):
                part.zero_output_for_mask = part.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state

    @staticmethod
    def _copy(layer, prefix, go_backwards):
        config = {**layer.get_config(), "go_backwards": go_backwards}
        config["name"] = prefix + (layer.name[len("forward_"):] if layer.name.startswith("forward_") else layer.name)
        return type(layer).from_config(config)

    def build(self, input_shape):
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return A.concat([y, y_rev], -1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def compute_output_shape(self, input_shape):
        y = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            y, states = y[0], list(y[1:]) * 2
        if self.merge_mode == "concat":
            y = TensorShape(tuple(y)[:-1] + (None if y[-1] is None else 2 * y[-1],))
        out = [y, y] if self.merge_mode is None else [y]
        return out + states if self.return_state or self.merge_mode is None else y

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if mask is None:
            mask = getattr(sequences, "_keras_mask", None)
        fw_state = bw_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_state, bw_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=fw_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=bw_state, mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = A.reverse(y_rev, [1])
        out = self._merge(y, y_rev)
        if self.return_sequences and mask is not None and not isinstance(out, list):
            out._keras_mask = Tensor(np.asarray(as_tensor(mask)._v, bool))
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def get_config(self):
        from ..saving.serialization import serialize_keras_object  # (saving imports the layers)
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving.serialization import deserialize_layer
        config = dict(config)
        for key in ("layer", "backward_layer"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_layer(config[key], custom_objects)
        return cls(**config)
