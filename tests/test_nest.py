"""tinytf.nest: the one flatten / pack / map of nested structures (tape and tf.data use it)."""
from collections import namedtuple

from tinytf import nest

Pair = namedtuple("Pair", "a b")


def test_flatten_dicts_by_sorted_key_lists_and_tuples_recurse():
    s = {"b": [1, (2, 3)], "a": Pair(4, {"z": 5, "y": 6})}
    assert nest.flatten(s) == [4, 6, 5, 1, 2, 3]
    assert nest.flatten(7) == [7] and nest.flatten([]) == [] and nest.flatten(None) == [None]


def test_pack_rebuilds_types_and_keeps_the_structures_key_order():
    s = {"b": [1, (2, 3)], "a": Pair(4, {"z": 5, "y": 6})}
    out = nest.pack_sequence_as(s, [40, 60, 50, 10, 20, 30])
    assert out == {"b": [10, (20, 30)], "a": Pair(40, {"z": 50, "y": 60})}
    assert list(out) == ["b", "a"] and list(out["a"].b) == ["z", "y"]
    assert type(out["a"]) is Pair and type(out["b"]) is list and type(out["b"][1]) is tuple


def test_pack_consumes_an_iterator_only_as_far_as_needed():
    it = iter([1, 2, 3])
    assert nest.pack_sequence_as((0, [0]), it) == (1, [2])
    assert next(it) == 3


def test_same_keys_in_another_order_flatten_alike():
    assert nest.flatten({"x": 1, "y": 2}) == nest.flatten({"y": 2, "x": 1})


def test_lists_as_leaves_for_tf_data():
    s = ({"k": [1, 2]}, [3])
    assert nest.flatten(s, lists=False) == [[1, 2], [3]]
    assert nest.pack_sequence_as(s, ["p", "q"], lists=False) == ({"k": "p"}, "q")
    assert nest.map_structure(len, s, lists=False) == ({"k": 2}, 1)
    assert nest.flatten_up_to((0, 0), ((1, 2), [3]), lists=False) == [(1, 2), [3]]


def test_map_structure():
    s = Pair([1, 2], {"b": 3, "a": 4})
    assert nest.map_structure(lambda v: v * 10, s) == Pair([10, 20], {"b": 30, "a": 40})
