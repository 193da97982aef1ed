"""``keras.utils.audio_dataset_from_directory``: a ``tf.data.Dataset`` of WAV clips from
``directory/<class>/<file>.wav``, as Keras 3's."""
import os

import numpy as np

from .images import check_split_args, encoded_labels, index_directory, shuffled, split_datasets

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
    check_split_args(batch_size, validation_split, subset, shuffle, seed)
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
    paths, labs, seed = shuffled(paths, labs, shuffle, seed)

    def make(sub_paths, sub_labels):
        return _dataset(sub_paths, sub_labels, names, label_mode, batch_size, output_sequence_length, shuffle, seed)

    return split_datasets(paths, labs, validation_split, subset, verbose, make)


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
        return constant(audio), constant(encoded_labels(labels[idx], label_mode, num_classes))

    ds = tfdata.Dataset.range(len(paths))
    if shuffle:
        ds = ds.shuffle(buffer_size=batch_size * 8 if batch_size else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    ds = ds.map(load)
    ds.class_names = names
    return ds
