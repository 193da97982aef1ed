"""``keras.preprocessing.image``: Keras's legacy ``ImageDataGenerator`` and its iterators, and the
image file helpers (``load_img``, ``img_to_array``, ``array_to_img``, from ``keras.utils``).

The generator is Keras 3's (``keras/src/legacy/preprocessing/image.py``): the same draws from
NumPy's global generator in the same order (so ``np.random.seed`` or ``seed=`` repeats Keras's
augmentations), the same matrices, and the affine resampling by ``scipy.ndimage.affine_transform``
as Keras does it (SciPy, in the ``image`` extra, is imported only when a transform is applied).
Iterators give batch ``i`` from ``it[i]`` (``len(it)`` batches, reshuffled by ``on_epoch_end``)
and loop forever under ``next(it)``, as Keras's.
"""
import os
import threading
import warnings

import numpy as np

from ...backend import floatx
from ..utils.images import array_to_img, img_to_array, load_img, save_img  # noqa: F401 (keras.preprocessing.image names)
from ..utils.py_dataset import PyDataset

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")
_CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
_DATAFRAME_CLASS_MODES = _CLASS_MODES + ("raw", "multi_output")
_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


# ---------------------------------------------------------------- transforms on one image

def flip_axis(x, axis):
    return np.asarray(x).swapaxes(axis, 0)[::-1, ...].swapaxes(0, axis)


def transform_matrix_offset_center(matrix, x, y):
    """``matrix`` about the image centre (``x`` rows, ``y`` columns)."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1, col_axis=2, channel_axis=0,
                           fill_mode="nearest", cval=0.0, order=1):
    """Rotate by ``theta`` degrees, shift by (``tx``, ``ty``) pixels, shear by ``shear`` degrees and
    zoom by (``zx``, ``zy``) one image about its centre, resampled with spline ``order``."""
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
    steps = []
    if theta != 0:
        t = np.deg2rad(theta)
        steps.append(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        steps.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        s = np.deg2rad(shear)
        steps.append(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        steps.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not steps:
        return x
    matrix = steps[0]
    for m in steps[1:]:
        matrix = matrix @ m
    from scipy import ndimage  # the `image` extra; Keras resamples with the same call
    matrix = transform_matrix_offset_center(matrix, x.shape[row_axis], x.shape[col_axis])
    x = np.rollaxis(x, channel_axis, 0)
    if col_axis > row_axis:  # the matrices are written for (x, y); arrays index (row, col)
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    channels = [ndimage.affine_transform(c, matrix[:2, :2], matrix[:2, 2], order=order, mode=fill_mode, cval=cval)
                for c in x]
    return np.rollaxis(np.stack(channels, axis=0), 0, channel_axis + 1)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Add ``intensity`` to every channel, clipped to the image's own range."""
    x = np.rollaxis(x, channel_axis, 0)
    lo, hi = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, lo, hi) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def apply_brightness_shift(x, brightness, scale=True):
    """Pillow's ``ImageEnhance.Brightness`` by ``brightness``, back in the image's range when ``scale``."""
    from PIL import ImageEnhance
    lo, hi = np.min(x), np.max(x)
    local_scale = lo < 0 or hi > 255
    img = ImageEnhance.Brightness(array_to_img(x, scale=local_scale or scale)).enhance(brightness)
    x = img_to_array(img)
    if not scale and local_scale:
        x = x / 255 * (hi - lo) + lo
    return x


# ---------------------------------------------------------------- iterators

