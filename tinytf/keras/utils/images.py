"""Image helpers of ``keras.utils``, read and written with Pillow (the ``image`` extra).

``load_img`` resizes with Pillow's filters, as Keras does. ``image_dataset_from_directory`` reads
each image at its own size and resizes it with ``tf.image.resize`` (no antialiasing), as Keras 3
does, so its numbers are TensorFlow's; for an interpolation ``tf.image.resize`` lacks it falls back
to Pillow's filter.
"""
import os

import numpy as np

from ...backend import floatx

ALLOWED_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_MODES = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}
_FILTERS = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC", "hamming": "HAMMING",
            "box": "BOX", "area": "BOX", "lanczos": "LANCZOS", "lanczos3": "LANCZOS", "lanczos5": "LANCZOS"}


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image: the keras.utils image functions need Pillow "
                          "(pip install 'tinytf[image]' or pip install Pillow)") from None
    return Image


def _filter(interpolation):
    if interpolation not in _FILTERS:
        raise ValueError(f"Invalid interpolation {interpolation!r}; expected one of {sorted(_FILTERS)}")
    return getattr(_pil().Resampling, _FILTERS[interpolation])


def _mode(color_mode):
    if color_mode not in _MODES:
        raise ValueError(f"color_mode must be 'grayscale', 'rgb' or 'rgba'. Received: color_mode={color_mode!r}")
    return _MODES[color_mode]


def _size(name, value):
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, (int, np.integer)) and v > 0 for v in value)):
        raise ValueError(f"{name} must be a tuple of two positive ints (height, width). Received: "
                         f"{name}={value!r}")
    return int(value[0]), int(value[1])


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """A PIL image from a file, converted to ``color_mode`` and resized to ``target_size`` (height,
    width) if given."""
    Image = _pil()
    mode, _ = _mode(color_mode)
    with open(os.fspath(path), "rb") as f:
        img = Image.open(f)
        img.load()
    if img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        h, w = _size("target_size", target_size)
        if img.size != (w, h):
            img = img.resize((w, h), _filter(interpolation))
    return img


