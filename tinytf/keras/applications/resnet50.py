"""``keras.applications.resnet50``: ``ResNet50`` and its ``preprocess_input`` (mode 'caffe')."""
from . import imagenet_utils as U
from .imagenet_utils import decode_predictions  # noqa: F401
from .resnet import ResNet50  # noqa: F401


def preprocess_input(x, data_format=None):
    return U.preprocess_input(x, data_format=data_format, mode="caffe")
