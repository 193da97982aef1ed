"""``keras.applications``: ImageNet models as Keras builds them (``VGG16``, ``VGG19``, ``ResNet50``,
``ResNet101``, ``ResNet152``, ``MobileNet``, ``MobileNetV2``, ``Xception``, ``InceptionV3``,
``DenseNet121/169/201``, ``EfficientNetB0-B7``, ``EfficientNetV2B0-B3``; ``weights='imagenet'`` downloads Keras's weight files
once, as Keras) and each model family's ``preprocess_input``."""
from . import (  # noqa: F401
    convnext, densenet, efficientnet, efficientnet_v2, imagenet_utils, inception_resnet_v2, inception_v3, mobilenet,
    mobilenet_v2, mobilenet_v3, nasnet, resnet, resnet50, resnet_v2, vgg16, vgg19, xception)
from .densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: F401
from .efficientnet import (  # noqa: F401
    EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3, EfficientNetB4, EfficientNetB5, EfficientNetB6,
    EfficientNetB7)
from .efficientnet_v2 import EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3  # noqa: F401
from .inception_v3 import InceptionV3  # noqa: F401
from .mobilenet import MobileNet  # noqa: F401
from .mobilenet_v2 import MobileNetV2  # noqa: F401
from .resnet import ResNet50, ResNet101, ResNet152  # noqa: F401
from .vgg16 import VGG16  # noqa: F401
from .vgg19 import VGG19  # noqa: F401
from .xception import Xception  # noqa: F401
