"""Public TF2 / Keras CNN programs that read image files: tf.io + tf.data pipelines, a
keras.utils.Sequence of images, image_dataset_from_directory with augmentation layers.

Each program is written here as its authors wrote it (the code paths that matter, in their order
and spelling; source repository, path and commit above each test), unchanged but for
``import tinytf as tf`` / ``from tinytf import keras``, small synthetic data of the real shapes
(tests/programs/synthetic.py) and fewer epochs or steps. Each asserts something that can fail:
the program learns, its loss drops, or a restore reproduces the model."""
import os

import numpy as np
import pytest

import tinytf as tf
from tinytf import keras
from tinytf.keras import layers

from synthetic import write_class_folders

pytest.importorskip("PIL")


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
    # it learns: the losses fall and the training accuracy is well above chance (0.2); 8 validation
    # images make val_accuracy too coarse to test
    h = history.history
    assert h['loss'][-1] < h['loss'][0] and h['val_loss'][-1] < h['val_loss'][0], h
    assert h['accuracy'][-1] > 0.5, h


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
