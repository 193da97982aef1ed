"""``keras.applications.densenet``: DenseNet121/169/201 (Huang et al., 2016) as Keras builds them, and
their ``preprocess_input`` (mode 'torch')."""
from . import imagenet_utils as U
from .imagenet_utils import decode_predictions  # noqa: F401

_EPS = 1.001e-5
_HASHES = {(6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
           (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
           (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1")}


def _bn_relu(x, name, bn="bn", relu="relu"):
    from .. import layers
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_{bn}" if name else bn)(x)
    return layers.Activation("relu", name=f"{name}_{relu}" if name else relu)(x)


def _conv_block(x, growth_rate, name):
    from .. import layers
    x1 = _bn_relu(x, name, "0_bn", "0_relu")
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = _bn_relu(x1, name, "1_bn", "1_relu")
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=3, name=f"{name}_concat")([x, x1])


def _transition_block(x, reduction, name):
    from .. import layers
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def densenet(blocks, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    from .. import layers
    U.check_weights(weights, include_top, classes)
    input_shape = U.obtain_input_shape(input_shape, 224, 32, include_top, weights)
    img_input = U.model_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, n in enumerate(blocks, start=2):
        for i in range(n):
            x = _conv_block(x, 32, name=f"conv{stage}_block{i + 1}")
        if stage < 5:
            x = _transition_block(x, 0.5, name=f"pool{stage}")
    x = _bn_relu(x, None)
    x = U.head(x, include_top, pooling, classes, classifier_activation, weights, top_pool="avg_pool",
               pool_names=("avg_pool", "max_pool"))
    arch, top_hash, notop_hash = _HASHES[tuple(blocks)]
    fname = f"densenet/{arch}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    return U.finish(img_input, input_tensor, x, name, weights, fname, top_hash if include_top else notop_hash)


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet121"):
    return densenet((6, 12, 24, 16), include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet169"):
    return densenet((6, 12, 32, 32), include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet201"):
    return densenet((6, 12, 48, 32), include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, name)


def preprocess_input(x, data_format=None):
    return U.preprocess_input(x, data_format=data_format, mode="torch")
