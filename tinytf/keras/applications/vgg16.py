"""``keras.applications.vgg16``: VGG16 (Simonyan & Zisserman, 2014) as Keras builds it, and its
``preprocess_input`` (mode 'caffe')."""
from . import imagenet_utils as U
from .imagenet_utils import decode_predictions  # noqa: F401

_BLOCKS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_HASHES = {16: ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
           19: ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")}


def vgg(depth, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    from .. import layers
    U.check_weights(weights, include_top, classes)
    input_shape = U.obtain_input_shape(input_shape, 224, 32, include_top, weights)
    img_input = U.model_input(input_tensor, input_shape)
    x = img_input
    for b, (n, filters) in enumerate(zip(_BLOCKS[depth], (64, 128, 256, 512, 512)), start=1):
        for c in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{b}_conv{c}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        U.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = U.head(x, False, pooling, classes, classifier_activation, weights)
    suffix = "" if include_top else "_notop"
    fname = f"vgg{depth}/vgg{depth}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    return U.finish(img_input, input_tensor, x, name, weights, fname, _HASHES[depth][0 if include_top else 1])


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    return vgg(16, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    return U.preprocess_input(x, data_format=data_format, mode="caffe")
