"""Seeded runs repeat bitwise: two fresh processes running the same seeded training end with the
same weights, bit for bit, with the environment exactly as the machine sets it (OPENBLAS_* too).
This runs the real path (kernels, BLAS, tape, optimizer, data pipeline), not a premise about BLAS."""
import hashlib
import subprocess
import sys
import textwrap

import numpy as np

import tinytf as tf

PROGRAM = textwrap.dedent("""
    import hashlib, numpy as np, tinytf as tf
    from tinytf.keras import layers, Sequential
    tf.random.set_seed(5)
    r = np.random.default_rng(0)
    x = r.random((512, 28, 28, 1), dtype=np.float32)
    y = (x[:, 10:18, 10:18, 0].mean(axis=(1, 2)) * 20).astype(np.int32) % 10
    model = Sequential([layers.Conv2D(6, 3), layers.BatchNormalization(), layers.MaxPooling2D(2),
                        layers.ReLU(), layers.Conv2D(16, 3), layers.BatchNormalization(),
                        layers.MaxPooling2D(2), layers.ReLU(), layers.Flatten(), layers.Dropout(0.2),
                        layers.Dense(120, activation="relu"), layers.Dense(10)])
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=64, epochs=2, shuffle=True, verbose=0)
    opt = tf.keras.optimizers.Adam()
    db = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(512).batch(128)
    for xb, yb in db:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
                yb, model(xb, training=True), from_logits=True))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
    h = hashlib.sha256()
    for w in model.get_weights():
        h.update(np.ascontiguousarray(w).tobytes())
    print(h.hexdigest())
""")


def run_once():
    out = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_two_fresh_processes_train_to_the_same_bits():
    assert run_once() == run_once()


def test_the_same_op_on_the_same_inputs_gives_the_same_bits_on_every_call(machine_blas_threads):
    """Repeated calls must not drift (a per-call policy, e.g. a thread count picked by timing,
    would change the last bits after a few calls)."""
    r = np.random.default_rng(3)
    x = tf.constant(r.standard_normal((32, 16, 16, 8), dtype=np.float32))
    w = tf.constant(r.standard_normal((3, 3, 8, 16), dtype=np.float32))
    a = tf.constant(r.standard_normal((512, 400), dtype=np.float32))
    b = tf.constant(r.standard_normal((400, 120), dtype=np.float32))

    def step():
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            y = tf.nn.conv2d(x, w, 1, "SAME")
            loss = tf.reduce_sum(y * y)
        gx, gw = tape.gradient(loss, [x, w])
        return hashlib.sha256(b"".join(np.ascontiguousarray(t.numpy()).tobytes()
                                       for t in (y, gx, gw, tf.matmul(a, b)))).hexdigest()
    first = step()
    assert all(step() == first for _ in range(15))
