"""The training script the distribute tests launch: ``[mpiexec -n N] python worker.py OUT MODE``.

Modes: ``fit`` (fit + evaluate + a custom loop; writes results), ``kill`` (rank 1 kills itself in
epoch 2), ``hang`` (rank 1 stops answering in epoch 2), ``version`` (rank 1 reports another tinytf
version), ``noimport`` (rank 1 cannot import tinytf).
"""
import os
import signal
import sys
import time

out, mode = sys.argv[1], sys.argv[2]
rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", "0"))
if mode == "noimport" and rank == 1:
    from mpi4py import MPI  # noqa: F401 - MPI is up (as with a real script that fails later at import)
    sys.modules["tinytf"] = None  # `import tinytf` raises ImportError on this rank

import numpy as np  # noqa: E402

import tinytf as tf  # noqa: E402

if mode == "version" and rank == 1:
    tf.__tinytf_version__ = "9.9.9"

options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=float(os.environ.get("T_TIMEOUT", 60)))
strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
N, r = strategy.num_replicas_in_sync, strategy.rank

gen = np.random.default_rng(1)
x = gen.standard_normal((36, 8, 8, 2)).astype("float32")
y = gen.integers(0, 3, 36)
xv, yv = x[:12] * 0.5, y[:12]


def make_model():
    return tf.keras.Sequential([
        tf.keras.layers.Input((8, 8, 2)),
        tf.keras.layers.Conv2D(4, 3),
        tf.keras.layers.BatchNormalization(synchronized=True, momentum=0.5),
        tf.keras.layers.ReLU(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(3)])


class Fault(tf.keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if rank == 1 and self.epoch == 1 and batch == 2:
            if mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if mode == "hang":
                time.sleep(600)


tf.random.set_seed(0)
with strategy.scope():
    model = make_model()
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1, momentum=0.9),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
ckpt = os.path.join(out, "ckpt-{epoch}.weights.npz")
hist = model.fit(x, y, batch_size=6, epochs=3, validation_data=(xv, yv), verbose=2,
                 callbacks=[tf.keras.callbacks.ModelCheckpoint(ckpt), Fault()])
ev = model.evaluate(xv, yv, batch_size=6, verbose=0, return_dict=True)

# a custom loop: global batches of 6, each replica its slice, loss scaled by the global batch
tf.random.set_seed(1)
with strategy.scope():
    m2 = make_model()
    opt = tf.keras.optimizers.SGD(0.05)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
dist = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(6))


def step(xb, yb):
    with tf.GradientTape() as tape:
        per = loss_fn(yb, m2(xb, training=True))
        loss = tf.nn.compute_average_loss(per, global_batch_size=6)
    grads = tape.gradient(loss, m2.trainable_variables)
    opt.apply_gradients(zip(grads, m2.trainable_variables))
    return loss


losses = [float(strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(step, (xb, yb)), axis=None))
          for xb, yb in dist]


# uneven slices (a global batch of 7) and Dropout (each rank draws for its own rows): every epoch must
# still shuffle the same way on every rank, or the slices would not partition the data
class ShuffleProbe(tf.keras.callbacks.Callback):
    agree = True

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:  # the epoch's permutation is drawn: compare the random states of the ranks
            import hashlib
            digest = hashlib.sha256(repr(_backend.get_state()).encode()).digest()
            mine = np.frombuffer(digest, np.uint8).astype(np.float32)
            every = np.asarray(strategy.gather(mine[None], axis=0))
            ShuffleProbe.agree &= bool((every == every[0]).all())


from tinytf import backend as _backend  # noqa: E402

with strategy.scope():
    m3 = tf.keras.Sequential([tf.keras.layers.Input((8, 8, 2)), tf.keras.layers.Flatten(),
                              tf.keras.layers.Dropout(0.5), tf.keras.layers.Dense(3)])
    m3.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
m3.fit(x[:21], y[:21], batch_size=7, epochs=3, verbose=0, callbacks=[ShuffleProbe()])

res = {f"w{i}": w for i, w in enumerate(model.get_weights())}
res.update({f"c{i}": w for i, w in enumerate(m2.get_weights())})
res.update({f"h_{k}": np.array(v) for k, v in hist.history.items()})
res.update({f"ev_{k}": np.array(v) for k, v in ev.items()})
res["loop_losses"] = np.array(losses)
res["replicas"] = np.array(N)
res["shuffles_agree"] = np.array(ShuffleProbe.agree)
res["synchronized_bn"] = np.array(tf.distribute.sync_batch_norm_op() is not None)  # the global-statistics op ran
np.savez(os.path.join(out, f"result-{N}-{r}.npz"), **res)
print(f"rank {r} of {N} done", flush=True)
