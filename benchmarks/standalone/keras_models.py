"""The Keras models of the standalone scripts, for any module with TensorFlow's API (``tensorflow``
or ``tinytf``): the harness's LeNet-5+BN, the VGG-style and the ResNet-18-style CIFAR networks."""


def lenet(tf):
    L = tf.keras.layers
    return tf.keras.Sequential([
        L.Input((28, 28, 1)),
        L.Conv2D(6, 3), L.BatchNormalization(), L.MaxPooling2D((2, 2)), L.ReLU(),
        L.Conv2D(16, 3), L.BatchNormalization(), L.MaxPooling2D((2, 2)), L.ReLU(),
        L.Flatten(), L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10)])


def vgg(tf):
    L = tf.keras.layers
    return tf.keras.Sequential([
        L.Input((32, 32, 3)),
        L.Conv2D(64, 3, padding="same", activation="relu"), L.Conv2D(64, 3, padding="same", activation="relu"),
        L.MaxPooling2D((2, 2)),
        L.Conv2D(128, 3, padding="same", activation="relu"), L.Conv2D(128, 3, padding="same", activation="relu"),
        L.MaxPooling2D((2, 2)),
        L.Flatten(), L.Dense(256, activation="relu"), L.Dense(10)])


def resnet18(tf):
    """The usual CIFAR ResNet-18: 3x3 stem of 64, four stages of two BasicBlocks (64, 128, 256,
    512; stride 2 at the start of stages 2-4, 1x1 conv + BN shortcut there), global average
    pool, Dense 10. Convolutions without bias (BN follows)."""
    L = tf.keras.layers

    def conv(c, k, s):
        return L.Conv2D(c, k, strides=s, padding="same", use_bias=False)

    inp = L.Input((32, 32, 3))
    x = L.ReLU()(L.BatchNormalization()(conv(64, 3, 1)(inp)))
    cin = 64
    for i, c in enumerate((64, 128, 256, 512)):
        for j in range(2):
            s = 2 if (i and not j) else 1
            y = L.ReLU()(L.BatchNormalization()(conv(c, 3, s)(x)))
            y = L.BatchNormalization()(conv(c, 3, 1)(y))
            short = x if (s == 1 and cin == c) else L.BatchNormalization()(conv(c, 1, s)(x))
            x = L.ReLU()(L.Add()([y, short]))
            cin = c
    out = L.Dense(10)(L.GlobalAveragePooling2D()(x))
    return tf.keras.Model(inp, out)


MODELS = {"lenet": lenet, "vgg": vgg, "resnet18": resnet18}


def train_step(tf, model, function):
    """The tutorial's GradientTape step (loss + Adam, no metrics), as the harness's lenet_tape."""
    loss_obj = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = tf.keras.optimizers.Adam()

    def step(images, labels):
        with tf.GradientTape() as tape:
            logits = model(images, training=True)
            loss = loss_obj(labels, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return tf.function(step) if function else step
