"""tinytf.kernels.parallel: every part once, on several threads, errors handed back, BLAS held at
one thread inside, and the same bits for any thread count (kernels and a whole training step)."""
import os
import threading

import numpy as np
import pytest

import tinytf as tf
from tinytf.kernels import activation, blas, conv, fast, parallel, pool as pool_kernels, table as K, tail


@pytest.fixture
def threads():
    """Set tinytf's thread count for the test (the suite's workers run with one BLAS thread, which
    tinytf follows by default), and put it back afterwards."""
    before = parallel._settings["threads"]
    yield parallel.set_threads
    parallel.set_threads(before)


needs_openblas = pytest.mark.skipif(parallel._openblas().get is None,
                                    reason="tinytf holds only OpenBLAS at one thread; elsewhere it runs one")


@needs_openblas
def test_every_part_runs_once_and_two_threads_take_parts_at_the_same_time(threads):
    threads(2)
    meet = threading.Barrier(2, timeout=10)  # parts 0 and 1 pass only if two threads run them together
    seen, names = [], set()

    def part(i):
        if i < 2:
            meet.wait()
        seen.append(i)
        names.add(threading.current_thread().name)
    parallel.run(part, 50)
    assert sorted(seen) == list(range(50))
    assert len(names) == 2 and any(n.startswith("tinytf-worker") for n in names)


def test_one_thread_runs_parts_in_order_on_the_caller(threads):
    threads(1)
    seen = []
    parallel.run(lambda i: seen.append((i, threading.current_thread().name)), 7)
    assert seen == [(i, threading.current_thread().name) for i in range(7)]
    parallel.run(lambda i: pytest.fail("no part to run"), 0)


@pytest.mark.parametrize("count", [1, 3])
def test_the_first_error_reaches_the_caller_and_the_pool_still_works(threads, count):
    threads(count)

    def part(i):
        if i == 5:
            raise ValueError("part 5")
    with pytest.raises(ValueError, match="part 5"):
        parallel.run(part, 40)
    done = []
    parallel.run(done.append, 10)
    assert sorted(done) == list(range(10))
    assert not parallel.inside()


def test_a_run_inside_a_part_stays_on_that_thread(threads):
    threads(3)
    inner = {}

    def part(i):
        here = threading.current_thread().name
        parallel.run(lambda j: inner.setdefault((i, j), threading.current_thread().name == here), 4)
        assert parallel.inside()
    parallel.run(part, 6)
    assert len(inner) == 24 and all(inner.values())


@needs_openblas
def test_blas_runs_on_one_thread_inside_and_gets_its_count_back(threads):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    threads(2)

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info()
                if os.path.realpath(i["filepath"]) == os.path.realpath(parallel._openblas().path)]
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        inside = []
        parallel.run(lambda i: inside.append(parallel._openblas().get()), 4)
        assert inside == [1, 1, 1, 1]
        assert blas_threads() == [2]
        with threadpoolctl.threadpool_limits(3, user_api="blas"):
            threads(0)
            assert parallel.threads() == 3  # the default follows BLAS's own count


