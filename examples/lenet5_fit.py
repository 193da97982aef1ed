"""The tutorial's LeNet-5 with batch norm trained with compile / fit on Fashion-MNIST.

Run:  python examples/lenet5_fit.py [--epochs 5] [--seed 0]
"""
import argparse

import tinytf as tf
from tinytf.keras import Sequential, layers


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    args = ap.parse_args()
    tf.random.set_seed(args.seed)

    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
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
    network.fit(x_train, y_train, batch_size=128, epochs=args.epochs, validation_data=(x_test, y_test))
    loss, acc = network.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
