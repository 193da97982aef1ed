"""The cached weight walk of ``Layer`` (``trainable_variables`` / ``weights``): every change that
can alter the list is seen, and the cache answers like a fresh walk."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.keras.layers import base

L = tf.keras.layers


def _fresh(layer):
    """What an uncached walk gives: (trainable, non-trainable, all), as ids."""
    entries = layer._weight_entries(keys=False)
    return ([id(v) for _, v, t in entries if t], [id(v) for _, v, t in entries if not t],
            [id(v) for _, v, _ in entries])


def _cached(layer):
    return ([id(v) for v in layer.trainable_variables], [id(v) for v in layer.non_trainable_variables],
            [id(v) for v in layer.weights])


def _lenet():
    return tf.keras.Sequential([L.Input((8, 8, 1)), L.Conv2D(2, 3), L.BatchNormalization(), L.ReLU(),
                                L.Flatten(), L.Dense(3)])


class Blocks(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [L.Dense(2)]
        self.named = {"a": L.Dense(2)}
        self.nested = ([L.Dense(2)], {"b": []})

    def call(self, x):
        for layer in self.blocks + list(self.named.values()) + self.nested[0] + self.nested[1]["b"]:
            x = layer(x)
        return x


def _check(layer):
    assert _cached(layer) == _fresh(layer)


def test_the_cache_answers_as_a_fresh_walk_and_is_reused():
    model = _lenet()
    first = model.trainable_variables
    assert [id(v) for v in first] == _fresh(model)[0] and len(first) == 6
    cache = model.__dict__["_weights_cache"]
    model(np.zeros((2, 8, 8, 1), np.float32), training=True)  # a call changes no structure
    model.trainable_variables
    assert model.__dict__["_weights_cache"] is cache
    assert model.trainable_variables is not model.trainable_variables  # a new list each time
    _check(model)


def test_trainable_flags_of_the_model_and_of_a_sublayer():
    model = _lenet()
    _check(model)
    model.layers[1].trainable = False  # the batch norm
    _check(model)
    assert len(model.trainable_variables) == 4
    model.trainable = False
    _check(model)
    assert model.trainable_variables == []
    model.trainable = True
    _check(model)
    assert len(model.trainable_variables) == 6


def test_sequential_add_and_pop():
    model = _lenet()
    _check(model)
    model.add(L.Dense(4))
    model.build((None, 8, 8, 1))
    _check(model)
    assert len(model.trainable_variables) == 8
    model.pop()
    _check(model)
    assert len(model.trainable_variables) == 6


def test_in_place_changes_of_lists_and_dicts_held_by_attributes():
    m = Blocks()
    m(np.zeros((1, 2), np.float32))
    _check(m)
    n = len(m.trainable_variables)
    extra = L.Dense(2)
    extra.build((None, 2))
    m.blocks.append(extra)
    _check(m)
    assert len(m.trainable_variables) == n + 2
    m.blocks[0] = m.blocks[0]  # the same object: same list
    _check(m)
    other = L.Dense(2)
    other.build((None, 2))
    m.blocks[0] = other  # the same length, another layer
    _check(m)
    assert id(other.kernel) in _cached(m)[0]
    m.named["a"] = other
    _check(m)
    inner = L.Dense(2)
    inner.build((None, 2))
    m.nested[1]["b"].append(inner)  # a list inside a dict inside a tuple
    _check(m)
    assert id(inner.kernel) in _cached(m)[0]
    del m.named["a"]
    _check(m)


def test_attribute_set_and_delete_and_add_weight():
    class Own(L.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(name="w", shape=(2,))

        def call(self, x):
            return x * self.w

    layer = Own()
    layer.build((None, 2))
    _check(layer)
    layer.extra = tf.Variable(np.ones(3, np.float32))
    _check(layer)
    assert len(layer.weights) == 2
    layer.extra = tf.Variable(np.ones(3, np.float32), trainable=False)
    _check(layer)
    assert len(layer.non_trainable_weights) == 1
    del layer.extra
    _check(layer)
    layer.add_weight(name="u", shape=(1,), trainable=False)
    _check(layer)
    assert len(layer.weights) == 2 and len(layer.non_trainable_weights) == 1
    layer.holder = L.Dense(2)
    layer.holder.build((None, 2))  # the sub-layer builds after it was assigned
    _check(layer)
    assert len(layer.trainable_weights) == 3


def test_sublayer_weights_created_after_the_parent_cached():
    model = tf.keras.Sequential([L.Dense(3), L.Dense(2)])
    assert model.weights == []
    model(np.zeros((1, 4), np.float32))
    _check(model)
    assert len(model.weights) == 4


def test_functional_model_and_a_shared_layer():
    inp = tf.keras.Input((4,))
    d = L.Dense(4)
    out = L.Dense(2)(d(d(inp)))
    model = tf.keras.Model(inp, out)
    _check(model)
    assert len(model.trainable_variables) == 4
    d.trainable = False
    _check(model)
    assert len(model.trainable_variables) == 2


def test_training_uses_the_cache_and_the_same_bits(monkeypatch):
    """model.fit takes the cached list (no walk once it is cached), and training with the cache
    gives the same weights as walking every time."""
    def train(walk_every_time):
        tf.keras.utils.set_random_seed(3)
        model = _lenet()
        model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        if walk_every_time:
            monkeypatch.setattr(base.Layer, "_cached_entries", lambda self: self._weight_entries(keys=False))
        r = np.random.default_rng(0)
        model.fit(r.random((16, 8, 8, 1), dtype=np.float32), r.integers(0, 3, 16), batch_size=4, epochs=2,
                  verbose=0)
        monkeypatch.undo()
        return [w.numpy() for w in model.weights]

    walks = []
    real = base.Layer._weight_entries
    monkeypatch.setattr(base.Layer, "_weight_entries", lambda self, *a, **k: walks.append(1) or real(self, *a, **k))
    model = _lenet()
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    r = np.random.default_rng(0)
    model.fit(r.random((16, 8, 8, 1), dtype=np.float32), r.integers(0, 3, 16), batch_size=4, epochs=1, verbose=0)
    before = len(walks)
    model.fit(r.random((16, 8, 8, 1), dtype=np.float32), r.integers(0, 3, 16), batch_size=4, epochs=1, verbose=0)
    monkeypatch.undo()
    assert len(walks) == before  # a second fit walks nothing: every step took the cached list
    cached, walked = train(False), train(True)
    for a, b in zip(cached, walked):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("value", [1, "x", None, np.float32(2)])
def test_plain_attributes_do_not_invalidate(value):
    model = _lenet()
    model.trainable_variables
    version = base._structure_version[0]
    model.some_setting = value
    assert base._structure_version[0] == version