class Iterator(PyDataset):
    """Batches of indices ``0..n-1`` (shuffled per epoch when ``shuffle``), Keras's ``Iterator``."""

    def __init__(self, n, batch_size, shuffle, seed):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.n, self.batch_size, self.seed, self.shuffle = n, int(batch_size), seed, shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._batch(self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = (self.batch_index * self.batch_size) % self.n if self.n else 0
            self.batch_index = self.batch_index + 1 if self.n > current + self.batch_size else 0
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._batch(index_array)

    def _transformed(self, x):
        gen = self.image_data_generator
        if gen is None:
            return x
        x = gen.apply_transform(x.astype(self.dtype), gen.get_random_transform(x.shape))
        return gen.standardize(x)


class NumpyArrayIterator(Iterator):
    """Batches ``(x, y)`` (or ``x``, or ``(x, y, sample_weight)``) of transformed images from arrays."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png", subset=None,
                 ignore_class_split=False, dtype=None):
        self.dtype = dtype or floatx()
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4. You passed an array "
                             f"with shape {x.shape}")
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same length. Found: "
                             f"x.shape = {x.shape}, y.shape = {np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"`x` and `sample_weight` should have the same length; found {len(x)} and "
                             f"{len(sample_weight)}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"Invalid subset name: {subset}; expected 'training' or 'validation'")
            split = int(len(x) * image_data_generator._validation_split)
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x = x[part]
            y = None if y is None else np.asarray(y)[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        self.x = np.asarray(x, dtype=self.dtype)
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = data_format or "channels_last"
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(len(self.x), batch_size, shuffle, seed)

    def _batch(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            batch_x[i] = self._transformed(self.x[j])
        if self.save_to_dir:
            _save(batch_x, index_array, self, 10_000)
        if self.y is None:
            return batch_x
        out = (batch_x, self.y[index_array])
        return out if self.sample_weight is None else out + (self.sample_weight[index_array],)


class DirectoryIterator(Iterator):
    """Batches of images read from ``directory/<class>/...`` (classes are the sorted sub-folders)."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None, data_format=None,
                 save_to_dir=None, save_prefix="", save_format="png", follow_links=False, subset=None,
                 interpolation="nearest", keep_aspect_ratio=False, dtype=None):
        if color_mode not in ("rgb", "rgba", "grayscale"):
            raise ValueError(f"Invalid color mode: {color_mode}; expected 'rgb', 'rgba', or 'grayscale'.")
        if class_mode not in _CLASS_MODES:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: {set(_CLASS_MODES)}")
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"flow_from_directory: directory {directory!r} does not exist")
        split = _split(subset, image_data_generator)
        self.directory, self.image_data_generator = directory, image_data_generator
        self.target_size = tuple(target_size)
        self.color_mode, self.class_mode, self.data_format = color_mode, class_mode, data_format or "channels_last"
        self.interpolation, self.keep_aspect_ratio = interpolation, keep_aspect_ratio
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.dtype = dtype or floatx()
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        if not classes:
            classes = [d for d in sorted(os.listdir(directory)) if os.path.isdir(os.path.join(directory, d))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames, labels = [], []
        for name in classes:
            files = _valid_files(os.path.join(directory, name), follow_links)
            if split is not None:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            self.filenames += [os.path.relpath(f, directory) for f in files]
            labels += [self.class_indices[name]] * len(files)
        self.samples = len(self.filenames)
        self.classes = np.array(labels, dtype="int32")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self.filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def labels(self):
        return self.classes

    def _batch(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            img = load_img(self.filepaths[j], color_mode=self.color_mode, target_size=self.target_size,
                           interpolation=self.interpolation, keep_aspect_ratio=self.keep_aspect_ratio)
            batch_x[i] = self._transformed(img_to_array(img, data_format=self.data_format))
        if self.save_to_dir:
            _save(batch_x, index_array, self, 10_000_000)
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode in ("binary", "sparse"):
            return batch_x, np.asarray(self.classes)[index_array].astype(self.dtype)
        if self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            self._one_hot(index_array, batch_y)
            return batch_x, batch_y
        return batch_x

    def _one_hot(self, index_array, batch_y):
        batch_y[np.arange(len(batch_y)), self.classes[index_array]] = 1.0


class DataFrameIterator(DirectoryIterator):
    """Batches of images named in a table's ``x_col`` (anything indexable by column name giving
    sequences: a pandas ``DataFrame``, a dict of lists), labelled from ``y_col`` as Keras's."""

    def __init__(self, dataframe, directory=None, image_data_generator=None, x_col="filename", y_col="class",
                 weight_col=None, target_size=(256, 256), color_mode="rgb", classes=None, class_mode="categorical",
                 batch_size=32, shuffle=True, seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", subset=None, interpolation="nearest", keep_aspect_ratio=False, dtype=None,
                 validate_filenames=True):
        if color_mode not in ("rgb", "rgba", "grayscale"):
            raise ValueError(f"Invalid color mode: {color_mode}; expected 'rgb', 'rgba', or 'grayscale'.")
        if class_mode not in _DATAFRAME_CLASS_MODES:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: {set(_DATAFRAME_CLASS_MODES)}")
        if class_mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(f'If class_mode="multi_output", y_col must be a list. Received {type(y_col).__name__}.')
        split = _split(subset, image_data_generator)
        self.directory, self.image_data_generator = directory or "", image_data_generator
        self.target_size = tuple(target_size)
        self.color_mode, self.class_mode, self.data_format = color_mode, class_mode, data_format or "channels_last"
        self.interpolation, self.keep_aspect_ratio = interpolation, keep_aspect_ratio
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.dtype = dtype or floatx()
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        labelled = class_mode not in ("input", "multi_output", "raw", None)
        y_cols = y_col if isinstance(y_col, list) else [y_col]
        cols = {c: _column(dataframe, c) for c in [x_col] + (y_cols if class_mode is not None and
                                                             class_mode != "input" else []) +
                ([weight_col] if weight_col else [])}
        n = len(cols[x_col])
        if not all(isinstance(f, str) for f in cols[x_col]):
            raise TypeError(f"All values in column x_col={x_col} must be strings.")
        if class_mode in ("binary", "sparse") and not all(isinstance(v, str) for v in cols[y_col]):
            raise TypeError(f'If class_mode="{class_mode}", y_col="{y_col}" column values must be strings.')
        if class_mode == "binary":
            found = len(set(classes)) if classes else len(set(cols[y_col]))
            if found != 2:
                raise ValueError(f'If class_mode="binary" there must be 2 classes. Found {found} classes.')
        if class_mode == "categorical" and not all(isinstance(v, (str, list, tuple)) for v in cols[y_col]):
            raise TypeError(f'If class_mode="categorical", y_col="{y_col}" column values must be type string, '
                            f'list or tuple.')
        if classes and not labelled:
            warnings.warn(f'`classes` will be ignored given the class_mode="{class_mode}"')
        if weight_col and np.asarray(cols[weight_col]).dtype.kind not in "iuf":
            raise TypeError(f"Column weight_col={weight_col} must be numeric.")
        rows = list(range(n))
        if validate_filenames:
            rows = [i for i in rows if _valid_file(os.path.join(self.directory, cols[x_col][i]))]
            if len(rows) < n:
                warnings.warn(f'Found {n - len(rows)} invalid image filename(s) in x_col="{x_col}". These '
                              f'filename(s) will be ignored.')
        if labelled:
            labels, classes = _filter_classes([cols[y_col][i] for i in rows], classes)
            rows = [i for i, v in zip(rows, labels) if v is not None]
            labels = [v for v in labels if v is not None]
            self.num_classes = len(classes)
            self.class_indices = dict(zip(classes, range(len(classes))))
        if split is not None:
            start, stop = int(split[0] * len(rows)), int(split[1] * len(rows))
            rows = rows[start:stop]
            labels = labels[start:stop] if labelled else None
        if labelled:
            self.classes = [[self.class_indices[v] for v in label] if isinstance(label, list)
                            else self.class_indices[label] for label in labels]
        self.filenames = [cols[x_col][i] for i in rows]
        self._sample_weight = np.asarray(cols[weight_col])[rows] if weight_col else None
        if class_mode == "multi_output":
            self._targets = [np.array([cols[c][i] for i in rows]) for c in y_cols]
        elif class_mode == "raw":
            self._targets = (np.column_stack([np.asarray(cols[c])[rows] for c in y_cols]) if isinstance(y_col, list)
                             else np.asarray(cols[y_col])[rows])
        self.samples = len(self.filenames)
        found = "validated" if validate_filenames else "non-validated"
        print(f"Found {self.samples} {found} image filenames" +
              (f" belonging to {self.num_classes} classes." if labelled else "."))
        self.filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        Iterator.__init__(self, self.samples, batch_size, shuffle, seed)

    @property
    def labels(self):
        return self._targets if self.class_mode in ("multi_output", "raw") else self.classes

    def _batch(self, index_array):
        out = super()._batch(index_array)
        if self.class_mode in ("multi_output", "raw"):
            out = (out, [t[index_array] for t in self._targets] if self.class_mode == "multi_output"
                   else self._targets[index_array])
        if self._sample_weight is None or self.class_mode is None:
            return out
        return out + (self._sample_weight[index_array],)

    def _one_hot(self, index_array, batch_y):
        for i, j in enumerate(index_array):
            batch_y[i, self.classes[j]] = 1.0


def _column(table, name):
    try:
        return list(table[name])
    except (KeyError, IndexError, TypeError) as e:
        raise KeyError(f"flow_from_dataframe: the dataframe has no column {name!r} ({e})") from None


def _filter_classes(labels, classes):
    """Labels restricted to ``classes`` (None where nothing is left), and the classes: as given, else sorted."""
    if classes:
        keep = set(classes)
        out = []
        for v in labels:
            if isinstance(v, (list, tuple)):
                out.append([c for c in v if c in keep] or None)
            elif isinstance(v, str):
                out.append(v if v in keep else None)
            else:
                raise TypeError(f"Expect string, list or tuple but found {type(v)} in the y_col column")
        return out, list(dict.fromkeys(classes))
    found = set()
    for v in labels:
        found.update(v if isinstance(v, (list, tuple)) else [v])
    return [list(v) if isinstance(v, tuple) else v for v in labels], sorted(found)


def _split(subset, image_data_generator):
    if subset is None:
        return None
    if subset not in ("training", "validation"):
        raise ValueError(f"Invalid subset name: {subset}; expected 'training' or 'validation'")
    v = image_data_generator._validation_split
    return (0, v) if subset == "validation" else (v, 1)


def _valid_file(path):
    return os.path.isfile(path) and path.lower().endswith(tuple("." + e for e in _FORMATS))


def _valid_files(folder, follow_links):
    out = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda t: t[0]):
        out += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(tuple("." + e for e in _FORMATS))]
    return out


