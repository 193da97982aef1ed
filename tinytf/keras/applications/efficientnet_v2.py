"""``keras.applications.efficientnet_v2``: EfficientNetV2B0-B3 (Tan & Le, 2021) as Keras 3 builds
them (fused MBConv blocks first, rescaling and ImageNet normalisation inside the model; layer
names and weight order as Keras), and ``preprocess_input`` (the identity)."""
import copy
import math

from . import imagenet_utils as U
from .efficientnet import _CONV_INIT, _DENSE_INIT
from .imagenet_utils import decode_predictions  # noqa: F401

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
# kernel_size, repeats, filters_in, filters_out, expand_ratio, se_ratio, strides, fused (the B0-B3 blocks)
_BLOCKS = [(3, 1, 32, 16, 1, 0, 1, True), (3, 2, 16, 32, 4, 0, 2, True), (3, 2, 32, 48, 4, 0, 2, True),
           (3, 3, 48, 96, 4, 0.25, 2, False), (3, 5, 96, 112, 6, 0.25, 1, False),
           (3, 8, 112, 192, 6, 0.25, 2, False)]
_HASHES = {"b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
           "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
           "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
           "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856")}
_SCALES = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260), "b3": (1.2, 1.4, 300)}
_BN_MOMENTUM = 0.9


def _conv(filters, kernel_size, name, strides=1, activation=None, use_bias=False):
    from .. import layers
    return layers.Conv2D(filters, kernel_size, strides=strides, padding="same", activation=activation,
                         use_bias=use_bias, kernel_initializer=copy.deepcopy(_CONV_INIT), name=name)


def _bn(name):
    from .. import layers
    return layers.BatchNormalization(axis=3, momentum=_BN_MOMENTUM, name=name)


def _block(inputs, fused, activation, drop_rate, name, filters_in, filters_out, kernel_size, strides,
           expand_ratio, se_ratio):
    """MBConv (``fused=False``: 1x1 expand, depthwise, SE, 1x1 project) or fused MBConv (a full
    expand conv, SE, 1x1 project; without expansion, one conv and an activation)."""
    from .. import layers
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, kernel_size if fused else 1, f"{name}expand_conv", strides if fused else 1)(x)
        x = _bn(f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if not fused:
        x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="same", use_bias=False,
                                   depthwise_initializer=copy.deepcopy(_CONV_INIT), name=f"{name}dwconv2")(x)
        x = _bn(f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
        se = _conv(max(1, int(filters_in * se_ratio)), 1, f"{name}se_reduce", activation=activation, use_bias=True)(se)
        se = _conv(filters, 1, f"{name}se_expand", activation="sigmoid", use_bias=True)(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    plain = fused and expand_ratio == 1  # the fused block's only conv
    x = _conv(filters_out, kernel_size if plain else 1, f"{name}project_conv", strides if plain else 1)(x)
    x = _bn(f"{name}project_bn")(x)
    if plain:
        x = layers.Activation(activation, name=f"{name}project_activation")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate:  # Keras passes the block's drop-connect rate as the Dropout rate
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def efficientnet_v2(variant, include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, include_preprocessing, name, dropout_rate=0.2, drop_connect_rate=0.2,
                    depth_divisor=8, activation="swish"):
    from .. import initializers, layers
    width, depth, default_size = _SCALES[variant]
    U.check_weights(weights, include_top, classes)
    input_shape = U.obtain_input_shape(input_shape, default_size, 32, include_top, weights)
    img_input = U.model_input(input_tensor, input_shape)

    def round_filters(filters):
        return int(max(depth_divisor, int(filters * width + depth_divisor / 2) // depth_divisor * depth_divisor))

    x = img_input
    if include_preprocessing:
        if input_shape[-1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=3)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = _conv(round_filters(_BLOCKS[0][2]), 3, "stem_conv", strides=2)(x)
    x = _bn("stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    b, total = 0, float(sum(r for _, r, *_ in _BLOCKS))
    for i, (k, repeats, f_in, f_out, expand, se_ratio, strides, fused) in enumerate(_BLOCKS):
        f_in, f_out = round_filters(f_in), round_filters(f_out)
        for j in range(int(math.ceil(depth * repeats))):
            if j > 0:
                strides, f_in = 1, f_out
            x = _block(x, fused, activation, drop_connect_rate * b / total, f"block{i + 1}{chr(j + 97)}_", f_in,
                       f_out, k, strides, expand, se_ratio)
            b += 1
    x = _conv(round_filters(1280), 1, "top_conv")(x)
    x = _bn("top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        U.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, kernel_initializer=copy.deepcopy(_DENSE_INIT),
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    else:
        x = U.head(x, False, pooling, classes, classifier_activation, weights, pool_names=("avg_pool", "max_pool"))
    fname = _BASE_URL + f"efficientnetv2-{variant}" + (".h5" if include_top else "_notop.h5")
    return U.finish(img_input, input_tensor, x, name, weights, fname, _HASHES[variant][0 if include_top else 1])


def _variant(v):
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", include_preprocessing=True, name=f"efficientnetv2-{v}"):
        return efficientnet_v2(v, include_top, weights, input_tensor, input_shape, pooling, classes,
                               classifier_activation, include_preprocessing, name)
    build.__name__ = build.__qualname__ = f"EfficientNetV2{v.upper()}"
    build.__doc__ = f"EfficientNetV2{v.upper()} as Keras builds it (default input {_SCALES[v][2]}x{_SCALES[v][2]})."
    return build


EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3 = (_variant(f"b{i}") for i in range(4))


def preprocess_input(x, data_format=None):
    """The identity: EfficientNetV2 models rescale their inputs themselves (as Keras)."""
    return x