_TF_RESIZE = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def _load_resized(path, color_mode, height, width, interpolation):
    """One image as float32 (height, width, channels), resized as Keras 3's directory loader does."""
    if interpolation not in _TF_RESIZE:
        return img_to_array(load_img(path, color_mode, (height, width), interpolation))
    x = img_to_array(load_img(path, color_mode))
    if x.shape[:2] == (height, width):
        return x
    from ... import image
    return np.asarray(image.resize(x, (height, width), method=interpolation), dtype=np.float32)


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a ``(height, width, channels)`` float32 array (``channels_first``: channels first)."""
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format!r}")
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return np.transpose(x, (2, 0, 1)) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image from a 3-D array (1, 3 or 4 channels); ``scale`` maps its range onto 0-255."""
    Image = _pil()
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if (data_format or "channels_last") == "channels_first":
        x = np.transpose(x, (1, 2, 0))
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError(f"Unsupported channel number: {channels}")
    x = x.astype(np.uint8)
    if channels == 1:
        return Image.fromarray(x[:, :, 0], "L")
    return Image.fromarray(x, "RGB" if channels == 3 else "RGBA")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save the 3-D array ``x`` as an image file (``array_to_img``, then Pillow; the format from
    ``file_format`` or the extension). An RGBA image saved as JPEG loses its alpha, with a warning."""
    import warnings
    from ...files import atomic_write
    Image = _pil()
    img = array_to_img(x, data_format=data_format, scale=scale)
    if file_format is None:
        ext = os.path.splitext(os.fspath(path))[1].lower()
        file_format = Image.registered_extensions().get(ext)
        if file_format is None:
            raise ValueError(f"save_img: cannot tell the image format from the extension of {path!r}; "
                             "pass file_format='png' (or 'jpeg', ...)")
    if img.mode == "RGBA" and file_format.lower() in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    with atomic_write(path) as f:
        img.save(f, format=file_format, **kwargs)


def index_directory(directory, labels, class_names, formats=ALLOWED_FORMATS):
    """Sorted paths of the files ending in ``formats``, their labels and the class names (Keras's
    ``index_directory``; also used by ``audio_dataset_from_directory``)."""
    subdirs = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
    if labels == "inferred":
        if class_names is not None:
            if sorted(class_names) != sorted(subdirs) and not set(class_names) <= set(subdirs):
                raise ValueError(f"The `class_names` passed did not match the names of the subdirectories of "
                                 f"the target directory. Expected: {subdirs}, but received: {class_names}")
            subdirs = list(class_names)
        paths, labs = [], []
        for k, d in enumerate(subdirs):
            found = sorted(_walk(os.path.join(directory, d), formats))
            paths += found
            labs += [k] * len(found)
        return paths, np.array(labs, np.int32), list(subdirs)
    paths = sorted(_walk(directory, formats))
    if labels is None:
        return paths, None, None
    labs = np.asarray(labels)
    if labs.ndim != 1 or len(labs) != len(paths):
        raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target "
                         f"directory. len(labels) is {len(labs)} while we found {len(paths)} files in "
                         f"directory {directory}.")
    return paths, labs.astype(np.int32), class_names


def _walk(folder, formats):
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256), shuffle=True,
                                 seed=None, validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                                 data_format=None, verbose=True):
    """A ``tf.data.Dataset`` of ``(images, labels)`` batches from ``directory/<class>/<image>``.

    As Keras: class names are the sorted subfolder names (or ``class_names``); ``label_mode`` 'int'
    (int32), 'categorical' (float32 one-hot), 'binary' (float32 ``(n, 1)``, two classes) or None;
    images are float32 ``(height, width, channels)`` in 0-255 resized to ``image_size``; the file list
    is shuffled with ``seed`` before a ``validation_split`` (``subset`` 'training', 'validation' or
    'both'). Images are read when a batch is drawn. The dataset has ``.class_names`` and ``.file_paths``.
    """
    from ... import data as tfdata
    from ...tensor import constant
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError("`labels` argument should be a list/tuple of integer labels, of the same size as the "
                         "number of image files in the target directory. If you wish to infer the labels "
                         "from the subdirectory names in the target directory, pass `labels=\"inferred\"`. "
                         f"If you wish to get a dataset that only contains images (no labels), pass "
                         f"`labels=None`. Received: labels={labels!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode!r}")
    if labels is None:
        label_mode = None
    _, channels = _mode(color_mode)
    height, width = _size("image_size", image_size)
    _filter(interpolation)
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise NotImplementedError("image_dataset_from_directory: crop_to_aspect_ratio / pad_to_aspect_ratio "
                                  "are not supported by tinytf")
    check_split_args(batch_size, validation_split, subset, shuffle, seed)
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"image_dataset_from_directory: no such directory {directory!r}")
    paths, labs, names = index_directory(directory, labels, class_names)
    if label_mode == "binary" and len(names or []) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={names}")
    if not paths:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: {ALLOWED_FORMATS}")
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(names)} classes." if names else "."))
    paths, labs, seed = shuffled(paths, labs, shuffle, seed)

    def make(sub_paths, sub_labels):
        num_classes = len(names) if names else (int(sub_labels.max()) + 1 if sub_labels is not None else 0)

        def load(idx):
            idx = np.asarray(idx)
            images = np.stack([_load_resized(sub_paths[i], color_mode, height, width, interpolation)
                               for i in np.atleast_1d(idx)])
            images = images if idx.ndim else images[0]
            if label_mode is None:
                return constant(images)
            return constant(images), constant(encoded_labels(sub_labels[idx], label_mode, num_classes))

        ds = tfdata.Dataset.range(len(sub_paths))
        if shuffle:
            ds = ds.shuffle(buffer_size=(batch_size or 1) * 8, seed=seed)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds = ds.map(load)
        ds.class_names = names
        ds.file_paths = list(sub_paths)
        return ds

    return split_datasets(paths, labs, validation_split, subset, verbose, make)


# ---- what image_dataset_from_directory and audio_dataset_from_directory (audio.py) share ----------
def check_split_args(batch_size, validation_split, subset, shuffle, seed):
    """Keras's checks of ``batch_size``, ``validation_split``, ``subset`` and the seed a split needs."""
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None. Received: batch_size={batch_size!r}")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split is None) != (subset is None):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely. Received: "
                         f"subset={subset!r}, validation_split={validation_split!r}")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f'`subset` must be either "training", "validation" or "both". Received: {subset!r}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` "
                         "argument, to make sure that there is no overlap between the training and "
                         "validation subset.")


def shuffled(paths, labels, shuffle, seed):
    """The files (and labels) in Keras's shuffled order, and the seed used (drawn if None)."""
    if not shuffle:
        return paths, labels, seed
    seed = int(np.random.randint(1_000_000)) if seed is None else seed
    order = np.random.RandomState(seed).permutation(len(paths))
    return [paths[i] for i in order], (labels[order] if labels is not None else None), seed


def encoded_labels(labels, label_mode, num_classes):
    """Integer labels as ``label_mode`` gives them: int, one-hot float32, or float32 of shape (..., 1)."""
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    if label_mode == "binary":
        return labels.astype(np.float32)[..., None]
    return labels


def split_datasets(paths, labels, validation_split, subset, verbose, make):
    """``make(paths, labels)`` of all files, or of Keras's training / validation split (the last
    ``int(validation_split * n)`` files are the validation subset)."""
    if validation_split is None:
        return make(paths, labels)
    n = len(paths)
    n_val = int(validation_split * n)
    train = make(paths[:n - n_val], labels[:n - n_val] if labels is not None else None)
    val = make(paths[n - n_val:], labels[n - n_val:] if labels is not None else None)
    if verbose:
        for which, k in (("training", n - n_val), ("validation", n_val)):
            if subset in (which, "both"):
                print(f"Using {k} files for {which}.")
    return {"training": train, "validation": val, "both": [train, val]}[subset]
