"""What a fixed BLAS thread count costs: a LeNet-5+BN training step and conv_big (forward and
forward+backward) with NumPy's BLAS at one thread and at all threads, alternating, medians.

The removed per-shape policy (kernels/blas.py before 2026-11-30) chose between exactly these two
per GEMM shape by timing; the faster of the two fixed counts bounds what it could gain.

    python benchmarks/blas_threads.py [--repeats 7] [--steps 30]

Needs threadpoolctl (benchmarks/requirements.txt). Run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
set as the machine sets them, and unset (``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE``).
"""
import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits, threadpool_info

import tinytf as tf
from tinytf.keras import Sequential, layers, optimizers


def lenet_step():
    tf.random.set_seed(0)
    r = np.random.default_rng(0)
    x = tf.constant(r.random((128, 28, 28, 1), dtype=np.float32))
    y = tf.constant(r.integers(0, 10, 128).astype(np.int32))
    net = Sequential([layers.Conv2D(6, 3), layers.BatchNormalization(), layers.MaxPooling2D(2, 2), layers.ReLU(),
                      layers.Conv2D(16, 3), layers.BatchNormalization(), layers.MaxPooling2D(2, 2), layers.ReLU(),
                      layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
                      layers.Dense(10)])
    net.build((None, 28, 28, 1))
    opt = optimizers.Adam(1e-3)

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, net(x, training=True),
                                                                                  from_logits=True))
        grads = tape.gradient(loss, net.trainable_variables)
        opt.apply_gradients(zip(grads, net.trainable_variables))
    return step


def conv_big(backward):
    r = np.random.default_rng(1)
    x = tf.constant(r.standard_normal((64, 32, 32, 64), dtype=np.float32))
    w = tf.constant(r.standard_normal((3, 3, 64, 64), dtype=np.float32))

    def run():
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            y = tf.nn.conv2d(x, w, 1, "SAME")
        if backward:
            tape.gradient(y, [x, w])
    return run


def time_per_call(fn, steps):
    fn()
    t0 = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - t0) / steps * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--steps", type=int, default=30)
    a = ap.parse_args()
    n_all = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    print("BLAS:", [(i["internal_api"], i.get("architecture"), i["num_threads"])
                    for i in threadpool_info() if i["user_api"] == "blas"])
    work = {"lenet step": (lenet_step(), a.steps), "conv_big fwd": (conv_big(False), max(3, a.steps // 6)),
            "conv_big fwd+bwd": (conv_big(True), max(3, a.steps // 10))}
    for name, (fn, steps) in work.items():
        times = {1: [], n_all: []}
        for _ in range(a.repeats):
            for n in times:  # alternate
                with threadpool_limits(n, user_api="blas"):
                    times[n].append(time_per_call(fn, steps))
        med = {n: statistics.median(v) for n, v in times.items()}
        print(f"{name:18s} 1 thread {med[1]:8.2f} ms   {n_all} threads {med[n_all]:8.2f} ms   "
              f"ratio all/one {med[n_all] / med[1]:.2f}")


if __name__ == "__main__":
    main()