@needs_openblas
def test_a_forked_child_starts_its_own_workers(threads):
    threads(2)
    parallel.run(lambda i: None, 4)  # the parent's workers exist
    pid = os.fork()
    if pid == 0:  # the child: parts must still all run (the parent's threads are not here)
        done = []
        parallel.run(done.append, 8)
        os._exit(0 if sorted(done) == list(range(8)) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _kernels(rng):
    """Every kernel that splits its work, on inputs large enough to have several parts."""
    x = rng.standard_normal((6, 20, 20, 16), dtype=np.float32)
    w = rng.standard_normal((3, 3, 16, 32), dtype=np.float32)
    geo = conv.geometry((20, 20), (3, 3), (1, 1), (1, 1), "SAME")
    g = rng.standard_normal((6, 20, 20, 32), dtype=np.float32)
    strided = conv.geometry((20, 20), (3, 3), (2, 2), (1, 1), "SAME")
    gs = rng.standard_normal((6, 10, 10, 32), dtype=np.float32)
    pool = conv.geometry((20, 20), (2, 2), (2, 2), (1, 1), "VALID")
    y, cols = K.conv2d_forward(x, w, geo)  # Winograd; cols: None
    conv.KEEP_BYTES, conv.WINOGRAD_CHANNELS = 1 << 30, 1 << 30  # (put back by the test's monkeypatch)
    direct, kept = K.conv2d_forward(x, w, geo)
    conv.KEEP_BYTES = 0
    strided_dx = K.conv2d_backward_input(gs, w, x.shape, strided)
    conv.WINOGRAD_CHANNELS = 16
    p, arg = fast.max_pool_forward_argmax(x, pool)
    a, b = rng.standard_normal((1500, 700), dtype=np.float32), rng.standard_normal((700, 40), dtype=np.float32)
    big = rng.standard_normal(700_000, dtype=np.float32)
    m, v = np.abs(big) * 0.1, np.abs(big) * 0.01
    x2d = x.reshape(-1, 16)
    steps = tail.Tail(w[0, 0, 0], False, w[0, 1, 0], w[0, 2, 0], True, pool, True)
    return {
        "conv forward": y, "conv forward, direct": direct,
        "conv filter gradient": K.conv2d_backward_filter(g, kept, w.shape),
        "conv filter gradient from x": K.conv2d_backward_filter(g, cols, w.shape, x, geo),
        "conv input gradient": K.conv2d_backward_input(g, w, x.shape, geo),
        "strided conv input gradient": strided_dx,
        "max pool": p, "max pool gradient": fast.max_pool_backward_argmax(p, arg, x.shape, pool),
        "max pool, inference": fast.max_pool_forward(x, pool),
        "max pool, inference reference": pool_kernels.max_pool_forward(x, pool),
        "conv forward with a tail": K.conv2d_forward_tail(x, w, geo, steps, np.empty((6, 10, 10, 32), np.float32)),
        "relu": activation.relu(g),
        "relu gradient": fast.relu_backward(g, np.maximum(g, 0)),
        "bias relu": fast.bias_relu(g, w[0, 0, 0]), "channel add": fast.channel_add(g, w[0, 0, 0]),
        "normalize": fast.normalize(x, x2d.mean(0), x2d.var(0), 1.5, 0.25, 1e-3),
        "batch norm gradient": fast.batch_norm_train_backward(x2d, x2d[::-1], x2d.mean(0), x2d.var(0),
                                                               np.full(16, 1.5, np.float32), 1e-3)[0],
        "matmul": blas.matmul(a, b), "matmul, column blocks": blas.matmul(b.T[:64], a.T[:, :1000]),
        "adam": fast.adam_update(big, big * 2, m, v, None, np.float32(1e-3),
                                                              np.float32(0.1), np.float32(1e-3),
                                                              np.float32(1e-7))[0],
    }


def test_every_split_kernel_gives_the_same_bits_for_any_thread_count(threads, monkeypatch):
    pytest.importorskip("numba")  # the compiled kernels split their loops too
    monkeypatch.setattr(conv, "KEEP_BYTES", 0)  # x's window matrices are built again in the filter gradient
    monkeypatch.setattr(conv, "AS_CONV_ABOVE", 0)  # and the stride-1 input gradient is a forward conv
    monkeypatch.setattr(conv, "CHUNK_BYTES", 20 * 20 * 144 * 4)  # one image a part: 6 parts
    monkeypatch.setattr(parallel, "BLOCK_ELEMENTS", 1 << 12)
    monkeypatch.setattr(blas, "MIN_ROWS", 128)
    monkeypatch.setattr(conv, "WINOGRAD_CHANNELS", 16)
    threads(1)
    one = _kernels(np.random.default_rng(0))
    np.testing.assert_array_equal(one["max pool, inference"], one["max pool"])
    np.testing.assert_array_equal(one["max pool, inference reference"], one["max pool"])
    for count in (2, 3, 5):
        threads(count)
        again = _kernels(np.random.default_rng(0))
        for name, value in one.items():
            np.testing.assert_array_equal(again[name], value, err_msg=f"{name}, {count} threads")


def test_a_training_step_gives_the_same_weights_for_one_and_two_threads(threads):
    def train(count):
        threads(count)
        tf.random.set_seed(1)
        model = tf.keras.Sequential([
            tf.keras.layers.Conv2D(16, 3, padding="same", input_shape=(16, 16, 3)),
            tf.keras.layers.BatchNormalization(), tf.keras.layers.ReLU(), tf.keras.layers.MaxPool2D(),
            tf.keras.layers.Conv2D(32, 3, strides=2), tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])
        opt = tf.keras.optimizers.Adam(1e-3)
        rng = np.random.default_rng(2)
        for _ in range(3):
            x = tf.constant(rng.standard_normal((32, 16, 16, 3), dtype=np.float32))
            y = tf.constant(rng.integers(0, 10, 32))
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(x, training=True),
                                                                                         from_logits=True))
            opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return [v.numpy() for v in model.weights]
    for a, b in zip(train(1), train(2)):
        np.testing.assert_array_equal(a, b)


@needs_openblas
def test_tf_config_sets_the_kernels_thread_count(threads):
    threads(0)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(3)
        assert parallel.threads() == 3
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(0)
    assert tf.config.threading.get_intra_op_parallelism_threads() == 0


def test_without_openblas_everything_runs_on_the_caller(monkeypatch, threads):
    """Where NumPy's BLAS is not an OpenBLAS tinytf can hold at one thread, its kernels run their
    parts on the calling thread (BLAS threads as it likes: on two threads OpenBLAS's Haswell
    kernels round differently, so the results agree to rounding)."""
    x = np.random.default_rng(4).standard_normal((5, 9, 9, 6), dtype=np.float32)
    w = np.random.default_rng(5).standard_normal((3, 3, 6, 8), dtype=np.float32)
    geo = conv.geometry((9, 9), (3, 3), (1, 1), (1, 1), "SAME")
    want = K.conv2d_forward(x, w, geo)[0]
    monkeypatch.setattr(parallel, "_blas", parallel._OpenBLAS.__new__(parallel._OpenBLAS))
    parallel._blas.get = None
    threads(4)
    assert parallel.threads() == 1
    names = set()
    parallel.run(lambda i: names.add(threading.current_thread().name), 6)
    assert names == {threading.current_thread().name}
    np.testing.assert_allclose(K.conv2d_forward(x, w, geo)[0], want, rtol=1e-5, atol=1e-5)
