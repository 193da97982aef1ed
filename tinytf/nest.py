"""Nested structures, as ``tf.nest``: ``flatten``, ``pack_sequence_as``, ``map_structure``.

A structure is a dict, a tuple (namedtuples included) or a list, nested to any depth; anything
else is a leaf. Dicts flatten in sorted key order (so two dicts with the same keys flatten alike
whatever their insertion order) and are rebuilt with the key order of the structure given, as
TensorFlow does. ``lists=False`` makes lists leaves, as in ``tf.data``, where a list is a tensor.
"""

__all__ = ["flatten", "flatten_up_to", "is_namedtuple", "map_structure", "pack_sequence_as"]


def is_namedtuple(s):
    return isinstance(s, tuple) and hasattr(type(s), "_fields")


def _seq(lists):
    return (list, tuple) if lists else tuple


def _rebuild(s, items):
    """A container like ``s`` holding ``items``."""
    if isinstance(s, list):
        return items
    if is_namedtuple(s):
        return type(s)(*items)
    return type(s)(items)


def flatten(structure, lists=True):
    """The leaves of ``structure``, depth first (dict values in sorted key order)."""
    return _flatten(structure, _seq(lists))


def _flatten(s, seq):
    if isinstance(s, dict):
        return [leaf for k in sorted(s) for leaf in _flatten(s[k], seq)]
    if isinstance(s, seq):
        return [leaf for x in s for leaf in _flatten(x, seq)]
    return [s]


def flatten_up_to(shallow, structure, lists=True):
    """Flatten ``structure`` only as deep as ``shallow`` goes: its leaves may be structures."""
    return _flatten_up_to(shallow, structure, _seq(lists))


def _flatten_up_to(ref, s, seq):
    if isinstance(ref, dict):
        return [leaf for k in sorted(ref) for leaf in _flatten_up_to(ref[k], s[k], seq)]
    if isinstance(ref, seq):
        return [leaf for r, x in zip(ref, s) for leaf in _flatten_up_to(r, x, seq)]
    return [s]


def pack_sequence_as(structure, flat_sequence, lists=True):
    """``structure`` rebuilt with the leaves taken in order from ``flat_sequence`` (any
    iterable; an iterator is consumed only as far as needed)."""
    return _pack(structure, iter(flat_sequence), _seq(lists))


def _pack(s, it, seq):
    if isinstance(s, dict):
        values = {k: _pack(s[k], it, seq) for k in sorted(s)}
        return {k: values[k] for k in s}
    if isinstance(s, seq):
        return _rebuild(s, [_pack(x, it, seq) for x in s])
    return next(it)


def map_structure(fn, structure, lists=True):
    """``structure`` with every leaf replaced by ``fn(leaf)``."""
    return _map(fn, structure, _seq(lists))


def _map(fn, s, seq):
    if isinstance(s, dict):
        return {k: _map(fn, v, seq) for k, v in s.items()}
    if isinstance(s, seq):
        return _rebuild(s, [_map(fn, x, seq) for x in s])
    return fn(s)
