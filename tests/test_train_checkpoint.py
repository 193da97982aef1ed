"""tf.train.Checkpoint / CheckpointManager / latest_checkpoint."""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import layers


def make_pair(seed):
    tf.random.set_seed(seed)
    gen = tf.keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(12), layers.Reshape((2, 2, 3)),
                               layers.Conv2D(4, 2, padding="same"), layers.BatchNormalization()])
    disc = tf.keras.Sequential([layers.Conv2D(3, 2), layers.Flatten(), layers.Dense(1)])
    gen.build((None, 5))
    disc.build((None, 2, 2, 4))
    return gen, disc, tf.keras.optimizers.Adam(1e-3, beta_1=0.5), tf.keras.optimizers.Nadam(2e-3)


NOISE = np.random.default_rng(0).standard_normal((6, 4, 5)).astype(np.float32)
REAL = np.random.default_rng(1).standard_normal((6, 4, 2, 2, 4)).astype(np.float32)


def train_step(gen, disc, g_opt, d_opt, k):
    with tf.GradientTape() as gt, tf.GradientTape() as dt:
        fake = gen(NOISE[k], training=True)
        real_out, fake_out = disc(REAL[k], training=True), disc(fake, training=True)
        g_loss = tf.reduce_mean(tf.square(fake_out - 1.0))
        d_loss = tf.reduce_mean(tf.square(real_out - 1.0)) + tf.reduce_mean(tf.square(fake_out))
    g_opt.apply_gradients(zip(gt.gradient(g_loss, gen.trainable_variables), gen.trainable_variables))
    d_opt.apply_gradients(zip(dt.gradient(d_loss, disc.trainable_variables), disc.trainable_variables))


def weights(*models):
    return [w.numpy() for m in models for w in m.weights]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_dcgan_save_restore_fresh_objects_and_continue(tmp_path):
    gen, disc, g_opt, d_opt = make_pair(1)
    step = tf.Variable(0, dtype=tf.int64)
    ckpt = tf.train.Checkpoint(generator=gen, discriminator=disc, generator_optimizer=g_opt,
                               discriminator_optimizer=d_opt, step=step)
    for k in range(3):
        train_step(gen, disc, g_opt, d_opt, k)
        step.assign_add(1)
    path = ckpt.save(os.path.join(tmp_path, "ckpt"))
    assert path == os.path.join(tmp_path, "ckpt-1")
    assert tf.train.latest_checkpoint(str(tmp_path)) == path

    gen2, disc2, g_opt2, d_opt2 = make_pair(99)  # different initial weights, unbuilt optimizers
    step2 = tf.Variable(0, dtype=tf.int64)
    ckpt2 = tf.train.Checkpoint(generator=gen2, discriminator=disc2, generator_optimizer=g_opt2,
                                discriminator_optimizer=d_opt2, step=step2)
    ckpt2.restore(tf.train.latest_checkpoint(str(tmp_path))).assert_consumed()
    assert int(step2) == 3 and int(ckpt2.save_counter) == 1
    assert_same(weights(gen, disc), weights(gen2, disc2))
    assert int(g_opt2.iterations) == 3
    for k in range(3, 6):
        train_step(gen, disc, g_opt, d_opt, k)
        train_step(gen2, disc2, g_opt2, d_opt2, k)
    assert_same(weights(gen, disc), weights(gen2, disc2))
    for a, b in ((g_opt, g_opt2), (d_opt, d_opt2)):
        sa, sb = a.get_state(), b.get_state()
        assert sa.keys() == sb.keys()
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key])


def test_keys_are_object_paths(tmp_path):
    gen, disc, g_opt, _ = make_pair(2)
    train_step(gen, disc, g_opt, tf.keras.optimizers.SGD(), 0)
    tf.train.Checkpoint(generator=gen, generator_optimizer=g_opt).write(os.path.join(tmp_path, "w"))
    with np.load(os.path.join(tmp_path, "w.npz"), allow_pickle=False) as z:
        keys = set(z.files)
    assert {"generator/dense/kernel", "generator/conv2d/kernel", "generator/batch_normalization/moving_mean",
            "generator_optimizer/iteration", "generator_optimizer/slot/0/momentum", "save_counter"} <= keys


