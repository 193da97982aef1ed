"""``keras.applications.convnext.preprocess_input``: the model rescales inside itself, so this returns
its input unchanged (as Keras)."""
from .imagenet_utils import decode_predictions  # noqa: F401


def preprocess_input(x, data_format=None):
    return x
