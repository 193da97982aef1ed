"""``keras.applications.resnet_v2.preprocess_input``: mode 'tf' (imagenet_utils)."""
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
