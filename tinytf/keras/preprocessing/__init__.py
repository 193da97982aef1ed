"""``keras.preprocessing``: ``image`` (the legacy ``ImageDataGenerator`` and image file helpers) and
``image_dataset_from_directory`` (as ``keras.utils``)."""
from . import image  # noqa: F401
from ..utils.images import image_dataset_from_directory  # noqa: F401
