"""``keras.utils.audio_dataset_from_directory``: a ``tf.data.Dataset`` of WAV clips from
``directory/<class>/<file>.wav``, as Keras 3's."""
import os

import numpy as np

from .images import index_directory

ALLOWED_FORMATS = (".wav",)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True):
    """``(audio, labels)`` batches: float32 ``(batch, samples, channels)`` clips from ``tf.audio.decode_wav``,
    cut or zero-padded to ``output_sequence_length`` (else padded to the longest clip of each batch),
    and labels as ``image_dataset_from_directory``'s (``label_mode`` 'int', 'categorical', 'binary' or
    None); the file list is shuffled with ``seed`` before a ``validation_split`` (``subset``
    'training', 'validation' or 'both'). The dataset has ``.class_names``.
    ``sampling_rate`` needs tensorflow_io's resampling in Keras and is refused here as there; ragged
    batches are not supported.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("The `labels` argument should be a list/tuple of integer labels, of the same size as "
                             "the number of audio files in the target directory. If you wish to infer the labels "
                             "from the subdirectory names in the target directory, pass `labels=\"inferred\"`. If "
                             f"you wish to get a dataset that only contains audio samples (no labels), pass "
                             f"`labels=None`. Received: labels={labels!r}")
        if class_names:
            raise ValueError(f"You can only pass `class_names` if `labels='inferred'`. Received: labels={labels!r}, "
                             f"and class_names={class_names!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'Argument `label_mode` must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode!r}")
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if ragged:
        raise NotImplementedError("audio_dataset_from_directory: ragged=True is not supported by tinytf (no "
                                  "ragged tensors); pass output_sequence_length or leave batches padded")
    if output_sequence_length is not None and (not isinstance(output_sequence_length, int) or
                                               isinstance(output_sequence_length, bool) or
                                               output_sequence_length < 1):
        raise ValueError(f"`output_sequence_length` should be a positive int or None. Received: "
                         f"output_sequence_length={output_sequence_length!r}")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int) or isinstance(sampling_rate, bool):
            raise ValueError(f"`sampling_rate` should have an integer value. Received: sampling_rate={sampling_rate!r}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}")
        raise ImportError("To use the argument `sampling_rate`, you should install tensorflow_io. You can install "
                          "it via `pip install tensorflow-io`.")
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
    if labels is None or label_mode is None:
        labels = label_mode = None
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"audio_dataset_from_directory: no such directory {directory!r}")
    paths, labs, names = index_directory(directory, labels, class_names, ALLOWED_FORMATS)
    if label_mode == "binary" and len(names or []) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={names}")
    if not paths:
        raise ValueError(f"No audio files found in directory {directory}. Allowed format(s): {ALLOWED_FORMATS}")
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(names)} classes." if names else "."))
    if shuffle:
        seed = int(np.random.randint(1_000_000)) if seed is None else seed
        order = np.random.RandomState(seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        labs = labs[order] if labs is not None else None

    def make(sub_paths, sub_labels):
        return _dataset(sub_paths, sub_labels, names, label_mode, batch_size, output_sequence_length, shuffle, seed)

    if validation_split is None:
        return make(paths, labs)
    n_val = int(validation_split * len(paths))
    train = make(paths[:len(paths) - n_val], labs[:len(paths) - n_val] if labs is not None else None)
    val = make(paths[len(paths) - n_val:], labs[len(paths) - n_val:] if labs is not None else None)
    if verbose:
        for which, n in (("training", len(paths) - n_val), ("validation", n_val)):
            if subset in (which, "both"):
                print(f"Using {n} files for {which}.")
    return {"training": train, "validation": val, "both": [train, val]}[subset]


def _dataset(paths, labels, names, label_mode, batch_size, length, shuffle, seed):
    from ... import data as tfdata
    from ...audio import decode_wav
    from ...tensor import constant
    num_classes = len(names) if names else (int(labels.max()) + 1 if labels is not None else 0)

    def clip(i):
        with open(paths[i], "rb") as f:
            return decode_wav(f.read(), desired_samples=-1 if length is None else length)[0].numpy()

    def load(idx):
        idx = np.asarray(idx)
        clips = [clip(i) for i in np.atleast_1d(idx)]
        longest = max(len(c) for c in clips)
        audio = np.stack([np.pad(c, ((0, longest - len(c)), (0, 0))) for c in clips])
        audio = audio if idx.ndim else audio[0]
        if label_mode is None:
            return constant(audio)
        lab = labels[idx]
        if label_mode == "categorical":
            lab = np.eye(num_classes, dtype=np.float32)[lab]
        elif label_mode == "binary":
            lab = lab.astype(np.float32)[..., None]
        return constant(audio), constant(lab)

    ds = tfdata.Dataset.range(len(paths))
    if shuffle:
        ds = ds.shuffle(buffer_size=batch_size * 8 if batch_size else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    ds = ds.map(load)
    ds.class_names = names
    return ds
