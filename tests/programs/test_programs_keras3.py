"""Ten more public TF2 / Keras 3 CNN programs, each written here as its authors wrote it (the code
paths that matter, in their order and spelling; the source repository, path and commit are named
above each test), unchanged but for ``import tinytf as tf`` / ``from tinytf import keras``, small
synthetic data of the real shapes instead of a download, and fewer epochs or steps. Each asserts
something that can fail: the program learns, its loss drops, or a restore reproduces the model.
Together they cover Keras 3's training contract (custom ``train_step`` / ``test_step``,
``compute_loss``, metrics held by the model), tf.io image pipelines, ``tf.data.Dataset.list_files``,
``PyDataset``, ``ModelCheckpoint`` to ``.keras``, ``add_loss``, ``tf.distribute``'s custom loop,
a VAE, segmentation and denoising autoencoders."""
import os
import pathlib

import numpy as np
import pytest

import tinytf as tf
from tinytf import keras
from tinytf.keras import layers

pytest.importorskip("PIL")


def colour_images(n, h, w, classes, seed):
    """uint8 images whose class sets the dominant colour (plus noise): learnable in a few epochs."""
    r = np.random.default_rng(seed)
    y = r.integers(0, classes, n)
    palette = np.array([[220, 40, 40], [40, 200, 40], [40, 40, 220], [220, 220, 40], [200, 40, 220]])[:classes]
    x = np.clip(palette[y][:, None, None, :] + r.normal(0, 25, (n, h, w, 3)), 0, 255).astype(np.uint8)
    return x, y


def write_class_folders(root, names, n, h, w, ext, seed):
    """A flower_photos-style folder: one sub-folder of images per class."""
    x, y = colour_images(n, h, w, len(names), seed)
    for i, (img, label) in enumerate(zip(x, y)):
        folder = pathlib.Path(root) / names[label]
        folder.mkdir(parents=True, exist_ok=True)
        enc = tf.io.encode_jpeg(img, quality=90) if ext == "jpg" else tf.io.encode_png(img)
        tf.io.write_file(str(folder / f"{i:04d}.{ext}"), enc)
    return pathlib.Path(root)


# ---- 1. tensorflow/docs site/en/tutorials/load_data/images.ipynb
#         (commit 7c3650212740204359d4ceae481abc79345541be): the tf.data part, "Using tf.data for finer
#         control": list_files, tf.strings.split labels, tf.io.read_file + decode_jpeg + resize, then the
#         tutorial's Sequential CNN fit on it.
def test_load_images_tutorial_tf_data_pipeline(tmp_path):
    data_dir = write_class_folders(tmp_path / "flower_photos",
                                   ["daisy", "dandelion", "roses", "sunflowers", "tulips"], 40, 48, 64, "jpg", 1)
    batch_size = 32
    img_height = 180
    img_width = 180
    image_count = len(list(data_dir.glob('*/*.jpg')))
    AUTOTUNE = tf.data.AUTOTUNE

    list_ds = tf.data.Dataset.list_files(str(data_dir/'*/*'), shuffle=False)
    list_ds = list_ds.shuffle(image_count, reshuffle_each_iteration=False)
    class_names = np.array(sorted([item.name for item in data_dir.glob('*') if item.name != "LICENSE.txt"]))
    val_size = int(image_count * 0.2)
    train_ds = list_ds.skip(val_size)
    val_ds = list_ds.take(val_size)
    assert tf.data.experimental.cardinality(train_ds).numpy() == 32
    assert tf.data.experimental.cardinality(val_ds).numpy() == 8

    def get_label(file_path):
        # Convert the path to a list of path components
        parts = tf.strings.split(file_path, os.path.sep)
        # The second to last is the class-directory
        one_hot = parts[-2] == class_names
        # Integer encode the label
        return tf.argmax(one_hot)

    def decode_img(img):
        # Convert the compressed string to a 3D uint8 tensor
        img = tf.io.decode_jpeg(img, channels=3)
        # Resize the image to the desired size
        return tf.image.resize(img, [img_height, img_width])

    def process_path(file_path):
        label = get_label(file_path)
        # Load the raw data from the file as a string
        img = tf.io.read_file(file_path)
        img = decode_img(img)
        return img, label

    train_ds = train_ds.map(process_path, num_parallel_calls=AUTOTUNE)
    val_ds = val_ds.map(process_path, num_parallel_calls=AUTOTUNE)
    for image, label in train_ds.take(1):
        assert image.numpy().shape == (180, 180, 3)
        assert class_names[label.numpy()] in ("daisy", "dandelion", "roses", "sunflowers", "tulips")

    def configure_for_performance(ds):
        ds = ds.cache()
        ds = ds.shuffle(buffer_size=1000)
        ds = ds.batch(batch_size)
        ds = ds.prefetch(buffer_size=AUTOTUNE)
        return ds
    train_ds = configure_for_performance(train_ds)
    val_ds = configure_for_performance(val_ds)

    num_classes = 5
    model = tf.keras.Sequential([
        tf.keras.layers.Rescaling(1./255),
        tf.keras.layers.Conv2D(32, 3, activation='relu'),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Conv2D(32, 3, activation='relu'),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Conv2D(32, 3, activation='relu'),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dense(num_classes)
    ])
    model.compile(
        optimizer='adam',
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=['accuracy'])
    history = model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=3,
        verbose=0
    )
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert history.history['val_accuracy'][-1] > 0.5, history.history


