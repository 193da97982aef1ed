"""``keras.preprocessing.image``: the image helpers of ``keras.utils`` under their older path."""
from ..utils.images import array_to_img, img_to_array, load_img, save_img  # noqa: F401
