"""``keras.applications.resnet``: ResNet50/101/152 (He et al., 2015; v1, post-activation) as Keras
builds them, and their ``preprocess_input`` (mode 'caffe')."""
from . import imagenet_utils as U
from .imagenet_utils import decode_predictions  # noqa: F401

_STACKS = {"resnet50": (3, 4, 6, 3), "resnet101": (3, 4, 23, 3), "resnet152": (3, 8, 36, 3)}
_HASHES = {"resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
           "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
           "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c")}
_EPS = 1.001e-5


def _block(x, filters, stride, conv_shortcut, name):
    from .. import layers
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="SAME", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def resnet(arch, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    from .. import layers
    U.check_weights(weights, include_top, classes)
    input_shape = U.obtain_input_shape(input_shape, 224, 32, include_top, weights)
    img_input = U.model_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (blocks, filters) in enumerate(zip(_STACKS[arch], (64, 128, 256, 512)), start=2):
        x = _block(x, filters, 1 if stage == 2 else 2, True, f"conv{stage}_block1")
        for i in range(2, blocks + 1):
            x = _block(x, filters, 1, False, f"conv{stage}_block{i}")
    x = U.head(x, include_top, pooling, classes, classifier_activation, weights, top_pool="avg_pool",
               pool_names=("avg_pool", "max_pool"))
    suffix = "" if include_top else "_notop"
    fname = f"resnet/{arch}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    return U.finish(img_input, input_tensor, x, name, weights, fname, _HASHES[arch][0 if include_top else 1])


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    return resnet("resnet50", include_top, weights, input_tensor, input_shape, pooling, classes,
                  classifier_activation, name)


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet101"):
    return resnet("resnet101", include_top, weights, input_tensor, input_shape, pooling, classes,
                  classifier_activation, name)


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet152"):
    return resnet("resnet152", include_top, weights, input_tensor, input_shape, pooling, classes,
                  classifier_activation, name)


def preprocess_input(x, data_format=None):
    return U.preprocess_input(x, data_format=data_format, mode="caffe")
