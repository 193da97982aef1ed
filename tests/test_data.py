"""tf.data.Dataset: structure, batching, shuffling semantics, cardinality, the fused fast path."""
import os
from collections import Counter

import numpy as np
import pytest

import tinytf as tf
import tinytf.data as tfdata
from tinytf import nest

D = tf.data.Dataset


def ints(ds):
    return [int(v) for v in ds.as_numpy_iterator()]


@pytest.fixture
def global_seed():
    yield tf.random.set_seed
    tf.random.set_seed(None)


# ----------------------------------------------------------------------------- sources
def test_slices_tuple_structure_and_tensors():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    elems = list(D.from_tensor_slices((x, y)))
    assert len(elems) == 6
    a, b = elems[2]
    assert isinstance(elems[2], tuple)
    assert isinstance(a, tf.Tensor) and isinstance(b, tf.Tensor)
    np.testing.assert_array_equal(a.numpy(), x[2])
    assert b.numpy() == 2 and a.dtype == tf.float32 and b.shape == ()


def test_slices_dict_and_nested_structure():
    ds = D.from_tensor_slices({"img": np.zeros((4, 3)), "label": np.arange(4)})
    e = next(iter(ds))
    assert set(e) == {"img", "label"} and e["img"].shape == (3,)
    batches = list(ds.batch(3).as_numpy_iterator())
    assert [b["label"].tolist() for b in batches] == [[0, 1, 2], [3]]
    nested = D.from_tensor_slices(((np.arange(3), np.arange(3) * 2), np.arange(3) * 3))
    (p, q), r = next(nested.skip(1).as_numpy_iterator())
    assert (p, q, r) == (1, 2, 3)


def test_slices_list_rules():
    # A list of same-shaped arrays is one tensor (TensorFlow stacks it) ...
    assert D.from_tensor_slices([np.zeros(3), np.ones(3)]).cardinality() == 2
    # ... python numbers follow TensorFlow's default dtypes ...
    assert D.from_tensor_slices([1.0, 2.0]).element_spec.dtype == tf.float32
    assert D.from_tensor_slices([1, 2]).element_spec.dtype == tf.int32
    # ... and a list that cannot be one tensor is taken as a tuple (tinytf extension).
    e = next(iter(D.from_tensor_slices([np.zeros((5, 2)), np.arange(5)])))
    assert isinstance(e, tuple) and e[0].shape == (2,)


def test_slices_mismatched_first_dimension():
    with pytest.raises(ValueError, match=r"10 and 5.*\(10, 2\).*\(5,\)"):
        D.from_tensor_slices((np.zeros((10, 2)), np.zeros(5)))
    with pytest.raises(ValueError, match="10 and 5"):
        D.from_tensor_slices({"a": np.zeros((10, 2)), "b": np.zeros(5)})
    with pytest.raises(ValueError, match="rank >= 1"):
        D.from_tensor_slices(3.0)


def test_from_tensors_range_zip():
    (a, b), = list(D.from_tensors((np.arange(3), 1)).as_numpy_iterator())
    assert a.tolist() == [0, 1, 2] and b == 1
    assert ints(D.range(5)) == [0, 1, 2, 3, 4]
    assert ints(D.range(2, 10, 3)) == [2, 5, 8]
    assert D.range(3).element_spec.dtype == tf.int64
    z = D.zip((D.range(3), D.range(10, 20)))
    assert list(z.as_numpy_iterator()) == [(0, 10), (1, 11), (2, 12)]
    assert z.cardinality() == 3
    zs = D.zip((D.from_tensor_slices(np.arange(4)), D.from_tensor_slices(np.arange(3) * 2)))
    assert list(zs.as_numpy_iterator()) == [(0, 0), (1, 2), (2, 4)]
    zd = D.zip({"a": D.range(2), "b": D.range(2).map(lambda v: v * 3)})
    assert list(zd.as_numpy_iterator()) == [{"a": 0, "b": 0}, {"a": 1, "b": 3}]


