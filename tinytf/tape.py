"""``GradientTape``: records ops on watched values and differentiates them backwards.

Every op ends in ``record(name, value, inputs, grad_fns)``; ``grad_fns[k](g, ins, out)`` returns
the gradient for input ``k`` given the output gradient ``g``. While no tape is active ``record``
only wraps the value, so ops cost nothing extra outside a tape.

Second-order gradients: when ``gradient`` runs inside another recording tape, the backward pass
runs on Tensors, so the outer tape records it. Ops marked ``higher=True`` have grad functions
written with tensor operators that work on both NumPy arrays and Tensors; for the others
(conv, pooling, batch norm...) the outer tape records a node whose own gradient raises a clear
``UnimplementedError``.
"""
import numpy as np

from .errors import UnimplementedError
from .nest import flatten as _flatten, pack_sequence_as as _pack
from .tensor import Tensor, Variable

_active = []  # tapes inside their ``with`` block, innermost last


class _Entry:
    __slots__ = ("out", "inputs", "values", "grad_fns", "name", "higher")

    def __init__(self, out, inputs, grad_fns, name, higher):
        self.out, self.inputs, self.grad_fns, self.name, self.higher = out, inputs, grad_fns, name, higher
        self.values = tuple(t._v for t in inputs)  # a Variable assigned later keeps its op-time value


def record(name, value, inputs, grad_fns, higher=False):
    """Wrap ``value`` in a Tensor and record the op on every active tape that watches an input."""
    if type(value) is not np.ndarray:
        value = np.asarray(value)  # NumPy returns scalars, not 0-d arrays, for 0-d arithmetic
    out = Tensor(value)
    if _active:
        for tape in _active:
            if tape._recording and tape._tracks(inputs):
                tape._ids.add(id(out))
                tape._entries.append(_Entry(out, inputs, grad_fns, name, higher))
    return out


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
            if higher:
                if e.higher:
                    ins, out = e.inputs, e.out
                else:
                    ins, out, g_np = e.values, e.out._v, g._v
            else:
                ins, out = e.values, e.out._v
            for k, inp in enumerate(e.inputs):
                fn = e.grad_fns[k]
                if fn is None or id(inp) not in needed:
                    continue
                if higher and not e.higher:
                    gi = _no_second_order(e.name, fn(g_np, ins, out), (g,) + tuple(e.inputs))
                else:
                    gi = fn(g, ins, out)
                if gi is None:
                    continue
                prev = grads.get(id(inp))
                grads[id(inp)] = gi if prev is None else prev + gi
        return grads


def _no_second_order(name, value, inputs):
    def refuse(g, ins, out):
        raise UnimplementedError(f"second-order gradients through {name} are not supported by tinytf")
    return record(name + "Grad", value, inputs, (refuse,) * len(inputs))