# ---- 2. keras-team/keras-io guides/custom_train_step_in_tensorflow.py
#         (commit b4108fbfe9f0cbad37f4f3c2bc5e4db0dd8bd2b6): the four train_step / test_step overrides
#         (compute_loss with compile's loss and metrics; compile(optimizer) only with the model's own
#         metrics; sample_weight; test_step). Its GAN part needs keras.random (another change).
def test_keras_io_custom_train_step_guide():
    class CustomModel(keras.Model):
        def train_step(self, data):
            # Unpack the data. Its structure depends on your model and
            # on what you pass to `fit()`.
            x, y = data

            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)  # Forward pass
                # Compute the loss value
                # (the loss function is configured in `compile()`)
                loss = self.compute_loss(y=y, y_pred=y_pred)

            # Compute gradients
            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)

            # Update weights
            self.optimizer.apply(gradients, trainable_vars)

            # Update metrics (includes the metric that tracks the loss)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)

            # Return a dict mapping metric names to current value
            return {m.name: m.result() for m in self.metrics}

    r = np.random.default_rng(2)
    x = r.random((256, 32))
    y = x[:, :1] * 0.5 + 0.25 + 0.01 * r.random((256, 1))  # learnable, unlike the guide's noise
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=3, verbose=0)
    assert set(h.history) == {"loss", "mae"} and h.history["loss"][-1] < h.history["loss"][0]

    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data

            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)  # Forward pass
                # Compute our own loss
                loss = self.loss_fn(y, y_pred)

            # Compute gradients
            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)

            # Update weights
            self.optimizer.apply(gradients, trainable_vars)

            # Compute our own metrics
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {
                "loss": self.loss_tracker.result(),
                "mae": self.mae_metric.result(),
            }

        @property
        def metrics(self):
            # We list our `Metric` objects here so that `reset_states()` can be
            # called automatically at the start of each epoch
            # or at the start of `evaluate()`.
            return [self.loss_tracker, self.mae_metric]

    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    # We don't pass a loss or metrics here.
    model.compile(optimizer="adam")
    h = model.fit(x, y, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]

    class CustomModel(keras.Model):
        def train_step(self, data):
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                sample_weight = None
                x, y = data

            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)  # Forward pass
                loss = self.compute_loss(
                    y=y,
                    y_pred=y_pred,
                    sample_weight=sample_weight,
                )

            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)
            self.optimizer.apply(gradients, trainable_vars)

            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)

            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    sw = r.random((256, 1))
    h = model.fit(x, y, sample_weight=sw, epochs=3, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]

    class CustomModel(keras.Model):
        def test_step(self, data):
            # Unpack the data
            x, y = data
            # Compute predictions
            y_pred = self(x, training=False)
            # Updates the metrics tracking the loss
            loss = self.compute_loss(y=y, y_pred=y_pred)
            # Update the metrics.
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            # Return a dict mapping metric names to current value.
            # Note that it will include the loss (tracked in self.metrics).
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, verbose=0)
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(mae, np.mean(np.abs(pred - y)), rtol=1e-5)
    np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-5)


def digits(n, seed):
    """MNIST-shaped uint8 images: a bright bar whose position is the class."""
    r = np.random.default_rng(seed)
    y = r.integers(0, 10, n).astype(np.uint8)
    x = r.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    for k in range(10):
        x[y == k, 2 + 2 * k:4 + 2 * k, 4:24] = 230
    return x, y


