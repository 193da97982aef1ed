"""``keras.applications.mobilenet_v2.preprocess_input``: mode 'tf' (imagenet_utils)."""
from . import imagenet_utils


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
