"""``keras.applications.xception``: Xception (Chollet, 2017) as Keras builds it, and its
``preprocess_input`` (mode 'tf')."""
from . import imagenet_utils as U
from .imagenet_utils import decode_predictions  # noqa: F401


def _sep_bn(x, filters, name, act_before=None, act_after=None):
    from .. import layers
    if act_before:
        x = layers.Activation("relu", name=act_before)(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    x = layers.BatchNormalization(axis=-1, name=f"{name}_bn")(x)
    if act_after:
        x = layers.Activation("relu", name=act_after)(x)
    return x


def _residual(x, filters):
    from .. import layers
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=-1)(r)


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    from .. import layers
    U.check_weights(weights, include_top, classes)
    input_shape = U.obtain_input_shape(input_shape, 299, 71, include_top, weights)
    img_input = U.model_input(input_tensor, input_shape)
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=-1, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=-1, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    for block, filters in ((2, 128), (3, 256), (4, 728)):  # entry flow
        residual = _residual(x, filters)
        p = f"block{block}"
        x = _sep_bn(x, filters, f"{p}_sepconv1", act_before=None if block == 2 else f"{p}_sepconv1_act",
                    act_after=f"{p}_sepconv2_act" if block == 2 else None)
        x = _sep_bn(x, filters, f"{p}_sepconv2", act_before=None if block == 2 else f"{p}_sepconv2_act")
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"{p}_pool")(x)
        x = layers.add([x, residual])
    for i in range(8):  # middle flow
        residual, p = x, f"block{i + 5}"
        for k in (1, 2, 3):
            x = _sep_bn(x, 728, f"{p}_sepconv{k}", act_before=f"{p}_sepconv{k}_act")
        x = layers.add([x, residual])
    residual = _residual(x, 1024)  # exit flow
    x = _sep_bn(x, 728, "block13_sepconv1", act_before="block13_sepconv1_act")
    x = _sep_bn(x, 1024, "block13_sepconv2", act_before="block13_sepconv2_act")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name="block13_pool")(x)
    x = layers.add([x, residual])
    x = _sep_bn(x, 1536, "block14_sepconv1", act_after="block14_sepconv1_act")
    x = _sep_bn(x, 2048, "block14_sepconv2", act_after="block14_sepconv2_act")
    x = U.head(x, include_top, pooling, classes, classifier_activation, weights, top_pool="avg_pool")
    fname, h = (("xception/xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6")
                if include_top else
                ("xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97"))
    return U.finish(img_input, input_tensor, x, name, weights, fname, h)


def preprocess_input(x, data_format=None):
    return U.preprocess_input(x, data_format=data_format, mode="tf")