# ---- 3. keras-team/keras-io guides/writing_a_custom_training_loop_in_tensorflow.py
#         (commit 1806537c4333fbff1f9fd038b78179beeda480fb): the loop with metrics, an
#         ActivityRegularizationLayer's add_loss added to the loss, and the DCGAN loop from scratch
#         (tf.function train step, two optimizers, array_to_img of a generated digit).
def test_keras_io_training_loop_from_scratch_add_loss_and_gan(tmp_path):
    (x_train, y_train), _ = (digits(640, 3), None)
    x_train = np.reshape(x_train, (-1, 784)).astype("float32") / 255.0
    x_val, y_val = x_train[-128:], y_train[-128:]
    x_train, y_train = x_train[:-128], y_train[:-128]
    batch_size = 32
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_dataset = train_dataset.shuffle(buffer_size=1024).batch(batch_size)
    val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val))
    val_dataset = val_dataset.batch(batch_size)

    def get_model():
        inputs = keras.Input(shape=(784,), name="digits")
        x1 = keras.layers.Dense(64, activation="relu")(inputs)
        x2 = keras.layers.Dense(64, activation="relu")(x1)
        outputs = keras.layers.Dense(10, name="predictions")(x2)
        model = keras.Model(inputs=inputs, outputs=outputs)
        return model

    model = get_model()
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tf.function
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    epochs = 2
    for epoch in range(epochs):
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            loss_value = train_step(x_batch_train, y_batch_train)
        train_acc = train_acc_metric.result()
        train_acc_metric.reset_state()
        for x_batch_val, y_batch_val in val_dataset:
            test_step(x_batch_val, y_batch_val)
        val_acc = val_acc_metric.result()
        val_acc_metric.reset_state()
    assert float(val_acc) > 0.8 and float(train_acc) > 0.5, (float(train_acc), float(val_acc))

    class ActivityRegularizationLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(1e-2 * tf.reduce_sum(inputs))
            return inputs

    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu")(inputs)
    # Insert activity regularization as a layer
    x = ActivityRegularizationLayer()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
            # Add any extra losses created during the forward pass.
            loss_value += sum(model.losses)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        train_acc_metric.update_state(y, logits)
        return loss_value

    for step, (x_batch_train, y_batch_train) in enumerate(train_dataset.take(2)):
        first = model.layers[0](x_batch_train)  # the regularized activations, before the step
        plain = loss_fn(y_batch_train, model(x_batch_train))
        loss_value = train_step(x_batch_train, y_batch_train)
        assert len(model.losses) == 1  # this call's term only, not one per call
        np.testing.assert_allclose(float(loss_value), float(plain) + 1e-2 * float(tf.reduce_sum(first)),
                                   rtol=1e-5)

    discriminator = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    latent_dim = 128
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            # We want to generate 128 coefficients to reshape into a 7x7x128 map
            keras.layers.Dense(7 * 7 * 128),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Reshape((7, 7, 128)),
            keras.layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    d_optimizer = keras.optimizers.Adam(learning_rate=0.0003)
    g_optimizer = keras.optimizers.Adam(learning_rate=0.0004)
    loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(real_images):
        # Sample random points in the latent space
        random_latent_vectors = tf.random.normal(shape=(batch_size, latent_dim))
        # Decode them to fake images
        generated_images = generator(random_latent_vectors)
        # Combine them with real images
        combined_images = tf.concat([generated_images, real_images], axis=0)

        # Assemble labels discriminating real from fake images
        labels = tf.concat(
            [tf.ones((batch_size, 1)), tf.zeros((real_images.shape[0], 1))], axis=0
        )
        # Add random noise to the labels - important trick!
        labels += 0.05 * tf.random.uniform(labels.shape)

        # Train the discriminator
        with tf.GradientTape() as tape:
            predictions = discriminator(combined_images)
            d_loss = loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, discriminator.trainable_weights)
        d_optimizer.apply(grads, discriminator.trainable_weights)

        # Sample random points in the latent space
        random_latent_vectors = tf.random.normal(shape=(batch_size, latent_dim))
        # Assemble labels that say "all real images"
        misleading_labels = tf.zeros((batch_size, 1))

        # Train the generator (note that we should *not* update the weights
        # of the discriminator)!
        with tf.GradientTape() as tape:
            predictions = discriminator(generator(random_latent_vectors))
            g_loss = loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, generator.trainable_weights)
        g_optimizer.apply(grads, generator.trainable_weights)
        return d_loss, g_loss, generated_images

    batch_size = 8  # the guide's 64, smaller to stay fast on a CPU
    all_digits = digits(32, 4)[0]
    all_digits = all_digits.astype("float32") / 255.0
    all_digits = np.reshape(all_digits, (-1, 28, 28, 1))
    dataset = tf.data.Dataset.from_tensor_slices(all_digits)
    dataset = dataset.shuffle(buffer_size=1024).batch(batch_size)
    save_dir = str(tmp_path)
    d_before = discriminator.get_weights()[0].copy()
    g_before = generator.get_weights()[-2].copy()
    for step, real_images in enumerate(dataset):
        d_loss, g_loss, generated_images = train_step(real_images)
        if step % 100 == 0:
            img = keras.utils.array_to_img(generated_images[0] * 255.0, scale=False)
            img.save(os.path.join(save_dir, f"generated_img_{step}.png"))
            first_image = generated_images[0]  # (the test's)
        if step > 1:
            break
    assert np.isfinite(float(d_loss)) and np.isfinite(float(g_loss))
    assert generated_images.shape == (8, 28, 28, 1)
    assert not np.array_equal(discriminator.get_weights()[0], d_before)
    assert not np.array_equal(generator.get_weights()[-2], g_before)
    saved = tf.io.decode_png(tf.io.read_file(os.path.join(save_dir, "generated_img_0.png")))
    np.testing.assert_array_equal(saved.numpy()[..., 0], (first_image.numpy()[..., 0] * 255).astype(np.uint8))


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


