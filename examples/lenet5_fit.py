"""The tutorial's LeNet-5 with batch norm trained with compile / fit on Fashion-MNIST.

Run:  python examples/lenet5_fit.py [--epochs 5] [--seed 0]
"""
import argparse

import tinytf as tf
from tinytf.keras import Sequential, layers


def run(epochs=5, seed=0, limit=None, verbose=1):
    """Train with compile/fit; return the test accuracy after each epoch."""
    tf.random.set_seed(seed)
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
    x_train = (x_train / 255.0).astype("float32")[..., None]
    x_test = (x_test / 255.0).astype("float32")[..., None]

    network = Sequential([
        layers.Conv2D(6, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Conv2D(16, kernel_size=3, strides=1), layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2), layers.ReLU(),
        layers.Flatten(),
        layers.Dense(120, activation='relu'), layers.Dense(84, activation='relu'), layers.Dense(10)])
    network.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
                    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=['accuracy'])
    history = network.fit(x_train, y_train, batch_size=128, epochs=epochs, validation_data=(x_test, y_test),
                          verbose=verbose)
    return history.history["val_accuracy"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    args = ap.parse_args()
    accuracies = run(args.epochs, args.seed, args.limit)
    print(f"test accuracy {accuracies[-1]:.4f}")


if __name__ == "__main__":
    main()
