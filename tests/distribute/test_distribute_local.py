"""tf.distribute in one process (no mpiexec): one replica, the same numbers as without a strategy."""
import numpy as np

import tinytf as tf


def _model():
    return tf.keras.Sequential([tf.keras.layers.Input((6, 6, 1)), tf.keras.layers.Conv2D(2, 3),
                                tf.keras.layers.BatchNormalization(synchronized=True), tf.keras.layers.Flatten(),
                                tf.keras.layers.Dense(2)])


def _train(strategy):
    gen = np.random.default_rng(0)
    x, y = gen.standard_normal((10, 6, 6, 1)).astype("float32"), gen.integers(0, 2, 10)
    tf.random.set_seed(3)
    if strategy is None:
        m = _model()
        m.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    else:
        with strategy.scope():
            m = _model()
            m.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    h = m.fit(x, y, batch_size=4, epochs=2, verbose=0)
    return m.get_weights(), h.history


def test_one_replica_strategy_changes_nothing():
    w0, h0 = _train(None)
    for strategy in (tf.distribute.MultiWorkerMirroredStrategy(), tf.distribute.MirroredStrategy()):
        assert strategy.num_replicas_in_sync == 1 and strategy.is_chief
        w1, h1 = _train(strategy)
        assert h0 == h1
        for a, b in zip(w0, w1):
            assert np.array_equal(a, b)


def test_scope_and_contexts():
    default = tf.distribute.get_strategy()
    assert default.num_replicas_in_sync == 1 and not tf.distribute.has_strategy()
    assert tf.distribute.get_replica_context() is not None
    s = tf.distribute.MultiWorkerMirroredStrategy()
    with s.scope():
        assert tf.distribute.get_strategy() is s and tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_replica_context() is None
        out = s.run(lambda v: (tf.distribute.get_replica_context().replica_id_in_sync_group, v * 2), (3.0,))
    assert out == (0, 6.0)
    assert float(s.reduce(tf.distribute.ReduceOp.SUM, tf.constant([1.0, 2.0]), axis=0)) == 3.0
    assert float(s.reduce("MEAN", tf.constant([1.0, 2.0]), axis=0)) == 1.5
    assert np.asarray(s.gather(tf.constant([[1.0], [2.0]]), axis=0)).shape == (2, 1)
    ds = tf.data.Dataset.from_tensor_slices((np.arange(8.0), np.arange(8))).batch(4)
    assert [len(np.asarray(xb)) for xb, _ in s.experimental_distribute_dataset(ds)] == [4, 4]


def test_synchronized_is_in_the_config():
    bn = tf.keras.layers.BatchNormalization(synchronized=True)
    assert bn.get_config()["synchronized"] is True
    assert tf.keras.layers.BatchNormalization.from_config(bn.get_config()).synchronized