# ---- 6. keras-team/keras-io examples/vision/oxford_pets_image_segmentation.py
#         (commit 0c3c019ffc3f2650b5bfe3c822e0c60a815cf9e8, the tf.keras version): a keras.utils.Sequence of
#         JPEG images and PNG trimaps read with load_img, the Xception-style U-Net (SeparableConv2D,
#         Conv2DTranspose, UpSampling2D, residual adds), ModelCheckpoint("oxford_segmentation.h5",
#         save_best_only=True) saving the whole model, predict on the Sequence.
def test_oxford_pets_segmentation(tmp_path):
    from tinytf.keras.preprocessing.image import load_img
    input_dir = str(tmp_path / "images") + "/"
    target_dir = str(tmp_path / "annotations" / "trimaps") + "/"
    os.makedirs(input_dir)
    os.makedirs(target_dir)
    r = np.random.default_rng(9)
    for k in range(6):  # a bright disc (the pet: class 1) on a dark background (class 2), its outline 3
        yy, xx = np.mgrid[:200, :240]
        d = np.hypot(yy - r.integers(70, 130), xx - r.integers(80, 160))
        img = np.where(d[..., None] < 50, 200, 40) + r.integers(0, 30, (200, 240, 3))
        trimap = np.where(d < 47, 1, np.where(d < 53, 3, 2)).astype(np.uint8)
        tf.keras.utils.save_img(os.path.join(input_dir, f"pet_{k}.jpg"), img.astype("float32"), scale=False)
        tf.io.write_file(os.path.join(target_dir, f"pet_{k}.png"), tf.io.encode_png(trimap[..., None]))

    img_size = (160, 160)
    num_classes = 3
    batch_size = 2  # the example's 32, smaller to stay fast on a CPU
    input_img_paths = sorted(
        [
            os.path.join(input_dir, fname)
            for fname in os.listdir(input_dir)
            if fname.endswith(".jpg")
        ]
    )
    target_img_paths = sorted(
        [
            os.path.join(target_dir, fname)
            for fname in os.listdir(target_dir)
            if fname.endswith(".png") and not fname.startswith(".")
        ]
    )

    class OxfordPets(keras.utils.Sequence):
        """Helper to iterate over the data (as Numpy arrays)."""

        def __init__(self, batch_size, img_size, input_img_paths, target_img_paths):
            self.batch_size = batch_size
            self.img_size = img_size
            self.input_img_paths = input_img_paths
            self.target_img_paths = target_img_paths

        def __len__(self):
            return len(self.target_img_paths) // self.batch_size

        def __getitem__(self, idx):
            """Returns tuple (input, target) correspond to batch #idx."""
            i = idx * self.batch_size
            batch_input_img_paths = self.input_img_paths[i : i + self.batch_size]
            batch_target_img_paths = self.target_img_paths[i : i + self.batch_size]
            x = np.zeros((self.batch_size,) + self.img_size + (3,), dtype="float32")
            for j, path in enumerate(batch_input_img_paths):
                img = load_img(path, target_size=self.img_size)
                x[j] = img
            y = np.zeros((self.batch_size,) + self.img_size + (1,), dtype="uint8")
            for j, path in enumerate(batch_target_img_paths):
                img = load_img(path, target_size=self.img_size, color_mode="grayscale")
                y[j] = np.expand_dims(img, 2)
                # Ground truth labels are 1, 2, 3. Subtract one to make them 0, 1, 2:
                y[j] -= 1
            return x, y

    def get_model(img_size, num_classes):
        inputs = keras.Input(shape=img_size + (3,))

        ### [First half of the network: downsampling inputs] ###

        # Entry block
        x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        previous_block_activation = x  # Set aside residual

        # Blocks 1, 2, 3 are identical apart from the feature depth.
        for filters in [64, 128, 256]:
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(filters, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(filters, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

            # Project residual
            residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
                previous_block_activation
            )
            x = layers.add([x, residual])  # Add back residual
            previous_block_activation = x  # Set aside next residual

        ### [Second half of the network: upsampling inputs] ###

        for filters in [256, 128, 64, 32]:
            x = layers.Activation("relu")(x)
            x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.Activation("relu")(x)
            x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.UpSampling2D(2)(x)

            # Project residual
            residual = layers.UpSampling2D(2)(previous_block_activation)
            residual = layers.Conv2D(filters, 1, padding="same")(residual)
            x = layers.add([x, residual])  # Add back residual
            previous_block_activation = x  # Set aside next residual

        # Add a per-pixel classification layer
        outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)

        # Define the model
        model = keras.Model(inputs, outputs)
        return model

    keras.backend.clear_session()
    model = get_model(img_size, num_classes)

    import random
    val_samples = 2
    random.Random(1337).shuffle(input_img_paths)
    random.Random(1337).shuffle(target_img_paths)
    train_input_img_paths = input_img_paths[:-val_samples]
    train_target_img_paths = target_img_paths[:-val_samples]
    val_input_img_paths = input_img_paths[-val_samples:]
    val_target_img_paths = target_img_paths[-val_samples:]
    train_gen = OxfordPets(
        batch_size, img_size, train_input_img_paths, train_target_img_paths
    )
    val_gen = OxfordPets(batch_size, img_size, val_input_img_paths, val_target_img_paths)

    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    checkpoint = str(tmp_path / "oxford_segmentation.h5")
    callbacks = [
        keras.callbacks.ModelCheckpoint(checkpoint, save_best_only=True)
    ]
    epochs = 2
    history = model.fit(train_gen, epochs=epochs, validation_data=val_gen, callbacks=callbacks, verbose=0)
    assert len(history.history["val_loss"]) == 2 and os.path.exists(checkpoint)

    val_gen = OxfordPets(batch_size, img_size, val_input_img_paths, val_target_img_paths)
    val_preds = model.predict(val_gen, verbose=0)
    assert val_preds.shape == (2, 160, 160, 3)
    np.testing.assert_allclose(val_preds.sum(-1), 1, rtol=1e-5)
    best = keras.models.load_model(checkpoint)  # the whole model, as Keras saves for .h5
    val_loss = history.history["val_loss"]
    if val_loss[-1] <= min(val_loss):
        np.testing.assert_allclose(best.predict(val_gen, verbose=0), val_preds, rtol=1e-5, atol=1e-6)
    assert best.evaluate(val_gen, verbose=0) == pytest.approx(min(val_loss), rel=1e-5)


