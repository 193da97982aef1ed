"""Public TF docs and keras-io CNN tutorials: tf.distribute's custom loop with checkpoints, the
convolutional VAE, saving and loading, the denoising autoencoder.

Each program is written here as its authors wrote it (the code paths that matter, in their order
and spelling; source repository, path and commit above each test), unchanged but for
``import tinytf as tf`` / ``from tinytf import keras``, small synthetic data of the real shapes
(tests/programs/synthetic.py) and fewer epochs or steps. Each asserts something that can fail:
the program learns, its loss drops, or a restore reproduces the model."""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import layers

from synthetic import digits

pytest.importorskip("PIL")


# ---- 4. tensorflow/docs site/en/tutorials/distribute/custom_training.ipynb
#         (commit 7c3650212740204359d4ceae481abc79345541be): MirroredStrategy (one replica here), a
#         regularized CNN, Reduction.NONE + compute_average_loss + scale_regularization_loss, strategy.run
#         / reduce in tf.functions, tf.train.Checkpoint saved every other epoch and restored into a new
#         model without the strategy.
def test_distribute_custom_training_tutorial(tmp_path):
    train_images, train_labels = digits(256, 5)
    test_images, test_labels = digits(128, 6)
    train_images = train_images[..., None]
    test_images = test_images[..., None]
    train_images = train_images / np.float32(255)
    test_images = test_images / np.float32(255)

    strategy = tf.distribute.MirroredStrategy()
    BUFFER_SIZE = len(train_images)
    BATCH_SIZE_PER_REPLICA = 64
    GLOBAL_BATCH_SIZE = BATCH_SIZE_PER_REPLICA * strategy.num_replicas_in_sync
    EPOCHS = 3
    train_dataset = tf.data.Dataset.from_tensor_slices((train_images, train_labels)).shuffle(BUFFER_SIZE).batch(
        GLOBAL_BATCH_SIZE)
    test_dataset = tf.data.Dataset.from_tensor_slices((test_images, test_labels)).batch(GLOBAL_BATCH_SIZE)
    train_dist_dataset = strategy.experimental_distribute_dataset(train_dataset)
    test_dist_dataset = strategy.experimental_distribute_dataset(test_dataset)

    def create_model():
        regularizer = tf.keras.regularizers.L2(1e-5)
        model = tf.keras.Sequential([
            tf.keras.layers.Conv2D(32, 3,
                                   activation='relu',
                                   kernel_regularizer=regularizer),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Conv2D(64, 3,
                                   activation='relu',
                                   kernel_regularizer=regularizer),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(64,
                                  activation='relu',
                                  kernel_regularizer=regularizer),
            tf.keras.layers.Dense(10, kernel_regularizer=regularizer)
        ])
        return model

    checkpoint_dir = str(tmp_path / 'training_checkpoints')
    checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt")

    with strategy.scope():
        # Set reduction to `NONE` so you can do the reduction yourself.
        loss_object = tf.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True,
            reduction=tf.keras.losses.Reduction.NONE)

        def compute_loss(labels, predictions, model_losses):
            per_example_loss = loss_object(labels, predictions)
            loss = tf.nn.compute_average_loss(per_example_loss)
            if model_losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model_losses))
            return loss

    with strategy.scope():
        test_loss = tf.keras.metrics.Mean(name='test_loss')
        train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(
            name='train_accuracy')
        test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(
            name='test_accuracy')

    with strategy.scope():
        model = create_model()
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.001)
        checkpoint = tf.train.Checkpoint(optimizer=optimizer, model=model)

    def train_step(inputs):
        images, labels = inputs
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = compute_loss(labels, predictions, model.losses)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_accuracy.update_state(labels, predictions)
        return loss

    def test_step(inputs):
        images, labels = inputs
        predictions = model(images, training=False)
        t_loss = loss_object(labels, predictions)
        test_loss.update_state(t_loss)
        test_accuracy.update_state(labels, predictions)

    @tf.function
    def distributed_train_step(dataset_inputs):
        per_replica_losses = strategy.run(train_step, args=(dataset_inputs,))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses,
                               axis=None)

    @tf.function
    def distributed_test_step(dataset_inputs):
        return strategy.run(test_step, args=(dataset_inputs,))

    losses = []
    for epoch in range(EPOCHS):
        # TRAIN LOOP
        total_loss = 0.0
        num_batches = 0
        for x in train_dist_dataset:
            total_loss += distributed_train_step(x)
            num_batches += 1
        train_loss = total_loss / num_batches
        # TEST LOOP
        for x in test_dist_dataset:
            distributed_test_step(x)
        if epoch % 2 == 0:
            checkpoint.save(checkpoint_prefix)
        losses.append(float(train_loss))
        last_test_accuracy = float(test_accuracy.result())
        test_loss.reset_states()
        train_accuracy.reset_states()
        test_accuracy.reset_states()
    assert losses[-1] < losses[0] and last_test_accuracy > 0.5, (losses, last_test_accuracy)  # chance: 0.1

    eval_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(
        name='eval_accuracy')
    new_model = create_model()
    new_optimizer = tf.keras.optimizers.Adam()
    test_dataset = tf.data.Dataset.from_tensor_slices((test_images, test_labels)).batch(GLOBAL_BATCH_SIZE)

    @tf.function
    def eval_step(images, labels):
        predictions = new_model(images, training=False)
        eval_accuracy(labels, predictions)

    checkpoint = tf.train.Checkpoint(optimizer=new_optimizer, model=new_model)
    checkpoint.restore(tf.train.latest_checkpoint(checkpoint_dir))
    for images, labels in test_dataset:
        eval_step(images, labels)
    # the restored checkpoint is epoch 3's (saved after epochs 1 and 3): the last test accuracy
    assert float(eval_accuracy.result()) == last_test_accuracy


