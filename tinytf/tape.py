"""``GradientTape``: records ops on watched values and differentiates them backwards.

The one gradient convention: every op ends in ``record(name, value, inputs, backward, higher)``.

* ``backward(g, ins, out, wanted)`` returns a tuple with one gradient per input (``None`` where
  there is none or ``wanted[k]`` is false), from NumPy arrays: the output gradient ``g``, the
  inputs' values at op time ``ins`` and the output ``out``. It is called afresh on every
  ``gradient`` call and keeps nothing between calls, so a persistent tape can use it again.
* A gradient may have the op's broadcast output shape: the tape sums it down to its input's shape.
* ``higher`` (optional): the same rule written in tinytf ops, called with Tensors when an outer
  tape is recording the backward pass (second-order gradients). A rule written with operators
  only serves as both: ``higher=True``. Ops without it (conv, pooling, batch norm)
  give a gradient whose own gradient raises a clear ``UnimplementedError``.

While no tape is active ``record`` only wraps the value, so ops cost nothing extra outside a tape.
"""
import numpy as np

from .errors import UnimplementedError
from .kernels import table as K
from .nest import flatten as _flatten, pack_sequence_as as _pack
from .tensor import Tensor, Variable

_active = []  # tapes inside their ``with`` block, innermost last


class _Entry:
    __slots__ = ("out", "inputs", "values", "backward", "name", "higher")

    def __init__(self, out, inputs, backward, name, higher):
        self.out, self.inputs, self.backward, self.name, self.higher = out, inputs, backward, name, higher
        self.values = tuple(t._v for t in inputs)  # a Variable assigned later keeps its op-time value


def record(name, value, inputs, backward, higher=None):
    """Wrap ``value`` in a Tensor and record the op on every active tape that watches an input.
    ``higher=True``: ``backward`` uses operators only, so it serves for second order too."""
    if higher is True:
        higher = backward
    if type(value) is not np.ndarray:
        value = np.asarray(value)  # NumPy returns scalars, not 0-d arrays, for 0-d arithmetic
    out = Tensor(value)
    if _active:
        for tape in _active:
            if tape._recording and tape._tracks(inputs):
                tape._ids.add(id(out))
                tape._entries.append(_Entry(out, inputs, backward, name, higher))
    return out


def sum_to(g, shape):
    """Sum the array ``g`` down to ``shape``, which broadcasts to ``g.shape``."""
    gs = g.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(shape) if d == 1 and gs[i + lead] != 1)
    if len(shape) == 1 and axes == tuple(range(len(gs) - 1)) and g.flags.c_contiguous:
        return K.channel_sum(g.reshape(-1, gs[-1]))
    return g.sum(axis=axes).reshape(shape)


def _identity(g, ins, out, wanted):
    return (g,)


def _sum_to_tensor(g, shape):
    """``sum_to`` recorded as an op, so that an outer tape can differentiate it."""
    g_shape = g._v.shape
    return record("SumTo", sum_to(g._v, shape), (g,),
                  lambda gg, v, o, w: (np.broadcast_to(gg, g_shape),),
                  lambda gg, v, o, w: (record("BroadcastTo", np.broadcast_to(gg._v, g_shape), (gg,),
                                              _identity, higher=True),))


def is_recording():
    return any(t._recording for t in _active)


