"""``keras.applications.imagenet_utils.preprocess_input``: the input scaling each ImageNet model expects.

Modes (Keras's): 'caffe' (RGB to BGR, minus the BGR ImageNet means), 'tf' (to [-1, 1]), 'torch'
(to [0, 1], minus the means, over the standard deviations). As in Keras, a NumPy float array is
changed in place (an integer array is converted to float32 first); a tensor gives a new tensor.
"""
import numpy as np

from ...backend import floatx

CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
_CLASS_INDEX = {}
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


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each row of ``preds`` [samples, 1000] as
    ``(class_name, description, score)``, best first (the class index is downloaded once, as Keras)."""
    preds = np.asarray(preds.numpy() if hasattr(preds, "numpy") else preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    if not _CLASS_INDEX:
        import json
        from ..utils import get_file
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                        file_hash="c2c37ea517e94d9795004a39431a14cb")
        with open(path) as fh:
            _CLASS_INDEX.update(json.load(fh))
    results = []
    for pred in preds:
        result = [tuple(_CLASS_INDEX[str(i)]) + (pred[i],) for i in pred.argsort()[-top:][::-1]]
        result.sort(key=lambda t: t[2], reverse=True)
        results.append(result)
    return results


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


# ---------------------------------------------------------------- building the ImageNet models

WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


def check_weights(weights, include_top, classes):
    """Keras's checks of ``weights`` (None, 'imagenet' or an existing file) and ``classes``."""
    import os
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  Received: "
                         f"weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
                         f"Received classes={classes}")


def obtain_input_shape(input_shape, default_size, min_size, require_flatten, weights):
    """The model's input shape (channels last) from the user's, as Keras's ``obtain_input_shape``."""
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        default_shape = (default_size, default_size, input_shape[-1])
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` "
                             f"should be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        if input_shape[-1] != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if any(d is not None and d < min_size for d in input_shape[:2]):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    else:
        input_shape = default_shape if require_flatten else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. Received: "
                         f"input_shape={input_shape}")
    return input_shape


def model_input(input_tensor, input_shape):
    from .. import layers
    from ..layers.base import KerasTensor
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError(f"input_tensor must be a Keras tensor (keras.Input(...) or a layer's output); got "
                         f"{type(input_tensor).__name__}")
    return input_tensor


def source_inputs(tensor):
    """The Input tensors ``tensor`` is computed from (Keras's ``get_source_inputs``)."""
    if not tensor.parents:
        return tensor
    found, stack, seen = [], [tensor], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if not t.parents:
            found.append(t)
        stack.extend(t.parents)
    return found[0] if len(found) == 1 else found


def validate_activation(classifier_activation, weights):
    if weights is None:
        return
    from .. import activations
    if classifier_activation not in ("softmax", None) and activations.get(classifier_activation) not in (
            activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` "
                         "argument when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def head(x, include_top, pooling, classes, classifier_activation, weights, top_pool=None, pool_names=(None, None)):
    """The classifier (``include_top``: global average pooling named ``top_pool``, then Dense) or the
    optional global pooling (named ``pool_names``) that ends each model."""
    from .. import layers
    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_pool)(x)
        validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    return x


def finish(img_input, input_tensor, x, name, weights, imagenet_file, file_hash=None):
    """The functional model, with ImageNet weights (downloaded once, as Keras) or a weights file."""
    from ..models import Model
    inputs = source_inputs(input_tensor) if input_tensor is not None else img_input
    model = Model(inputs, x, name=name)
    if weights == "imagenet":
        from ..utils import get_file
        fname = imagenet_file.rsplit("/", 1)[1]
        url = imagenet_file if "://" in imagenet_file else WEIGHTS_URL + imagenet_file
        model.load_weights(get_file(fname, url, cache_subdir="models", file_hash=file_hash))
    elif weights is not None:
        model.load_weights(weights)
    return model


def correct_pad(inputs, kernel_size):
    """The zero padding before a stride-2 'valid' conv that centres its windows (Keras's)."""
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    size = tuple(inputs.shape)[1:3]
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))