# ---- 5. tensorflow/docs site/en/tutorials/generative/cvae.ipynb
#         (commit 7c3650212740204359d4ceae481abc79345541be): the convolutional VAE (InputLayer(input_shape),
#         tf.split, reparameterization with tf.random.normal, log_normal_pdf, sigmoid cross-entropy),
#         its tf.function train step and the test-set ELBO; the plots are left out.
def test_cvae_tutorial(tmp_path):
    train_images, test_images = digits(128, 7)[0], digits(64, 8)[0]

    def preprocess_images(images):
        images = images.reshape((images.shape[0], 28, 28, 1)) / 255.
        return np.where(images > .5, 1.0, 0.0).astype('float32')
    train_images = preprocess_images(train_images)
    test_images = preprocess_images(test_images)
    train_size = 128
    batch_size = 32
    test_size = 64
    train_dataset = (tf.data.Dataset.from_tensor_slices(train_images)
                     .shuffle(train_size).batch(batch_size))
    test_dataset = (tf.data.Dataset.from_tensor_slices(test_images)
                    .shuffle(test_size).batch(batch_size))

    class CVAE(tf.keras.Model):
        """Convolutional variational autoencoder."""

        def __init__(self, latent_dim):
            super(CVAE, self).__init__()
            self.latent_dim = latent_dim
            self.encoder = tf.keras.Sequential(
                [
                    tf.keras.layers.InputLayer(input_shape=(28, 28, 1)),
                    tf.keras.layers.Conv2D(
                        filters=32, kernel_size=3, strides=(2, 2), activation='relu'),
                    tf.keras.layers.Conv2D(
                        filters=64, kernel_size=3, strides=(2, 2), activation='relu'),
                    tf.keras.layers.Flatten(),
                    # No activation
                    tf.keras.layers.Dense(latent_dim + latent_dim),
                ]
            )
            self.decoder = tf.keras.Sequential(
                [
                    tf.keras.layers.InputLayer(input_shape=(latent_dim,)),
                    tf.keras.layers.Dense(units=7*7*32, activation=tf.nn.relu),
                    tf.keras.layers.Reshape(target_shape=(7, 7, 32)),
                    tf.keras.layers.Conv2DTranspose(
                        filters=64, kernel_size=3, strides=2, padding='same',
                        activation='relu'),
                    tf.keras.layers.Conv2DTranspose(
                        filters=32, kernel_size=3, strides=2, padding='same',
                        activation='relu'),
                    # No activation
                    tf.keras.layers.Conv2DTranspose(
                        filters=1, kernel_size=3, strides=1, padding='same'),
                ]
            )

        @tf.function
        def sample(self, eps=None):
            if eps is None:
                eps = tf.random.normal(shape=(100, self.latent_dim))
            return self.decode(eps, apply_sigmoid=True)

        def encode(self, x):
            mean, logvar = tf.split(self.encoder(x), num_or_size_splits=2, axis=1)
            return mean, logvar

        def reparameterize(self, mean, logvar):
            eps = tf.random.normal(shape=mean.shape)
            return eps * tf.exp(logvar * .5) + mean

        def decode(self, z, apply_sigmoid=False):
            logits = self.decoder(z)
            if apply_sigmoid:
                probs = tf.sigmoid(logits)
                return probs
            return logits

    optimizer = tf.keras.optimizers.Adam(1e-4 * 10)  # 10x the tutorial's rate: 3 epochs, not 10

    def log_normal_pdf(sample, mean, logvar, raxis=1):
        log2pi = tf.math.log(2. * np.pi)
        return tf.reduce_sum(
            -.5 * ((sample - mean) ** 2. * tf.exp(-logvar) + logvar + log2pi),
            axis=raxis)

    def compute_loss(model, x):
        mean, logvar = model.encode(x)
        z = model.reparameterize(mean, logvar)
        x_logit = model.decode(z)
        cross_ent = tf.nn.sigmoid_cross_entropy_with_logits(logits=x_logit, labels=x)
        logpx_z = -tf.reduce_sum(cross_ent, axis=[1, 2, 3])
        logpz = log_normal_pdf(z, 0., 0.)
        logqz_x = log_normal_pdf(z, mean, logvar)
        return -tf.reduce_mean(logpx_z + logpz - logqz_x)

    @tf.function
    def train_step(model, x, optimizer):
        with tf.GradientTape() as tape:
            loss = compute_loss(model, x)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))

    tf.random.set_seed(19)
    epochs = 3
    latent_dim = 2
    num_examples_to_generate = 16
    model = CVAE(latent_dim)
    for test_batch in test_dataset.take(1):
        test_sample = test_batch[0:num_examples_to_generate, :, :, :]

    def test_elbo():
        loss = tf.keras.metrics.Mean()
        for test_x in test_dataset:
            loss(compute_loss(model, test_x))
        return float(-loss.result())

    elbos = [test_elbo()]
    for epoch in range(1, epochs + 1):
        for train_x in train_dataset:
            train_step(model, train_x, optimizer)
        elbos.append(test_elbo())
    assert elbos[-1] > elbos[0] + 50, elbos  # the ELBO rises
    mean, logvar = model.encode(test_sample)
    z = model.reparameterize(mean, logvar)
    predictions = model.sample(z)
    assert predictions.shape == (16, 28, 28, 1) and 0 <= float(tf.reduce_min(predictions)) <= 1


