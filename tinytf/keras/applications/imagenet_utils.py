"""``keras.applications.imagenet_utils.preprocess_input``: the input scaling each ImageNet model expects.

Modes (Keras's): 'caffe' (RGB to BGR, minus the BGR ImageNet means), 'tf' (to [-1, 1]), 'torch'
(to [0, 1], minus the means, over the standard deviations). As in Keras, a NumPy float array is
changed in place (an integer array is converted to float32 first); a tensor gives a new tensor.
"""
import numpy as np

from ...backend import floatx

_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def preprocess_input(x, data_format=None, mode="caffe"):
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Expected data_format to be 'channels_first' or 'channels_last'. Received: {data_format}")
    if isinstance(x, np.ndarray):
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(floatx(), copy=False)
        return _numpy(x, data_format, mode)
    import tinytf as tf
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, floatx())
    axis = -1 if data_format == "channels_last" else (-3 if x.shape.rank >= 3 else 0)
    shape = [1] * x.shape.rank
    shape[axis] = 3
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        mean = np.reshape(np.array(_TORCH_MEAN, x.dtype.as_numpy_dtype), shape)
        std = np.reshape(np.array(_TORCH_STD, x.dtype.as_numpy_dtype), shape)
        return (x / 255.0 - mean) / std
    x = tf.reverse(x, [axis])
    return x + np.reshape(-np.array(_CAFFE_MEAN, x.dtype.as_numpy_dtype), shape)


def _numpy(x, data_format, mode):
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if data_format == "channels_first":
        x = np.moveaxis(x, -3 if x.ndim >= 3 else 0, -1)
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = x[..., ::-1]
        mean, std = _CAFFE_MEAN, None
    for c in range(3):
        x[..., c] -= mean[c]
        if std is not None:
            x[..., c] /= std[c]
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, -3 if x.ndim >= 3 else 0)
    return x
