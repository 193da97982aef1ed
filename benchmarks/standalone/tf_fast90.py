"""The ``tinytf train --recipe fast90`` run as a plain TensorFlow / Keras script (see recipe90.py).

    python benchmarks/standalone/tf_fast90.py [--threads 2] [--epochs 4] [--augment flip,shift]

Keras ``fit`` one epoch at a time on the epoch's batches (the order and augmentation drawn as in
the PyTorch script), Adam(CosineDecay(3e-3, all steps)), intra-op threads = --threads, inter-op 1.
"""
import time

T0 = time.perf_counter()
import os  # noqa: E402
import sys  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipe90  # noqa: E402  (NumPy only)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def model(filters):
    L = tf.keras.layers
    return tf.keras.Sequential([
        L.Input((28, 28, 1)),
        L.Conv2D(filters[0], 3), L.BatchNormalization(), L.MaxPooling2D(2), L.ReLU(),
        L.Conv2D(filters[1], 3), L.BatchNormalization(), L.MaxPooling2D(2), L.ReLU(),
        L.Flatten(), L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10)])


def main():
    a = recipe90.parse(__doc__)
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(a.seed)
    x, y, xt, yt = recipe90.load()
    t_data = time.perf_counter() - T0
    total = a.epochs * -(-len(x) // a.batch)
    S = tf.keras.optimizers.schedules
    if a.schedule == "constant":
        lr = a.lr
    elif a.schedule == "cosine":
        lr = S.CosineDecay(a.lr, total)
    else:
        warm = min(round(0.2 * total), total - 1)
        lr = S.CosineDecay(a.lr / 10, total - warm, warmup_target=a.lr, warmup_steps=warm)
    net = model(a.filters)
    net.compile(optimizer=tf.keras.optimizers.Adam(lr),
                loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    rng = np.random.default_rng(a.seed)
    accs, epoch_s = [], []
    for e in range(a.epochs):
        t = time.perf_counter()
        xe, ye = (np.concatenate(p) for p in zip(*recipe90.epoch_batches(rng, x, y, a)))
        net.fit(xe, ye, batch_size=a.batch, epochs=e + 1, initial_epoch=e, shuffle=False, verbose=0)
        accs.append(float(net.evaluate(xt, yt, batch_size=a.batch, verbose=0, return_dict=True)["accuracy"]))
        epoch_s.append(time.perf_counter() - t)
    recipe90.result("tf", a, T0, t_data, accs, epoch_s, {"tensorflow": tf.__version__})


if __name__ == "__main__":
    main()
