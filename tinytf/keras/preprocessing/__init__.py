"""``keras.preprocessing`` (Keras 3 keeps it for the image helpers): ``image`` and the dataset
builders, re-exported from ``keras.utils``."""
from . import image  # noqa: F401
from ..utils import image_dataset_from_directory  # noqa: F401
