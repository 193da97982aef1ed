"""The CNN programs people copy run unchanged: each test is a program written the way the
TensorFlow docs tutorials (images/cnn, quickstart/advanced, generative/dcgan, generative/autoencoder,
images/classification) and keras-io's mnist_convnet write theirs -- the same API calls in the same
order -- on small synthetic data instead of a download, with fewer epochs. Each checks that the
program learns (or, for the GAN, trains and restores), not only that it runs."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import layers, losses, models


def blobs(n, size, channels, classes, seed=0):
    """uint8 images whose class is where a bright square sits (plus noise): learnable in a few epochs."""
    r = np.random.default_rng(seed)
    y = r.integers(0, classes, n)
    x = r.integers(0, 60, (n, size, size, channels)).astype(np.uint8)
    cells = int(np.ceil(np.sqrt(classes)))
    step = size // cells
    for k in range(classes):
        i, j = divmod(k, cells)
        x[y == k, i * step:(i + 1) * step, j * step:(j + 1) * step, :] += 150
    return x, y.astype(np.uint8)


def test_images_cnn_tutorial(capsys):
    (train_images, train_labels) = blobs(600, 32, 3, 10, seed=1)
    (test_images, test_labels) = blobs(200, 32, 3, 10, seed=2)
    train_labels, test_labels = train_labels[:, None], test_labels[:, None]  # CIFAR's labels are [n, 1]
    train_images, test_images = train_images / 255.0, test_images / 255.0  # float64, as in the tutorial

    model = models.Sequential()
    model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.summary()
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation='relu'))
    model.add(layers.Dense(10))
    model.summary()
    model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    history = model.fit(train_images, train_labels, epochs=4, validation_data=(test_images, test_labels))
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
    out = capsys.readouterr().out
    assert "conv2d" in out and "Total params: 122,570" in out  # the tutorial's count for this model
    assert len(history.history['accuracy']) == 4 and len(history.history['val_accuracy']) == 4
    assert test_acc > 0.5, test_acc


def test_quickstart_advanced_tutorial(capsys):
    x_train, y_train = blobs(512, 28, 1, 10, seed=3)
    x_test, y_test = blobs(128, 28, 1, 10, seed=4)
    x_train, x_test = x_train[..., 0] / 255.0, x_test[..., 0] / 255.0
    x_train = x_train[..., tf.newaxis].astype("float32")
    x_test = x_test[..., tf.newaxis].astype("float32")
    train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000).batch(32)
    test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)

    class MyModel(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.conv1 = layers.Conv2D(32, 3, activation='relu')
            self.flatten = layers.Flatten()
            self.d1 = layers.Dense(128, activation='relu')
            self.d2 = layers.Dense(10)

        def call(self, x):
            x = self.conv1(x)
            x = self.flatten(x)
            x = self.d1(x)
            return self.d2(x)

    model = MyModel()
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.Adam()
    train_loss = tf.keras.metrics.Mean(name='train_loss')
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')
    test_loss = tf.keras.metrics.Mean(name='test_loss')
    test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='test_accuracy')

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)

    @tf.function
    def test_step(images, labels):
        predictions = model(images, training=False)
        t_loss = loss_object(labels, predictions)
        test_loss(t_loss)
        test_accuracy(labels, predictions)

    EPOCHS = 3
    for epoch in range(EPOCHS):
        train_loss.reset_state()
        train_accuracy.reset_state()
        test_loss.reset_state()
        test_accuracy.reset_state()
        for images, labels in train_ds:
            train_step(images, labels)
        for test_images, test_labels in test_ds:
            test_step(test_images, test_labels)
        print(
            f'Epoch {epoch + 1}, '
            f'Loss: {train_loss.result():0.2f}, '
            f'Accuracy: {train_accuracy.result() * 100:0.2f}, '
            f'Test Loss: {test_loss.result():0.2f}, '
            f'Test Accuracy: {test_accuracy.result() * 100:0.2f}'
        )
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 3 and out[-1].startswith("Epoch 3, Loss: ")
    assert float(test_accuracy.result()) > 0.6


def test_dcgan_tutorial(tmp_path):
    BATCH_SIZE, noise_dim = 16, 100
    train_images = blobs(64, 28, 1, 4, seed=5)[0].astype('float32')
    train_images = (train_images - 127.5) / 127.5
    train_dataset = tf.data.Dataset.from_tensor_slices(train_images).shuffle(60000).batch(BATCH_SIZE)

    def make_generator_model():
        model = tf.keras.Sequential()
        model.add(layers.Dense(7 * 7 * 64, use_bias=False, input_shape=(100,)))
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU())
        model.add(layers.Reshape((7, 7, 64)))
        assert model.output_shape == (None, 7, 7, 64)
        model.add(layers.Conv2DTranspose(32, (5, 5), strides=(1, 1), padding='same', use_bias=False))
        assert model.output_shape == (None, 7, 7, 32)
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU())
        model.add(layers.Conv2DTranspose(16, (5, 5), strides=(2, 2), padding='same', use_bias=False))
        assert model.output_shape == (None, 14, 14, 16)
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU())
        model.add(layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding='same', use_bias=False,
                                         activation='tanh'))
        assert model.output_shape == (None, 28, 28, 1)
        return model

    def make_discriminator_model():
        model = tf.keras.Sequential()
        model.add(layers.Conv2D(16, (5, 5), strides=(2, 2), padding='same', input_shape=[28, 28, 1]))
        model.add(layers.LeakyReLU())
        model.add(layers.Dropout(0.3))
        model.add(layers.Conv2D(32, (5, 5), strides=(2, 2), padding='same'))
        model.add(layers.LeakyReLU())
        model.add(layers.Dropout(0.3))
        model.add(layers.Flatten())
        model.add(layers.Dense(1))
        return model

    generator = make_generator_model()
    noise = tf.random.normal([1, 100])
    generated_image = generator(noise, training=False)
    assert generated_image.shape == (1, 28, 28, 1)
    discriminator = make_discriminator_model()
    decision = discriminator(generated_image)
    assert decision.shape == (1, 1)

    cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)

    def discriminator_loss(real_output, fake_output):
        real_loss = cross_entropy(tf.ones_like(real_output), real_output)
        fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
        return real_loss + fake_loss

    def generator_loss(fake_output):
        return cross_entropy(tf.ones_like(fake_output), fake_output)

    generator_optimizer = tf.keras.optimizers.Adam(1e-4)
    discriminator_optimizer = tf.keras.optimizers.Adam(1e-4)
    checkpoint_prefix = str(tmp_path / "training_checkpoints" / "ckpt")
    checkpoint = tf.train.Checkpoint(generator_optimizer=generator_optimizer,
                                     discriminator_optimizer=discriminator_optimizer,
                                     generator=generator, discriminator=discriminator)
    seed = tf.random.normal([4, noise_dim])

    @tf.function
    def train_step(images):
        noise = tf.random.normal([BATCH_SIZE, noise_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            gen_loss = generator_loss(fake_output)
            disc_loss = discriminator_loss(real_output, fake_output)
        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
        generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        discriminator_optimizer.apply_gradients(zip(gradients_of_discriminator, discriminator.trainable_variables))
        return gen_loss, disc_loss

    for epoch in range(2):
        for image_batch in train_dataset:
            gen_loss, disc_loss = train_step(image_batch)
        checkpoint.save(file_prefix=checkpoint_prefix)
    assert np.isfinite(float(gen_loss)) and np.isfinite(float(disc_loss))
    predictions = generator(seed, training=False)
    assert predictions.shape == (4, 28, 28, 1) and np.abs(predictions.numpy()).max() <= 1

    trained = [w.copy() for w in generator.get_weights()]
    for w in generator.trainable_variables:
        w.assign(tf.zeros_like(w))
    checkpoint.restore(tf.train.latest_checkpoint(str(tmp_path / "training_checkpoints")))
    for a, b in zip(trained, generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(generator(seed, training=False).numpy(), predictions.numpy())


def test_convolutional_autoencoder_tutorial(capsys):
    x_train = blobs(256, 28, 1, 4, seed=6)[0][..., 0].astype('float32') / 255.
    x_test = blobs(64, 28, 1, 4, seed=7)[0][..., 0].astype('float32') / 255.
    x_train, x_test = x_train[..., tf.newaxis], x_test[..., tf.newaxis]
    noise_factor = 0.2
    x_train_noisy = x_train + noise_factor * tf.random.normal(shape=x_train.shape)
    x_test_noisy = x_test + noise_factor * tf.random.normal(shape=x_test.shape)
    x_train_noisy = tf.clip_by_value(x_train_noisy, clip_value_min=0., clip_value_max=1.)
    x_test_noisy = tf.clip_by_value(x_test_noisy, clip_value_min=0., clip_value_max=1.)

    class Denoise(tf.keras.Model):
        def __init__(self):
            super(Denoise, self).__init__()
            self.encoder = tf.keras.Sequential([
                layers.Input(shape=(28, 28, 1)),
                layers.Conv2D(16, (3, 3), activation='relu', padding='same', strides=2),
                layers.Conv2D(8, (3, 3), activation='relu', padding='same', strides=2)])
            self.decoder = tf.keras.Sequential([
                layers.Conv2DTranspose(8, kernel_size=3, strides=2, activation='relu', padding='same'),
                layers.Conv2DTranspose(16, kernel_size=3, strides=2, activation='relu', padding='same'),
                layers.Conv2D(1, kernel_size=(3, 3), activation='sigmoid', padding='same')])

        def call(self, x):
            encoded = self.encoder(x)
            decoded = self.decoder(encoded)
            return decoded

    autoencoder = Denoise()
    autoencoder.compile(optimizer='adam', loss=losses.MeanSquaredError())
    history = autoencoder.fit(x_train_noisy, x_train, epochs=6, shuffle=True,
                              validation_data=(x_test_noisy, x_test))
    autoencoder.encoder.summary()
    autoencoder.decoder.summary()
    encoded_imgs = autoencoder.encoder(x_test_noisy).numpy()
    decoded_imgs = autoencoder.decoder(encoded_imgs).numpy()
    out = capsys.readouterr().out
    assert encoded_imgs.shape == (64, 7, 7, 8) and decoded_imgs.shape == (64, 28, 28, 1)
    assert "conv2d_transpose" in out
    assert history.history['val_loss'][-1] < 0.8 * history.history['val_loss'][0]


def test_image_classification_tutorial(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    data_dir = tmp_path / "flower_photos"
    r = np.random.default_rng(8)
    colors = {"daisy": (230, 230, 60), "roses": (200, 30, 40), "tulips": (60, 60, 220)}
    for name, color in colors.items():
        (data_dir / name).mkdir(parents=True)
        for i in range(24):
            img = np.clip(r.normal(color, 40, (40 + i % 5, 36, 3)), 0, 255).astype(np.uint8)
            pil.fromarray(img).save(data_dir / name / f"{i}.png")

    batch_size, img_height, img_width = 8, 32, 32
    train_ds = tf.keras.utils.image_dataset_from_directory(
        data_dir, validation_split=0.2, subset="training", seed=123,
        image_size=(img_height, img_width), batch_size=batch_size)
    val_ds = tf.keras.utils.image_dataset_from_directory(
        data_dir, validation_split=0.2, subset="validation", seed=123,
        image_size=(img_height, img_width), batch_size=batch_size)
    class_names = train_ds.class_names
    assert class_names == ['daisy', 'roses', 'tulips']
    for image_batch, labels_batch in train_ds:
        assert image_batch.shape == (batch_size, img_height, img_width, 3) and labels_batch.shape == (batch_size,)
        break

    AUTOTUNE = tf.data.AUTOTUNE
    train_ds = train_ds.cache().shuffle(1000).prefetch(buffer_size=AUTOTUNE)
    val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
    normalization_layer = layers.Rescaling(1. / 255)
    normalized_ds = train_ds.map(lambda x, y: (normalization_layer(x), y))
    image_batch, labels_batch = next(iter(normalized_ds))
    assert 0 <= np.min(image_batch[0]) and np.max(image_batch[0]) <= 1

    num_classes = len(class_names)
    data_augmentation = tf.keras.Sequential([
        layers.RandomFlip("horizontal", input_shape=(img_height, img_width, 3)),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1)])
    model = tf.keras.Sequential([
        data_augmentation,
        layers.Rescaling(1. / 255),
        layers.Conv2D(16, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Dropout(0.2),
        layers.Flatten(),
        layers.Dense(32, activation='relu'),
        layers.Dense(num_classes, name="outputs")])
    model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    model.summary()
    history = model.fit(train_ds, validation_data=val_ds, epochs=6)
    assert history.history['val_accuracy'][-1] > 0.6

    img = tf.keras.utils.load_img(data_dir / "roses" / "0.png", target_size=(img_height, img_width))
    img_array = tf.keras.utils.img_to_array(img)
    img_array = tf.expand_dims(img_array, 0)
    predictions = model.predict(img_array)
    score = tf.nn.softmax(predictions[0])
    assert class_names[np.argmax(score)] == "roses" and 0 < 100 * np.max(score) <= 100


def test_keras_io_mnist_convnet(capsys):
    from tinytf import keras
    num_classes, input_shape = 10, (28, 28, 1)
    x_train, y_train = blobs(800, 28, 1, 10, seed=9)
    x_test, y_test = blobs(200, 28, 1, 10, seed=10)
    x_train, x_test = x_train[..., 0], x_test[..., 0]
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax")])
    model.summary()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=4, validation_split=0.1)
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    out = capsys.readouterr().out
    assert "Total params: 34,826" in out  # keras-io's count for this model
    assert score[1] > 0.6, score
