"""``tf.keras.layers``."""
from .activations import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: F401
from .base import KerasTensor, Layer  # noqa: F401
from .convolutional import Conv2D, Convolution2D  # noqa: F401
from .convolutional import (  # noqa: F401
    Conv1D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution1D, Convolution2DTranspose, Convolution3D,
    Convolution3DTranspose, DepthwiseConv2D, SeparableConv2D, SeparableConvolution2D)
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .lambda_layer import Lambda  # noqa: F401
from .layer_normalization import GroupNormalization, LayerNormalization, UnitNormalization  # noqa: F401
from .merging import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average, concatenate, dot, maximum,
    minimum, multiply, subtract)
from .normalization import BatchNormalization, Normalization  # noqa: F401
from .pooling import (  # noqa: F401
    AveragePooling2D, AvgPool2D, AveragePool2D, GlobalAveragePooling2D, GlobalAvgPool2D, GlobalMaxPool2D,
    GlobalMaxPooling2D, MaxPool2D, MaxPooling2D)
from .pooling import (  # noqa: F401
    AveragePooling3D, AvgPool3D, GlobalAveragePooling3D, GlobalAvgPool3D, GlobalMaxPool3D, GlobalMaxPooling3D,
    MaxPool3D, MaxPooling3D)
from .regularization import SpatialDropout2D, SpatialDropout3D  # noqa: F401
from .preprocessing import (  # noqa: F401
    CenterCrop, RandomContrast, RandomCrop, RandomFlip, RandomHeight, RandomRotation, RandomTranslation, RandomWidth,
    RandomZoom, Rescaling, Resizing)
from .reshaping import Cropping2D, UpSampling2D, ZeroPadding2D  # noqa: F401
from .rnn import Bidirectional, GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell  # noqa: F401
from .sequence import (  # noqa: F401
    GlobalAveragePooling1D, GlobalAvgPool1D, GlobalMaxPool1D, GlobalMaxPooling1D, Masking, TimeDistributed)
from .reshaping3d import Cropping3D, UpSampling3D, ZeroPadding3D  # noqa: F401