def _save(batch_x, index_array, it, hash_range):
    for i, j in enumerate(index_array):
        name = f"{it.save_prefix}_{j}_{np.random.randint(hash_range)}.{it.save_format}"
        array_to_img(batch_x[i], it.data_format, scale=True).save(os.path.join(it.save_to_dir, name))


# ---------------------------------------------------------------- the generator

class ImageDataGenerator:
    """Random augmentation and normalisation of image batches (Keras's legacy generator)."""

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None, shear_range=0.0,
                 zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` should be `"channels_last"` (channel after row and column) or '
                             f'`"channels_first"` (channel before row and column). Received: {data_format}')
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(f"`validation_split` must be strictly between 0 and 1.  Received: {validation_split}")
        if isinstance(zoom_range, (float, int)):
            zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(isinstance(v, (float, int)) for v in zoom_range):
            zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two floats. Received: {zoom_range}")
        if brightness_range is not None and (not isinstance(brightness_range, (tuple, list))
                                             or len(brightness_range) != 2):
            raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
        if zca_whitening:
            if not featurewise_center:
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which overrides setting of "
                              "`featurewise_center`.")
            featurewise_center = True
            if featurewise_std_normalization:
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which overrides setting of"
                              "`featurewise_std_normalization`.")
            featurewise_std_normalization = False
        if featurewise_std_normalization and not featurewise_center:
            featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, which overrides "
                          "setting of `featurewise_center`.")
        if samplewise_std_normalization and not samplewise_center:
            samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, which overrides "
                          "setting of `samplewise_center`.")
        self.featurewise_center, self.samplewise_center = featurewise_center, samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range, self.width_shift_range, self.height_shift_range = rotation_range, width_shift_range, \
            height_shift_range
        self.shear_range, self.zoom_range, self.channel_shift_range = shear_range, zoom_range, channel_shift_range
        self.brightness_range, self.fill_mode, self.cval = brightness_range, fill_mode, cval
        self.horizontal_flip, self.vertical_flip, self.rescale = horizontal_flip, vertical_flip, rescale
        self.preprocessing_function, self.interpolation_order = preprocessing_function, interpolation_order
        self.dtype = dtype or floatx()
        self.data_format = data_format
        self.channel_axis, self.row_axis, self.col_axis = (3, 1, 2) if data_format == "channels_last" else (1, 2, 3)
        self._validation_split = validation_split
        self.mean = self.std = self.zca_whitening_matrix = None

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix="", save_format="png", ignore_class_split=False, subset=None):
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None, save_to_dir=None,
                            save_prefix="", save_format="png", follow_links=False, subset=None,
                            interpolation="nearest", keep_aspect_ratio=False):
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class", weight_col=None,
                            target_size=(256, 256), color_mode="rgb", classes=None, class_mode="categorical",
                            batch_size=32, shuffle=True, seed=None, save_to_dir=None, save_prefix="",
                            save_format="png", subset=None, interpolation="nearest", validate_filenames=True,
                            **kwargs):
        """Batches of the images named in ``dataframe[x_col]`` (paths under ``directory``, or absolute)."""
        if class_mode == "other":
            warnings.warn('class_mode="other" is deprecated, please use class_mode="raw".', DeprecationWarning)
            class_mode = "raw"
        unknown = set(kwargs) - {"has_ext", "sort", "drop_duplicates"}
        if unknown:
            raise TypeError(f"flow_from_dataframe: unexpected keyword arguments {sorted(unknown)}")
        return DataFrameIterator(dataframe, directory, self, x_col=x_col, y_col=y_col, weight_col=weight_col,
                                 target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, subset=subset, interpolation=interpolation,
                                 dtype=self.dtype, validate_filenames=validate_filenames)

    def standardize(self, x):
        """Normalise ``x`` in place (as Keras): preprocessing_function, rescale, sample- then feature-wise."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for flag, stat, what in ((self.featurewise_center, self.mean, "featurewise_center"),
                                 (self.featurewise_std_normalization, self.std, "featurewise_std_normalization"),
                                 (self.zca_whitening, self.zca_whitening_matrix, "zca_whitening")):
            if flag and stat is None:
                warnings.warn(f"This ImageDataGenerator specifies `{what}`, but it hasn't been fit on any "
                              "training data. Fit it first by calling `.fit(numpy_data)`.")
        if self.featurewise_center and self.mean is not None:
            x -= self.mean
        if self.featurewise_std_normalization and self.std is not None:
            x /= self.std + 1e-6
        if self.zca_whitening and self.zca_whitening_matrix is not None:
            flat = x.reshape(-1, int(np.prod(x.shape[-3:])))
            x = np.reshape(flat @ self.zca_whitening_matrix, x.shape)
        return x

    def get_random_transform(self, img_shape, seed=None):
        """The parameters of one random transform, drawn in Keras's order from NumPy's global generator."""
        row, col = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        shifts = []
        for rng, axis in ((self.height_shift_range, row), (self.width_shift_range, col)):
            if not rng:
                shifts.append(0)
                continue
            try:  # a list (or an int, as range(int)) of allowed shifts, with a random sign
                t = np.random.choice(rng)
                t *= np.random.choice([-1, 1])
            except ValueError:
                t = np.random.uniform(-rng, rng)
            if np.max(rng) < 1:
                t *= img_shape[axis]
            shifts.append(t)
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_h = (np.random.random() < 0.5) * self.horizontal_flip
        flip_v = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift = None
        if self.channel_shift_range != 0:
            channel_shift = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": shifts[0], "ty": shifts[1], "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_h, "flip_vertical": flip_v, "channel_shift_intensity": channel_shift,
                "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        p = transform_parameters
        row, col, ch = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
                                   p.get("zx", 1), p.get("zy", 1), row_axis=row, col_axis=col, channel_axis=ch,
                                   fill_mode=self.fill_mode, cval=self.cval, order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], ch)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, col)
        if p.get("flip_vertical", False):
            x = flip_axis(x, row)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x, seed=None):
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Feature-wise statistics (mean, std, ZCA matrix) of the images ``x`` [n, h, w, c]."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}")
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            ax = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    ax[i + r * x.shape[0]] = self.random_transform(x[i])
            x = ax
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            u, s, _ = np.linalg.svd(np.reshape(x, (n, -1)).T, full_matrices=False)
            self.zca_whitening_matrix = (u * (np.sqrt(n) / (s + self.zca_epsilon))).dot(u.T)