def test_save_numbers_and_index_file(tmp_path):
    v = tf.Variable(1.0)
    ckpt = tf.train.Checkpoint(v=v)
    prefix = os.path.join(tmp_path, "sub", "ckpt")
    assert ckpt.save(prefix).endswith("ckpt-1")
    v.assign(2.0)
    p2 = ckpt.save(prefix)
    assert p2.endswith("ckpt-2")
    with open(os.path.join(tmp_path, "sub", "checkpoint")) as f:
        assert f.read().splitlines()[0] == 'model_checkpoint_path: "ckpt-2"'
    v.assign(5.0)
    ckpt.restore(prefix + "-1")
    assert float(v) == 1.0
    assert tf.train.latest_checkpoint(os.path.join(tmp_path, "sub")) == p2
    assert tf.train.latest_checkpoint(os.path.join(tmp_path, "nothing")) is None
    assert ckpt.restore(None).assert_consumed() is not None  # a fresh start: nothing to do


def test_manager_keeps_max_and_deletes_old(tmp_path):
    step = tf.Variable(0)
    ckpt = tf.train.Checkpoint(step=step)
    other = os.path.join(tmp_path, "mine.npz")
    with open(other, "wb") as f:
        f.write(b"not touched")
    mgr = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert mgr.latest_checkpoint is None
    paths = []
    for k in range(4):
        step.assign(k)
        paths.append(mgr.save())
    assert [os.path.basename(p) for p in paths] == ["ckpt-1", "ckpt-2", "ckpt-3", "ckpt-4"]
    assert mgr.checkpoints == paths[2:] and mgr.latest_checkpoint == paths[3]
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-3.npz", "ckpt-4.npz", "mine.npz"]
    again = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)  # recovers its list
    assert again.checkpoints == paths[2:]
    assert again.save(checkpoint_number=10).endswith("ckpt-10")
    assert not os.path.exists(os.path.join(tmp_path, "ckpt-3.npz"))
    step.assign(-1)
    assert again.restore_or_initialize() == os.path.join(tmp_path, "ckpt-10")
    assert int(step) == 3
    assert tf.train.latest_checkpoint(str(tmp_path)) == os.path.join(tmp_path, "ckpt-10")


def test_errors_change_nothing(tmp_path):
    gen, disc, g_opt, _ = make_pair(3)
    path = tf.train.Checkpoint(generator=gen, step=tf.Variable(4)).save(os.path.join(tmp_path, "c"))
    gen2, disc2, _, _ = make_pair(4)
    before = weights(gen2)
    step = tf.Variable(0)
    with pytest.raises(ValueError, match="discriminator: not in the checkpoint"):
        tf.train.Checkpoint(generator=gen2, discriminator=disc2, step=step).restore(path)
    assert_same(before, weights(gen2))
    assert int(step) == 0
    small = tf.keras.Sequential([layers.Dense(3), layers.Dense(12), layers.Reshape((2, 2, 3)),
                                 layers.Conv2D(4, 2, padding="same"), layers.BatchNormalization()])
    small.build((None, 5))
    with pytest.raises(ValueError, match=r"generator/dense/kernel: checkpoint \(5, 8\) vs object \(5, 3\)"):
        tf.train.Checkpoint(generator=small, step=step).restore(path)
    assert int(step) == 0
    unbuilt = tf.keras.Sequential([layers.Dense(8)])  # as TF: checked and restored when it is built
    tf.train.Checkpoint(generator=unbuilt).restore(path)
    with pytest.raises(ValueError, match="restored when built"):
        unbuilt(np.zeros((1, 5), np.float32))
    with pytest.raises(tf.errors.NotFoundError, match="no checkpoint"):
        tf.train.Checkpoint(step=step).restore(os.path.join(tmp_path, "missing-3"))
    with pytest.raises(ValueError, match="trackable.*got 3"):
        tf.train.Checkpoint(v=3)
    status = tf.train.Checkpoint(step=step).restore(path)  # partial restore is allowed
    assert int(step) == 4
    with pytest.raises(AssertionError, match="generator/dense/kernel"):
        status.assert_consumed()


def test_manager_argument_errors(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    with pytest.raises(ValueError, match="max_to_keep=0"):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=0)
    with pytest.raises(TypeError, match="Checkpoint"):
        tf.train.CheckpointManager(object(), str(tmp_path))


# ---- files from strangers: a tampered index, hostile arrays and metadata ----------------------------

def _ckpt(tmp_path, **objects):
    ckpt = tf.train.Checkpoint(**objects)
    return ckpt, tf.train.CheckpointManager(ckpt, str(tmp_path / "run"), max_to_keep=1)