# ---- 7. tensorflow/docs site/en/tutorials/keras/save_and_load.ipynb
#         (commit 7c3650212740204359d4ceae481abc79345541be): ModelCheckpoint(save_weights_only=True) to
#         .weights.h5, every epoch and every 5*n_batches batches ({epoch:04d} names), load_weights into
#         a new model, save_weights, and the whole model to .keras and back with load_model.
def test_save_and_load_tutorial(tmp_path, monkeypatch):
    pytest.importorskip("h5py")
    monkeypatch.chdir(tmp_path)
    from tinytf import keras  # the tutorial's `from tensorflow import keras`
    (train_images, train_labels), (test_images, test_labels) = digits(200, 10), digits(200, 11)
    train_labels = train_labels[:1000]
    test_labels = test_labels[:1000]
    train_images = train_images[:1000].reshape(-1, 28 * 28) / 255.0
    test_images = test_images[:1000].reshape(-1, 28 * 28) / 255.0

    def create_model():
        model = tf.keras.Sequential([
            keras.layers.Dense(512, activation='relu', input_shape=(784,)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10)
        ])
        model.compile(optimizer='adam',
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
        return model

    model = create_model()
    checkpoint_path = "training_1/cp.weights.h5"
    checkpoint_dir = os.path.dirname(checkpoint_path)
    cp_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_path,
                                                     save_weights_only=True,
                                                     verbose=0)
    model.fit(train_images,
              train_labels,
              epochs=3,
              validation_data=(test_images, test_labels),
              callbacks=[cp_callback], verbose=0)
    assert os.listdir(checkpoint_dir) == ["cp.weights.h5"]
    trained = model.evaluate(test_images, test_labels, verbose=0)

    model = create_model()
    loss, acc = model.evaluate(test_images, test_labels, verbose=0)
    assert acc < 0.5  # untrained
    model.load_weights(checkpoint_path)
    loss, acc = model.evaluate(test_images, test_labels, verbose=0)
    assert [loss, acc] == trained and acc > 0.8

    checkpoint_path = "training_2/cp-{epoch:04d}.weights.h5"
    checkpoint_dir = os.path.dirname(checkpoint_path)
    os.mkdir(checkpoint_dir)
    batch_size = 32
    import math
    n_batches = len(train_images) / batch_size
    n_batches = math.ceil(n_batches)    # round up the number of batches to the nearest whole integer
    cp_callback = tf.keras.callbacks.ModelCheckpoint(
        filepath=checkpoint_path,
        verbose=0,
        save_weights_only=True,
        save_freq=5*n_batches)
    model = create_model()
    model.save_weights(checkpoint_path.format(epoch=0))
    model.fit(train_images,
              train_labels,
              epochs=10,
              batch_size=batch_size,
              callbacks=[cp_callback],
              validation_data=(test_images, test_labels),
              verbose=0)
    assert sorted(os.listdir(checkpoint_dir)) == ["cp-0000.weights.h5", "cp-0005.weights.h5", "cp-0010.weights.h5"]

    def load_latest_checkpoint(checkpoint_dir):
        latest = max(os.listdir(checkpoint_dir), key=lambda f: int(f.split('-')[1].split('.')[0]))
        return os.path.join(checkpoint_dir, latest)
    latest = load_latest_checkpoint(checkpoint_dir)
    final = model.evaluate(test_images, test_labels, verbose=0)
    model = create_model()
    model.load_weights(latest)
    loss, acc = model.evaluate(test_images, test_labels, verbose=0)
    assert [loss, acc] == final

    os.mkdir('./checkpoints')
    model.save_weights('./checkpoints/my_checkpoint.weights.h5')
    model = create_model()
    model.load_weights('./checkpoints/my_checkpoint.weights.h5')
    assert model.evaluate(test_images, test_labels, verbose=0) == final

    model = create_model()
    model.fit(train_images, train_labels, epochs=2, verbose=0)
    model.save('my_model.keras')
    new_model = tf.keras.models.load_model('my_model.keras')
    loss, acc = new_model.evaluate(test_images, test_labels, verbose=0)
    assert [loss, acc] == model.evaluate(test_images, test_labels, verbose=0)
    assert new_model.predict(test_images, verbose=0).shape == (200, 10)


