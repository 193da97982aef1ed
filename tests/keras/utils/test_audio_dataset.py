"""keras.utils.audio_dataset_from_directory against Keras 3 (tests/fixtures/record_keras_audio_dataset.py):
class names, padded and cut clips, labels for each label_mode and the validation split; seeded shuffling;
argument errors."""
import json
import os
import sys

import numpy as np
import pytest

import tinytf as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "fixtures"))
from record_keras_audio_dataset import make_clips  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras_audio_dataset.json")) as f:
    FIX = json.load(f)
CASES = {"int": {}, "categorical": {"label_mode": "categorical"}, "none": {"label_mode": None},
         "cut": {"output_sequence_length": 32}, "val": {"validation_split": 0.34, "subset": "validation"},
         "train": {"validation_split": 0.34, "subset": "training"}}


@pytest.fixture
def clips(tmp_path):
    make_clips(str(tmp_path), tf.audio.encode_wav)
    return str(tmp_path)


@pytest.mark.parametrize("name", sorted(CASES))
def test_batches_match_keras(clips, name):
    ds = tf.keras.utils.audio_dataset_from_directory(clips, batch_size=4, shuffle=False, verbose=False,
                                                     **CASES[name])
    want = FIX[name]
    assert ds.class_names == want["class_names"]
    got = list(ds)
    assert len(got) == len(want["batches"])
    for g, w in zip(got, want["batches"]):
        g = g if isinstance(g, tuple) else (g,)
        assert len(g) == len(w) - 1 and g[-1].dtype == w[-1]
        for t, v in zip(g, w[:-1]):
            np.testing.assert_array_equal(t.numpy(), np.asarray(v, t.numpy().dtype))


def test_seeded_shuffle_repeats_and_subsets_do_not_overlap(clips):
    def run():
        ds = tf.keras.utils.audio_dataset_from_directory(clips, batch_size=2, seed=7, verbose=False,
                                                         output_sequence_length=50)
        return [x.numpy() for x, _ in ds]
    a, b = run(), run()
    assert len(a) == 3 and all(np.array_equal(x, y) for x, y in zip(a, b))
    train, val = tf.keras.utils.audio_dataset_from_directory(clips, batch_size=None, seed=7, verbose=False,
                                                             validation_split=0.5, subset="both",
                                                             output_sequence_length=50)
    tr = {x.numpy().tobytes() for x, _ in train}
    va = {x.numpy().tobytes() for x, _ in val}
    assert len(tr) == 3 and len(va) == 3 and not tr & va


def test_argument_errors(clips):
    f = tf.keras.utils.audio_dataset_from_directory
    with pytest.raises(ValueError, match="label_mode"):
        f(clips, label_mode="sparse")
    with pytest.raises(ValueError, match="labels"):
        f(clips, labels="folders")
    with pytest.raises(ValueError, match="class_names"):
        f(clips, labels=[0] * 6, class_names=["a"])
    with pytest.raises(ValueError, match="both `ragged` and `output_sequence_length`"):
        f(clips, ragged=True, output_sequence_length=4)
    with pytest.raises(ImportError, match="tensorflow_io"):
        f(clips, sampling_rate=8000)
    with pytest.raises(ValueError, match="sampling_rate"):
        f(clips, sampling_rate=0)
    with pytest.raises(ValueError, match="seed"):
        f(clips, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        f(clips, label_mode="binary")
    with pytest.raises(ValueError, match="output_sequence_length"):
        f(clips, output_sequence_length=0)
    os.makedirs(os.path.join(clips, "empty", "a"))
    with pytest.raises(ValueError, match="No audio files"):
        f(os.path.join(clips, "empty"))
