"""Time per training step and communication time under tf.distribute (docs/DISTRIBUTED.md).

    [mpiexec -n N] python benchmarks/distribute/steps.py MODEL [GLOBAL_BATCH] [STEPS]

Trains ``MODEL`` (tinytf.zoo: lenet5, vgg-small) on random 28x28x1 images for 3 warm-up steps and
then STEPS timed steps with ``fit``; rank 0 prints ms/step, the part spent in collectives
(waiting for the slowest rank included) and the gradient bytes per step.
"""
import sys
import time

import numpy as np

import tinytf as tf
from tinytf import zoo

name = sys.argv[1]
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 128
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
warm = 3
strategy = tf.distribute.MultiWorkerMirroredStrategy()
comm = strategy._comm
gen = np.random.default_rng(0)
x = gen.random((batch * (warm + steps), 28, 28, 1), dtype=np.float32)
y = gen.integers(0, 10, len(x))
tf.random.set_seed(0)
with strategy.scope():
    model = zoo.build(name, [28, 28, 1], 10)
    model.compile(tf.keras.optimizers.Adam(1e-3), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


class Clock(tf.keras.callbacks.Callback):
    def on_train_batch_begin(self, batch, logs=None):
        if batch == warm:
            self.t0, self.c0 = time.perf_counter(), getattr(comm, "comm_seconds", 0.0)

    def on_train_end(self, logs=None):
        self.t1, self.c1 = time.perf_counter(), getattr(comm, "comm_seconds", 0.0)


clock = Clock()
model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0, callbacks=[clock])
ms = (clock.t1 - clock.t0) / steps * 1000
cms = (clock.c1 - clock.c0) / steps * 1000
nbytes = sum(np.asarray(v).nbytes for v in model.trainable_variables)
if strategy.is_chief:
    print(f"{name} batch {batch} workers {strategy.num_replicas_in_sync}: {ms:.1f} ms/step, collectives "
          f"{cms:.1f} ms/step, {model.count_params()} params, {nbytes} gradient bytes/step", flush=True)