class GradientTape:
    """Record operations for automatic differentiation (``tf.GradientTape``).

    Args:
        persistent: allow several ``gradient`` calls (otherwise the second one raises).
        watch_accessed_variables: watch every trainable ``Variable`` an op reads (default True).

    Example::

        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.gradient(y, x)   # 6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_vars = bool(watch_accessed_variables)
        self.reset()

    def reset(self):
        """Forget everything recorded so far."""
        self._entries = []
        self._ids = set()
        self._watched = {}  # id -> watched tensor (keeps it alive so ids stay unique)
        self._recording = False
        self._used = False
        self._in_context = False

    def __enter__(self):
        self._recording = True
        self._in_context = True
        _active.append(self)
        return self

    def __exit__(self, *exc):
        self._recording = False
        self._in_context = False
        if self in _active:
            _active.remove(self)
        return False

    def _tracks(self, inputs):
        hit = False
        ids = self._ids
        for t in inputs:
            if id(t) in ids:
                hit = True
            elif self._watch_vars and type(t) is Variable and t._trainable:
                self._watch_one(t)
                hit = True
        return hit

    def _watch_one(self, t):
        self._ids.add(id(t))
        self._watched[id(t)] = t

    def watch(self, tensor):
        """Record ops on ``tensor`` (a tensor, variable, or a nested list/tuple/dict of them)."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise ValueError(f"GradientTape.watch: expected a tf.Tensor or tf.Variable, "
                                 f"got {type(t).__name__}")
            self._watch_one(t)

    def watched_variables(self):
        return tuple(t for t in self._watched.values() if isinstance(t, Variable))

    class _Pause:
        def __init__(self, tape):
            self.tape = tape

        def __enter__(self):
            self.was, self.tape._recording = self.tape._recording, False

        def __exit__(self, *exc):
            self.tape._recording = self.was
            return False

    def stop_recording(self):
        """A context in which ops are not recorded on this tape."""
        if not self._in_context:
            raise ValueError("GradientTape.stop_recording() is only valid inside the tape's `with` block")
        return GradientTape._Pause(self)

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(sum of target)/d(source) for each source; ``None`` for a source ``target`` does not
        depend on (or zeros with ``unconnected_gradients='zero'``). ``sources`` may be a tensor, a
        list or a nested structure; the result has the same structure."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians); use GradientTape(persistent=True)")
        self._used = True
        unconnected = str(getattr(unconnected_gradients, "value", unconnected_gradients)).lower()
        if unconnected not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
        flat_src = _flatten(sources)
        for s in flat_src:
            if not isinstance(s, Tensor):
                raise TypeError(f"GradientTape.gradient: sources must be tensors or variables, "
                                f"got {type(s).__name__}")
        targets = _flatten(target)
        ogs = [None] * len(targets) if output_gradients is None else _flatten(output_gradients)
        with self._Pause(self):
            higher = is_recording()
            grads = self._backward(targets, ogs, flat_src, higher)
        results = []
        for s in flat_src:
            g = grads.get(id(s))
            if g is None or not np.issubdtype(s._v.dtype, np.inexact):
                g = Tensor(np.zeros_like(s._v)) if unconnected == "zero" else None
            elif not isinstance(g, Tensor):
                g = Tensor(g if g.dtype == s._v.dtype and g.shape == s._v.shape
                           else np.broadcast_to(g, s._v.shape).astype(s._v.dtype))
            results.append(g)
        if not self._persistent:
            self._entries = []
        return _pack(sources, iter(results))

    def _backward(self, targets, ogs, sources, higher):
        needed = {id(s) for s in sources if id(s) in self._ids}
        for e in self._entries:
            if any(id(i) in needed for i in e.inputs):
                needed.add(id(e.out))
        grads = {}
        for t, og in zip(targets, ogs):
            if not isinstance(t, Tensor) or id(t) not in needed:
                continue
            if og is None:
                g = np.ones_like(t._v)
            else:
                g = og._v if isinstance(og, Tensor) and not higher else np.asarray(og, t._v.dtype)
            if higher and not isinstance(g, Tensor):
                g = Tensor(g)
            grads[id(t)] = g if id(t) not in grads else grads[id(t)] + g
        for e in reversed(self._entries):
            g = grads.get(id(e.out))
            if g is None:
                continue
            wanted = tuple(id(i) in needed for i in e.inputs)
            if not any(wanted):
                continue
            if not higher:
                gis = e.backward(g, e.values, e.out._v, wanted)
            elif e.higher is not None:
                gis = e.higher(g, e.inputs, e.out, wanted)
            else:
                gis = tuple(None if gi is None else _no_second_order(e.name, gi, (g,) + tuple(e.inputs))
                            for gi in e.backward(g._v, e.values, e.out._v, wanted))
            for inp, gi, w, v in zip(e.inputs, gis, wanted, e.values):
                if gi is None or not w:
                    continue
                if higher:
                    if gi._v.shape != v.shape:
                        gi = _sum_to_tensor(gi, v.shape)
                elif gi.shape != v.shape:
                    gi = sum_to(gi, v.shape)
                prev = grads.get(id(inp))
                grads[id(inp)] = gi if prev is None else prev + gi
        return grads


def _no_second_order(name, value, inputs):
    def refuse(g, ins, out, wanted):
        raise UnimplementedError(f"second-order gradients through {name} are not supported by tinytf")
    return record(name + "Grad", value, inputs, refuse)