# ----------------------------------------------------------------------------- batch
def test_batch_remainder_and_drop():
    ds = D.range(10)
    assert [b.tolist() for b in ds.batch(4).as_numpy_iterator()] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b.tolist() for b in ds.batch(4, drop_remainder=True).as_numpy_iterator()] == \
        [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert ds.batch(4).cardinality() == 3 and ds.batch(4, drop_remainder=True).cardinality() == 2
    assert ds.batch(4).element_spec.shape == (None,)
    assert ds.batch(4, drop_remainder=True).element_spec.shape == (4,)


def test_batch_stacks_tuples_as_tensors():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    xb, yb = next(iter(D.from_tensor_slices((x, np.arange(10))).batch(4)))
    assert isinstance(xb, tf.Tensor) and xb.shape == (4, 2) and yb.shape == (4,)
    np.testing.assert_array_equal(xb.numpy(), x[:4])


def test_batch_crosses_repeat_boundaries():
    got = [b.tolist() for b in D.range(5).repeat(2).batch(3).as_numpy_iterator()]
    assert got == [[0, 1, 2], [3, 4, 0], [1, 2, 3], [4]]


@pytest.mark.parametrize("bs", [0, -1])
def test_batch_size_must_be_positive(bs):
    with pytest.raises(ValueError, match="batch_size"):
        D.range(5).batch(bs)


def test_batch_different_shapes_and_unbatch():
    with pytest.raises(ValueError, match="different shapes"):
        list(D.range(3).map(lambda v: tf.zeros([v])).batch(3))
    ds = D.from_tensor_slices(np.arange(12).reshape(6, 2)).batch(4).unbatch()
    assert [v.tolist() for v in ds.as_numpy_iterator()] == np.arange(12).reshape(6, 2).tolist()
    assert ds.cardinality() == tf.data.UNKNOWN_CARDINALITY


# ----------------------------------------------------------------------------- shuffle
def test_shuffle_is_a_permutation_and_seeded():
    a = ints(D.range(100).shuffle(100, seed=7))
    b = ints(D.range(100).shuffle(100, seed=7))
    assert sorted(a) == list(range(100)) and a != list(range(100))
    assert a == b


def test_global_seed_repeatable(global_seed):
    global_seed(123)
    a = ints(D.range(50).shuffle(50))
    global_seed(123)
    b = ints(D.range(50).shuffle(50))
    c = ints(D.range(50).shuffle(50))  # built later, same global seed: a different op seed
    assert a == b and c != a


def test_reshuffle_each_iteration():
    ds = D.range(30).shuffle(30, seed=1)
    e1, e2 = ints(ds), ints(ds)
    assert sorted(e1) == sorted(e2) == list(range(30)) and e1 != e2
    # a fresh, identically built pipeline repeats the same sequence of epochs
    ds2 = D.range(30).shuffle(30, seed=1)
    assert ints(ds2) == e1 and ints(ds2) == e2
    fixed = D.range(30).shuffle(30, seed=1, reshuffle_each_iteration=False)
    assert ints(fixed) == ints(fixed)
    rep = ints(D.range(30).shuffle(30, seed=1).repeat(2))
    assert sorted(rep[:30]) == sorted(rep[30:]) == list(range(30)) and rep[:30] != rep[30:]
    rep_fixed = ints(D.range(30).shuffle(30, seed=1, reshuffle_each_iteration=False).repeat(2))
    assert rep_fixed[:30] == rep_fixed[30:]


@pytest.mark.parametrize("path", ["fused", "slow"])
def test_small_buffer_shuffle_is_local(path, monkeypatch):
    monkeypatch.setattr(tfdata.dataset, "_FUSE", path == "fused")
    n, buf = 1000, 10
    for seed in range(5):
        out = ints(D.range(n).shuffle(buf, seed=seed))
        assert sorted(out) == list(range(n))
        assert out[0] < buf                      # first output comes from the first buffer
        for k, v in enumerate(out):              # output k is drawn from inputs 0..k+buf-1
            assert v < k + buf
    # shuffle(1) is the identity
    assert ints(D.range(20).shuffle(1, seed=3)) == list(range(20))


def test_small_buffer_first_output_uniform_over_buffer():
    firsts = Counter(ints(D.range(50).shuffle(5, seed=s).take(1))[0] for s in range(2000))
    assert set(firsts) == set(range(5))
    assert min(firsts.values()) > 300            # ~400 each


def test_full_shuffle_uniform_positions():
    counts = np.zeros((4, 4))
    for s in range(2000):
        for pos, v in enumerate(ints(D.range(4).shuffle(4, seed=s))):
            counts[v, pos] += 1
    assert counts.min() > 400                    # ~500 each


def test_shuffle_buffer_size_errors_and_unknown():
    with pytest.raises(ValueError, match="buffer_size"):
        D.range(5).shuffle(0)
    out = ints(D.range(40).shuffle(tf.data.UNKNOWN_CARDINALITY, seed=2))
    assert sorted(out) == list(range(40))


# ----------------------------------------------------------------------------- fused == slow
def _pipelines():
    x = np.random.default_rng(0).integers(0, 255, (103, 4, 3)).astype(np.uint8)
    y = np.arange(103)
    s = lambda: D.from_tensor_slices((x, y))  # noqa: E731
    return {
        "full": lambda: s().shuffle(103, seed=1).batch(16),
        "bigger_buffer": lambda: s().shuffle(1000, seed=1).batch(10, drop_remainder=True),
        "small_buffer": lambda: s().shuffle(7, seed=2).batch(16),
        "small_buffer_repeat": lambda: s().shuffle(20, seed=3).batch(8).repeat(3),
        "repeat_then_shuffle": lambda: s().repeat(3).shuffle(50, seed=4).batch(32),
        "repeat_forever_take": lambda: s().repeat().shuffle(30, seed=5).batch(9).take(50),
        "take_skip": lambda: s().skip(5).take(60).shuffle(60, seed=6).batch(7),
        "dict_map_after_batch": lambda: D.from_tensor_slices({"x": x, "y": y}).shuffle(103, seed=7)
        .batch(12).map(lambda d: (tf.cast(d["x"], tf.float32) / 255.0, d["y"])),
        "zip": lambda: D.zip((D.from_tensor_slices(x), D.from_tensor_slices(y)))
        .shuffle(64, seed=8).batch(5),
        "range_cache": lambda: D.range(77).shuffle(77, seed=9).cache().batch(10).repeat(2),
        "epochs": lambda: s().shuffle(103, seed=10).batch(50),
    }


@pytest.mark.parametrize("name", sorted(_pipelines()))
def test_fused_path_equals_per_element_path(name, monkeypatch):
    make = _pipelines()[name]

    def run(fuse):
        monkeypatch.setattr(tfdata.dataset, "_FUSE", fuse)
        ds = make()
        return [list(ds.as_numpy_iterator()) for _ in range(2)]   # two epochs
    fast, slow = run(True), run(False)
    assert len(fast) == len(slow)
    flat = lambda epochs: [np.asarray(a) for ep in epochs for e in ep for a in nest.flatten(e)]  # noqa: E731
    f, s = flat(fast), flat(slow)
    assert len(f) == len(s) and len(f) > 0
    for a, b in zip(f, s):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_full_epoch_of_mnist_sized_data():
    # Speed is measured in benchmarks/, never asserted here; this checks the batch count/shapes.
    x = np.zeros((60000, 28, 28), np.uint8)
    y = np.zeros(60000, np.int64)
    ds = D.from_tensor_slices((x, y)).shuffle(60000, seed=0).batch(128)
    batches = list(ds)
    assert len(batches) == 469
    assert tuple(batches[0][0].shape) == (128, 28, 28) and tuple(batches[-1][0].shape) == (96, 28, 28)


# ----------------------------------------------------------------------------- map & co
def test_map_unpacks_tuples_passes_dicts():
    ds = D.from_tensor_slices((np.arange(3), np.arange(3) * 2)).map(lambda a, b: a + b)
    assert ints(ds) == [0, 3, 6]
    seen = []

    def f(a, b):
        seen.append((type(a), type(b)))
        return {"sum": a + b, "a": a}
    out = list(D.from_tensor_slices((np.arange(2), np.arange(2))).map(f).as_numpy_iterator())
    assert out == [{"sum": 0, "a": 0}, {"sum": 2, "a": 1}] and seen[0] == (tf.Tensor, tf.Tensor)
    dd = D.from_tensor_slices({"a": np.arange(3)}).map(lambda d: d["a"] * 10,
                                                        num_parallel_calls=tf.data.AUTOTUNE)
    assert ints(dd) == [0, 10, 20]
    # a returned list becomes a tuple; python numbers take TensorFlow's default dtypes
    e = next(D.range(2).map(lambda v: [v, 3.0]).as_numpy_iterator())
    assert isinstance(e, tuple) and e[1].dtype == np.float32


def test_map_before_batch_and_element_spec():
    ds = D.from_tensor_slices((np.zeros((5, 28, 28), np.uint8), np.arange(5)))
    ds = ds.map(lambda x, y: (tf.cast(x, tf.float32)[..., None], y)).batch(2)
    xb, yb = list(ds)[-1]
    assert xb.shape == (1, 28, 28, 1) and xb.dtype == tf.float32
    spec = ds.element_spec
    assert spec[0].shape == (None, 28, 28, 1) and spec[0].dtype == tf.float32
    assert spec[1].shape == (None,)


def test_repeat_take_skip_filter():
    assert ints(D.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert ints(D.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert ints(D.range(0).repeat()) == []
    assert ints(D.range(5).take(2)) == [0, 1] and ints(D.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert ints(D.range(5).skip(2)) == [2, 3, 4] and ints(D.range(5).skip(-1)) == []
    assert ints(D.range(5).skip(9)) == []
    assert ints(D.range(10).filter(lambda v: v % 3 == 0)) == [0, 3, 6, 9]
    pairs = D.from_tensor_slices((np.arange(6), np.arange(6) % 2)).filter(lambda a, b: b == 1)
    assert [int(a) for a, _ in pairs.as_numpy_iterator()] == [1, 3, 5]
    with pytest.raises(ValueError, match="predicate"):
        list(D.range(3).filter(lambda v: v))
    assert ints(D.range(2).concatenate(D.range(3))) == [0, 1, 0, 1, 2]
    assert list(D.range(2).enumerate(5).as_numpy_iterator()) == [(5, 0), (6, 1)]
    assert ints(D.range(4).prefetch(tf.data.AUTOTUNE)) == [0, 1, 2, 3]
    assert int(D.range(5).reduce(np.int64(0), lambda s, v: s + v)) == 10


def test_cache_freezes_shuffled_order():
    ds = D.range(20).shuffle(20, seed=3).cache()
    assert ints(ds) == ints(ds)
    assert ints(D.range(5).cache().repeat(2)) == [0, 1, 2, 3, 4] * 2


@pytest.mark.parametrize("fuse", [True, False])
def test_cardinality_values(fuse, monkeypatch):
    monkeypatch.setattr(tfdata.dataset, "_FUSE", fuse)
    INF, UNK = tf.data.INFINITE_CARDINALITY, tf.data.UNKNOWN_CARDINALITY
    assert (INF, UNK) == (-1, -2)
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1
    r = D.range(10)
    f = r.filter(lambda v: True)
    cases = [
        (r, 10), (r.batch(3), 4), (r.batch(3, drop_remainder=True), 3), (r.shuffle(4), 10),
        (r.map(lambda v: v), 10), (f, UNK), (r.repeat(), INF), (r.repeat(3), 30),
        (D.range(0).repeat(), 0), (f.repeat(), INF), (f.repeat(2), UNK), (f.repeat(0), 0),
        (r.repeat().take(7), 7), (f.take(7), UNK), (r.take(-1), 10), (r.take(20), 10),
        (r.skip(-1), 0), (r.skip(12), 0), (r.skip(3), 7), (r.repeat().skip(3), INF),
        (r.repeat().batch(2), INF), (D.zip((r, D.range(3).repeat())), 10), (D.zip((r, f)), UNK),
        (r.repeat().filter(lambda v: True), UNK), (r.batch(2).unbatch(), UNK),
        (r.batch(2, drop_remainder=True).unbatch(), 10), (D.from_tensors(np.zeros((4, 2))).unbatch(), 4),
        (r.repeat().batch(2).unbatch(), INF),
        (r.concatenate(r), 20), (r.repeat().concatenate(f), INF),
        (D.from_tensors(np.zeros(3)), 1), (r.prefetch(1).cache(), 10),
    ]
    for ds, want in cases:
        assert ds.cardinality() == want, (ds, want)
        assert tf.data.experimental.cardinality(ds) == want
    assert int(r.cardinality().numpy()) == 10


def test_len():
    assert len(D.range(7).batch(2)) == 4
    with pytest.raises(TypeError, match="infinite"):
        len(D.range(3).repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(D.range(3).filter(lambda v: True))
    assert bool(D.range(0))


def test_iterator_protocol():
    it = iter(D.range(2))
    assert int(next(it)) == 0 and int(it.get_next()) == 1
    with pytest.raises(StopIteration):
        next(it)
    e = next(D.range(3).as_numpy_iterator())
    assert isinstance(e, np.int64)


def test_from_generator():
    ds = D.from_generator(lambda: iter([(1, 2.0), (3, 4.0)]),
                          output_signature=(tfdata.TensorSpec((), tf.int64),
                                            tfdata.TensorSpec((), tf.float32)))
    assert list(ds.as_numpy_iterator()) == [(1, 2.0), (3, 4.0)]
    assert list(ds.as_numpy_iterator()) == [(1, 2.0), (3, 4.0)]   # re-iterable
    assert ds.cardinality() == tf.data.UNKNOWN_CARDINALITY
    g = D.from_generator(lambda: ([i, i] for i in range(3)), output_types=tf.int32,
                         output_shapes=(2,))
    assert [b.tolist() for b in g.batch(2).as_numpy_iterator()] == [[[0, 0], [1, 1]], [[2, 2]]]


def test_list_files_as_tensorflow(tmp_path):
    """Sorted matches over all patterns (TF 2.21: b.png, a.png, c.jpg with ['*.jpg', '*.png'] gives
    a, b, c), shuffled by default with a new order per iteration, repeatable with a seed; no match
    is TF's InvalidArgumentError. Then the tf.io pipeline programs build on it."""
    pytest.importorskip("PIL")
    for i, n in enumerate(["b.png", "a.png", "c.png", "d.png", "e.png"]):
        tf.io.write_file(str(tmp_path / n), tf.io.encode_png(np.full((4, 6, 3), 40 * i, np.uint8)))
    (tmp_path / "z.jpg").write_bytes(tf.io.encode_jpeg(np.zeros((4, 6, 3), np.uint8)).numpy())
    names = lambda ds: [os.path.basename(x.numpy().decode()) for x in ds]  # noqa: E731
    assert names(tf.data.Dataset.list_files(str(tmp_path / "*.png"), shuffle=False)) == \
        ["a.png", "b.png", "c.png", "d.png", "e.png"]
    assert names(tf.data.Dataset.list_files([str(tmp_path / "*.jpg"), str(tmp_path / "a*")], shuffle=False)) == \
        ["a.png", "z.jpg"]
    ds = tf.data.Dataset.list_files(str(tmp_path / "*.png"), seed=3)
    orders = [names(ds) for _ in range(4)]
    assert all(sorted(o) == ["a.png", "b.png", "c.png", "d.png", "e.png"] for o in orders)
    assert len({tuple(o) for o in orders}) > 1  # reshuffled each iteration
    again = tf.data.Dataset.list_files(str(tmp_path / "*.png"), seed=3)
    assert [names(again) for _ in range(4)] == orders  # same seed, same sequence of orders
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        tf.data.Dataset.list_files(str(tmp_path / "*.gif"))

    def load(path):
        img = tf.io.decode_png(tf.io.read_file(path), channels=3)
        return tf.image.convert_image_dtype(img, tf.float32)
    batch = next(iter(tf.data.Dataset.list_files(str(tmp_path / "*.png"), shuffle=False).map(load).batch(5)))
    assert batch.shape == (5, 4, 6, 3)
    np.testing.assert_allclose(batch.numpy()[:, 0, 0, 0] * 255, [40, 0, 80, 120, 160], atol=1e-4)
