"""``keras.applications.vgg19``: VGG19 as Keras builds it (``vgg16.vgg`` with four convs in blocks 3-5),
and its ``preprocess_input`` (mode 'caffe')."""
from . import imagenet_utils as U
from .imagenet_utils import decode_predictions  # noqa: F401
from .vgg16 import vgg


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    return vgg(19, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    return U.preprocess_input(x, data_format=data_format, mode="caffe")