# ---- 7. tensorflow/docs site/en/tutorials/keras/save_and_load.ipynb
#         (commit 7c3650212740204359d4ceae481abc79345541be): ModelCheckpoint(save_weights_only=True) to
#         .weights.h5, every epoch and every 5*n_batches batches ({epoch:04d} names), load_weights into
#         a new model, save_weights, and the whole model to .keras and back with load_model.
def test_save_and_load_tutorial(tmp_path, monkeypatch):
    pytest.importorskip("h5py")
    monkeypatch.chdir(tmp_path)
    from tinytf import keras  # noqa: F811 - the tutorial's `from tensorflow import keras`
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


# ---- 9. keras-team/keras-io examples/vision/image_classification_from_scratch.py
#         (commit b8bb4c0d5068d64290003740c2ef9e703eefa751, the tf.keras version): the JFIF filter over
#         the files, tf.keras.preprocessing.image_dataset_from_directory with a validation split, the
#         data_augmentation Sequential inside a mini-Xception (SeparableConv2D, residual adds), sigmoid
#         output with integer labels of shape (n,) against predictions (n, 1) and binary_crossentropy,
#         ModelCheckpoint("save_at_{epoch}.h5") whole models, inference on one loaded image.
def test_keras_io_image_classification_from_scratch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from tinytf import keras  # noqa: F811 - the example's `from tensorflow import keras`
    write_class_folders(tmp_path / "PetImages", ["Cat", "Dog"], 10, 90, 120, "jpg", 14)
    (tmp_path / "PetImages" / "Dog" / "broken.jpg").write_bytes(b"not a jpeg at all")

    num_skipped = 0
    for folder_name in ("Cat", "Dog"):
        folder_path = os.path.join("PetImages", folder_name)
        for fname in os.listdir(folder_path):
            fpath = os.path.join(folder_path, fname)
            try:
                fobj = open(fpath, "rb")
                is_jfif = tf.compat.as_bytes("JFIF") in fobj.peek(10)
            finally:
                fobj.close()

            if not is_jfif:
                num_skipped += 1
                # Delete corrupted image
                os.remove(fpath)
    assert num_skipped == 1

    image_size = (180, 180)
    batch_size = 32
    train_ds = tf.keras.preprocessing.image_dataset_from_directory(
        "PetImages",
        validation_split=0.2,
        subset="training",
        seed=1337,
        image_size=image_size,
        batch_size=batch_size,
    )
    val_ds = tf.keras.preprocessing.image_dataset_from_directory(
        "PetImages",
        validation_split=0.2,
        subset="validation",
        seed=1337,
        image_size=image_size,
        batch_size=batch_size,
    )
    data_augmentation = keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
        ]
    )
    for images, _ in train_ds.take(1):
        augmented_images = data_augmentation(images)
        assert augmented_images.shape == images.shape == (8, 180, 180, 3)
    train_ds = train_ds.prefetch(buffer_size=32)
    val_ds = val_ds.prefetch(buffer_size=32)

    def make_model(input_shape, num_classes):
        inputs = keras.Input(shape=input_shape)
        # Image augmentation block
        x = data_augmentation(inputs)

        # Entry block
        x = layers.Rescaling(1.0 / 255)(x)
        x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        x = layers.Conv2D(64, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        previous_block_activation = x  # Set aside residual

        for size in [128, 256, 512, 728]:
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

            # Project residual
            residual = layers.Conv2D(size, 1, strides=2, padding="same")(
                previous_block_activation
            )
            x = layers.add([x, residual])  # Add back residual
            previous_block_activation = x  # Set aside next residual

        x = layers.SeparableConv2D(1024, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        x = layers.GlobalAveragePooling2D()(x)
        if num_classes == 2:
            activation = "sigmoid"
            units = 1
        else:
            activation = "softmax"
            units = num_classes

        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(units, activation=activation)(x)
        return keras.Model(inputs, outputs)

    model = make_model(input_shape=image_size + (3,), num_classes=2)
    epochs = 2
    callbacks = [
        keras.callbacks.ModelCheckpoint("save_at_{epoch}.h5"),
    ]
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        train_ds,
        epochs=epochs,
        callbacks=callbacks,
        validation_data=val_ds,
        verbose=0,
    )
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert os.path.exists("save_at_1.h5") and os.path.exists("save_at_2.h5")

    cat = sorted(os.listdir("PetImages/Cat"))[0]
    img = keras.preprocessing.image.load_img(
        "PetImages/Cat/" + cat, target_size=image_size
    )
    img_array = keras.preprocessing.image.img_to_array(img)
    img_array = tf.expand_dims(img_array, 0)  # Create batch axis
    predictions = model.predict(img_array, verbose=0)
    score = predictions[0]
    assert 0 <= float(score[0]) <= 1
    restored = keras.models.load_model("save_at_2.h5")  # the whole model, compiled
    np.testing.assert_allclose(restored.predict(img_array, verbose=0), predictions, rtol=1e-5, atol=1e-7)
    assert restored.evaluate(val_ds, verbose=0) == model.evaluate(val_ds, verbose=0)


# ---- 10. keras-team/keras-io guides/keras_core/training_with_built_in_methods.py
#          (commit 855e37d4f5562751e6694cdadf93b2b7a72c935f, Keras 3): the end-to-end fit/evaluate/predict,
#          training on keras.utils.PyDataset (with workers=4), EarlyStopping, ModelCheckpoint to
#          "mymodel_{epoch}.keras" (save_best_only) and the fault-tolerant make_or_restore_model with
#          save_freq=100 batches (10 here: less data) and "{loss:.2f}" in the .keras name. (Its keras.ops parts
#          are left out.)
def test_keras3_training_with_built_in_methods_guide(tmp_path, monkeypatch):
    pytest.importorskip("h5py")
    monkeypatch.chdir(tmp_path)
    (x_train, y_train), (x_test, y_test) = digits(1200, 15), digits(200, 16)
    x_train = x_train.reshape(1200, 784).astype("float32") / 255
    x_test = x_test.reshape(200, 784).astype("float32") / 255
    y_train = y_train.astype("float32")
    y_test = y_test.astype("float32")
    x_val = x_train[-200:]
    y_val = y_train[-200:]
    x_train = x_train[:-200]
    y_train = y_train[:-200]

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.RMSprop(),  # Optimizer
        # Loss function to minimize
        loss=keras.losses.SparseCategoricalCrossentropy(),
        # List of metrics to monitor
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=2,
        validation_data=(x_val, y_val),
        verbose=0,
    )
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                       "val_sparse_categorical_accuracy"]
    results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    assert results[1] > 0.8, results
    predictions = model.predict(x_test[:3], verbose=0)
    assert predictions.shape == (3, 10)

    def get_uncompiled_model():
        inputs = keras.Input(shape=(784,), name="digits")
        x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
        x = layers.Dense(64, activation="relu", name="dense_2")(x)
        outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        return model

    def get_compiled_model():
        model = get_uncompiled_model()
        model.compile(
            optimizer="rmsprop",
            loss="sparse_categorical_crossentropy",
            metrics=["sparse_categorical_accuracy"],
        )
        return model

    class ExamplePyDataset(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x = x
            self.y = y
            self.batch_size = batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            batch_x = self.x[idx * self.batch_size : (idx + 1) * self.batch_size]
            batch_y = self.y[idx * self.batch_size : (idx + 1) * self.batch_size]
            return batch_x, batch_y

    train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32, workers=4)
    val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32, workers=4)
    model = get_compiled_model()
    model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1, verbose=0)
    loss, acc = model.evaluate(val_py_dataset, verbose=0)
    assert acc > 0.8

    model = get_compiled_model()
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor="val_loss",
            min_delta=1e-2,
            patience=2,
            verbose=0,
        )
    ]
    h = model.fit(x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks, validation_split=0.2,
                  verbose=0)
    assert len(h.history["loss"]) < 20  # stopped early

    model = get_compiled_model()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath="mymodel_{epoch}.keras",
            save_best_only=True,  # Only save a model if `val_loss` has improved.
            monitor="val_loss",
            verbose=0,
        )
    ]
    h = model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=callbacks, validation_split=0.2,
                  verbose=0)
    saved = sorted(f for f in os.listdir(".") if f.startswith("mymodel_"))
    assert saved[0] == "mymodel_1.keras" and len(saved) == 1 + (h.history["val_loss"][1] < h.history["val_loss"][0])

    checkpoint_dir = "./ckpt"
    if not os.path.exists(checkpoint_dir):
        os.makedirs(checkpoint_dir)

    def make_or_restore_model():
        checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
        if checkpoints:
            latest_checkpoint = max(checkpoints, key=os.path.getctime)
            return keras.models.load_model(latest_checkpoint)
        return get_compiled_model()

    model = make_or_restore_model()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath=checkpoint_dir + "/model-loss={loss:.2f}.keras", save_freq=10
        )
    ]
    model.fit(x_train, y_train, epochs=1, callbacks=callbacks, verbose=0)  # 32 batches: saves after 10, 20, 30
    assert len(os.listdir(checkpoint_dir)) >= 1
    restored = make_or_restore_model()  # the latest .keras, compiled
    assert restored.evaluate(x_test, y_test, verbose=0)[1] > 0.8
