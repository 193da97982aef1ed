"""The tutorial's LeNet-5 with batch norm, trained with its own GradientTape loop on Fashion-MNIST.

Run:  python examples/lenet5_tape.py [--epochs 5] [--seed 0]

The network and the two loops are the tutorial's code as written (``import tinytf as tf`` instead
of ``import tensorflow as tf``); only data loading and the accuracy printout are added.
"""
import argparse
import time

import tinytf as tf
from tinytf.keras import Sequential, layers, optimizers


def run(epochs=5, batch_size=128, seed=0, limit=None, log=print):
    """Train as the tutorial does; return the test accuracy after each epoch."""
    tf.random.set_seed(seed)
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]

    def preprocess(x, y):
        return tf.cast(x, tf.float32) / 255., tf.cast(y, tf.int32)

    db = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    db = db.shuffle(60000).batch(batch_size).map(preprocess)
    db_test = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(1000).map(preprocess)

    network = Sequential([  # the tutorial's LeNet-5 with BN
        layers.Conv2D(6, kernel_size=3, strides=1),
        layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2),
        layers.ReLU(),
        layers.Conv2D(16, kernel_size=3, strides=1),
        layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=2, strides=2),
        layers.ReLU(),
        layers.Flatten(),
        layers.Dense(120, activation='relu'),
        layers.Dense(84, activation='relu'),
        layers.Dense(10)])
    network.build(input_shape=(None, 28, 28, 1))
    optimizer = optimizers.Adam(learning_rate=1e-3)

    accuracies = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        for x, y in db:
            with tf.GradientTape() as tape:
                x = tf.expand_dims(x, axis=3)                 # insert the channel axis
                out = network(x, training=True)               # [b, 28, 28, 1] => [b, 10]
                y_onehot = tf.one_hot(y, depth=10)
                loss = tf.reduce_mean(tf.losses.categorical_crossentropy(y_onehot, out, from_logits=True))
            grads = tape.gradient(loss, network.trainable_variables)
            optimizer.apply_gradients(zip(grads, network.trainable_variables))
        train_time = time.perf_counter() - t0

        total_correct, total = 0, 0
        for x, y in db_test:                                  # the tutorial's test loop
            x = tf.expand_dims(x, axis=3)
            out = network(x, training=False)
            pred = tf.argmax(out, axis=1, output_type=tf.int32)
            total_correct += int(tf.reduce_sum(tf.cast(tf.equal(pred, y), tf.int32)))
            total += x.shape[0]
        accuracies.append(total_correct / total)
        log(f"epoch {epoch + 1}: loss {float(loss):.4f}  test accuracy {total_correct / total:.4f}  "
            f"({train_time:.1f} s)")
    return accuracies


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    args = ap.parse_args()
    run(args.epochs, args.batch_size, args.seed, args.limit, log=lambda m: print(m, flush=True))


if __name__ == "__main__":
    main()
