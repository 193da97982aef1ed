"""End to end: the tutorial's LeNet-5 with BN learns real Fashion-MNIST in one short epoch.

Needs the data (Debian's dataset-fashion-mnist, which CI installs); elsewhere it is skipped
unless CI is set, where a missing dataset is a failure.
"""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import Sequential, layers, optimizers


def _data():
    try:
        return tf.keras.datasets.fashion_mnist.load_data()
    except FileNotFoundError as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Fashion-MNIST not available: {e}")


def lenet5():
    return Sequential([
        layers.Conv2D(6, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Conv2D(16, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Flatten(),
        layers.Dense(120, activation='relu'), layers.Dense(84, activation='relu'), layers.Dense(10)])


def test_tutorial_loop_learns_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = _data()
    tf.random.set_seed(0)
    # 375 steps of 32: enough for BN's moving statistics (momentum 0.99, variance starting at 1)
    # to approach the batch statistics that inference mode uses.
    n = 12000
    db = tf.data.Dataset.from_tensor_slices((x_train[:n], y_train[:n])).shuffle(n).batch(32)
    network = lenet5()
    network.build(input_shape=(None, 28, 28, 1))
    optimizer = optimizers.Adam(learning_rate=1e-3)
    for x, y in db:
        with tf.GradientTape() as tape:
            x = tf.expand_dims(tf.cast(x, tf.float32) / 255., axis=3)
            out = network(x, training=True)
            loss = tf.reduce_mean(tf.losses.categorical_crossentropy(tf.one_hot(y, 10), out, from_logits=True))
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables))
    correct = 0
    for x, y in tf.data.Dataset.from_tensor_slices((x_test[:2000], y_test[:2000])).batch(500):
        x = tf.expand_dims(tf.cast(x, tf.float32) / 255., axis=3)
        out = network(x, training=False)
        correct += int(np.sum(np.argmax(out.numpy(), 1) == y.numpy()))
    accuracy = correct / 2000
    assert accuracy > 0.6, f"test accuracy {accuracy:.3f} after one short epoch (chance is 0.1)"


def test_fit_learns_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = _data()
    tf.random.set_seed(1)
    network = lenet5()
    network.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=['accuracy'])
    x = (x_train[:12000] / 255.0).astype(np.float32)[..., None]
    history = network.fit(x, y_train[:12000], batch_size=32, epochs=1, verbose=0)
    assert history.history["loss"][0] < 1.5
    _, accuracy = network.evaluate((x_test[:2000] / 255.0).astype(np.float32)[..., None], y_test[:2000],
                                   batch_size=500, verbose=0)
    assert accuracy > 0.6, f"test accuracy {accuracy:.3f} after one short epoch (chance is 0.1)"