# ---- 8. keras-team/keras-io examples/vision/autoencoder.py
#         (commit f8f7dd396e1af11bccdc6bb6869e4f9be0bf9e32): the functional convolutional denoising
#         autoencoder (Conv2DTranspose decoder, binary_crossentropy on images), fit on clean then on
#         noisy inputs with validation_data, predict.
def test_keras_io_denoising_autoencoder():
    from tinytf.keras.models import Model

    def preprocess(array):
        array = array.astype("float32") / 255.0
        array = np.reshape(array, (len(array), 28, 28, 1))
        return array

    def noise(array):
        noise_factor = 0.4
        noisy_array = array + noise_factor * np.random.normal(
            loc=0.0, scale=1.0, size=array.shape
        )
        return np.clip(noisy_array, 0.0, 1.0)

    np.random.seed(12)
    (train_data, _), (test_data, _) = digits(128, 12), digits(64, 13)
    train_data = preprocess(train_data)
    test_data = preprocess(test_data)
    noisy_train_data = noise(train_data)
    noisy_test_data = noise(test_data)

    input = layers.Input(shape=(28, 28, 1))
    # Encoder
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # Decoder
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    # Autoencoder
    autoencoder = Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")

    h1 = autoencoder.fit(
        x=train_data,
        y=train_data,
        epochs=3,
        batch_size=32,  # the example's 128: more steps on less data
        shuffle=True,
        validation_data=(test_data, test_data),
        verbose=0,
    )
    predictions = autoencoder.predict(test_data, verbose=0)
    assert predictions.shape == (64, 28, 28, 1)
    h2 = autoencoder.fit(
        x=noisy_train_data,
        y=train_data,
        epochs=3,
        batch_size=32,  # the example's 128: more steps on less data
        shuffle=True,
        validation_data=(noisy_test_data, test_data),
        verbose=0,
    )
    predictions = autoencoder.predict(noisy_test_data, verbose=0)
    losses = h1.history["val_loss"] + h2.history["val_loss"]
    assert losses[-1] < 0.8 * losses[0], losses
    assert predictions.shape == (64, 28, 28, 1) and 0 < predictions.min() and predictions.max() < 1
