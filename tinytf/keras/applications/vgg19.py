"""``keras.applications.vgg19.preprocess_input``: mode 'caffe' (imagenet_utils)."""
from . import imagenet_utils


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")