@pytest.mark.parametrize("where", ["absolute", "dotdot", "other_name"])
def test_manager_deletes_only_its_own_checkpoints(tmp_path, where):
    """A tampered ``checkpoint`` index lists files outside the folder (or not named like the
    manager's): saving past max_to_keep must delete none of them."""
    outside = tmp_path / "precious.npz"
    outside.write_bytes(b"user data")
    inside = tmp_path / "run" / "notes.npz"
    (tmp_path / "run").mkdir()
    inside.write_bytes(b"user data")
    listed = {"absolute": str(tmp_path / "precious"), "dotdot": "../precious", "other_name": "notes"}[where]
    (tmp_path / "run" / "checkpoint").write_text(
        f'model_checkpoint_path: "{listed}"\nall_model_checkpoint_paths: "{listed}"\n')
    _, manager = _ckpt(tmp_path, v=tf.Variable(np.float32(1)))
    manager.save()
    manager.save()
    assert outside.read_bytes() == b"user data" and inside.read_bytes() == b"user data"
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint", "ckpt-2.npz", "notes.npz"]


@pytest.mark.parametrize("text", ["\x00\xff garbage", "model_checkpoint_path: {not json}\n",
                                  "model_checkpoint_path: 12\n", "hello: world\n"])
def test_garbage_index_warns_and_gives_none(tmp_path, text):
    (tmp_path / "checkpoint").write_bytes(text.encode("latin1"))
    with pytest.warns(UserWarning, match="not a checkpoint index file"):
        assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_string_array_for_a_float_variable_changes_nothing(tmp_path):
    a, b = tf.Variable(np.float32(1)), tf.Variable(np.zeros(3, np.float32))
    ckpt = tf.train.Checkpoint(a=a, b=b)
    path = ckpt.write(str(tmp_path / "c"))
    with np.load(path + ".npz") as z:
        arrays = dict(z)
    arrays["a"], arrays["b"] = np.float32(5), np.array(["x", "y", "z"])
    np.savez(path + ".npz", **arrays)
    with pytest.raises(ValueError, match=r"b: holds <U1 data, not numbers"):
        ckpt.restore(path)
    assert float(a.numpy()) == 1.0 and not b.numpy().any()


def test_meta_not_json(tmp_path):
    v = tf.Variable(np.float32(1))
    path = tf.train.Checkpoint(v=v).write(str(tmp_path / "c"))
    with np.load(path + ".npz") as z:
        arrays = dict(z)
    arrays["__meta__"] = np.array("{not json")
    np.savez(path + ".npz", **arrays)
    with pytest.raises(ValueError, match=r"c\.npz: __meta__: is not valid JSON"):
        tf.train.Checkpoint(v=v).restore(path)


def test_checkpoint_reads_only_the_arrays_it_uses(tmp_path, monkeypatch):
    """Entries for other objects are checked by header and never read (a huge one costs nothing)."""
    v = tf.Variable(np.float32(1))
    path = tf.train.Checkpoint(v=v, w=tf.Variable(np.zeros(1000, np.float32))).write(str(tmp_path / "c"))
    from tinytf import loading
    read = []
    real = loading.Npz.read
    monkeypatch.setattr(loading.Npz, "read", lambda self, name: read.append(name) or real(self, name))
    tf.train.Checkpoint(v=v).restore(path)
    assert sorted(read) == ["__meta__", "save_counter", "v"]


def test_restore_into_an_unbuilt_model_is_deferred_to_its_first_call(tmp_path):
    """As TF's deferred restoration: a model not built yet takes the weights when it is built."""
    def make():
        return tf.keras.Sequential([tf.keras.layers.Dense(3), tf.keras.layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    m = make()
    want = m(x).numpy()
    path = tf.train.Checkpoint(model=m).save(str(tmp_path / "ckpt"))
    fresh = make()
    tf.train.Checkpoint(model=fresh).restore(path)
    np.testing.assert_array_equal(fresh(x).numpy(), want)  # the first call already uses them
    wrong = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.Dense(2)])
    tf.train.Checkpoint(model=wrong).restore(path)
    with pytest.raises(ValueError, match="restored when built"):
        wrong(x)


def test_cluster_spec_jobs_tasks_and_dict():
    spec = tf.train.ClusterSpec({"worker": ["localhost:1", "localhost:2"], "ps": {3: "localhost:9"}})
    assert spec.jobs == ["ps", "worker"] and spec.num_tasks("worker") == 2 and spec.task_indices("ps") == [3]
    assert spec.task_address("worker", 1) == "localhost:2"
    assert spec.as_dict() == {"worker": ["localhost:1", "localhost:2"], "ps": {3: "localhost:9"}}
    assert spec.job_tasks("ps") == [None, None, None, "localhost:9"]
    assert tf.train.ClusterSpec(spec) == spec and bool(spec) and not tf.train.ClusterSpec({})
    with pytest.raises(ValueError, match="No such job"):
        spec.num_tasks("chief")
    with pytest.raises(ValueError, match="No task with index 5"):
        spec.task_address("worker", 5)
