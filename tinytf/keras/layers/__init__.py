"""``tf.keras.layers``."""
from .base import KerasTensor, Layer  # noqa: F401
from .convolutional import Conv2D, Convolution2D  # noqa: F401
from .convolutional import (  # noqa: F401
    Conv1D, Conv2DTranspose, Convolution1D, Convolution2DTranspose, DepthwiseConv2D, SeparableConv2D,
    SeparableConvolution2D)
from .core import (  # noqa: F401
    Activation, Add, Concatenate, Dense, Dropout, Flatten, Input, InputLayer, LeakyReLU, ReLU, Reshape, Softmax)
from .normalization import BatchNormalization  # noqa: F401
from .pooling import (  # noqa: F401
    AveragePooling2D, AvgPool2D, AveragePool2D, GlobalAveragePooling2D, GlobalAvgPool2D, GlobalMaxPool2D,
    GlobalMaxPooling2D, MaxPool2D, MaxPooling2D)
from .reshaping import Cropping2D, UpSampling2D, ZeroPadding2D  # noqa: F401
