"""``keras.applications``: each ImageNet model family's ``preprocess_input`` (the architectures and
their weights are not part of tinytf yet)."""
from . import (  # noqa: F401
    convnext, densenet, efficientnet, efficientnet_v2, imagenet_utils, inception_resnet_v2, inception_v3, mobilenet,
    mobilenet_v2, mobilenet_v3, nasnet, resnet, resnet50, resnet_v2, vgg16, vgg19, xception)
