"""ImageDataGenerator.flow_from_dataframe against Keras 3 (tests/fixtures/record_keras_dataframe.py): the
filenames kept, class indices, labels and a batch for every class_mode, subsets, shuffling; the table is a
dict of lists (and a pandas DataFrame where pandas is installed)."""
import importlib.util
import json
import os
import sys
import warnings

import numpy as np
import pytest

from tinytf.keras.preprocessing.image import ImageDataGenerator as IDG

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "fixtures"))
from record_keras_dataframe import make_images, table  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras_dataframe.json")) as f:
    FIX = json.load(f)
CASES = {"categorical": ("categorical", {}), "sparse": ("sparse", {}), "raw": ("raw", {"y_col": "score"}),
         "raw2": ("raw", {"y_col": ["score", "w"]}), "multi_output": ("multi_output", {"y_col": ["score", "w"]}),
         "input": ("input", {}), "none": (None, {}), "weighted": ("categorical", {"weight_col": "w"}),
         "multilabel": ("categorical", {"y_col": "tags"}), "classes": ("sparse", {"classes": ["dog", "cat"]}),
         "binary": ("binary", {"classes": ["dog", "cat"]})}


def tables():
    yield table()
    if importlib.util.find_spec("pandas"):
        import pandas as pd
        yield pd.DataFrame(table())


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_class_mode_matches_keras(tmp_path, name):
    make_images(str(tmp_path))
    mode, kw = CASES[name]
    want = FIX[name]
    for df in tables():
        with warnings.catch_warnings(record=True):
            it = IDG(rescale=1 / 255.0).flow_from_dataframe(df, directory=str(tmp_path), target_size=(4, 3),
                                                            batch_size=3, shuffle=False, class_mode=mode, **kw)
        assert it.filenames == want["filenames"] and len(it) == want["n"]
        if "class_indices" in want:
            assert it.class_indices == want["class_indices"]
            assert [np.asarray(c).tolist() for c in it.classes] == want["classes"]
        got = it[1]
        got = got if isinstance(got, tuple) else (got,)
        assert len(got) == len(want["batch"])
        for g, w in zip(got, want["batch"]):
            if isinstance(g, list):
                for gi, wi in zip(g, w):
                    np.testing.assert_allclose(gi, wi, rtol=1e-6)
            else:
                np.testing.assert_allclose(g, np.asarray(w), rtol=1e-6)


def test_subsets_unvalidated_names_and_seeded_shuffle_match_keras(tmp_path):
    make_images(str(tmp_path))
    for subset in ("training", "validation"):
        with pytest.warns(UserWarning, match=r'Found 2 invalid image filename\(s\) in x_col="filename"'):
            it = IDG(validation_split=0.4).flow_from_dataframe(table(), directory=str(tmp_path), subset=subset,
                                                              target_size=(4, 3), shuffle=False)
        assert it.filenames == FIX[subset]["filenames"] and list(it.classes) == FIX[subset]["classes"]
    it = IDG().flow_from_dataframe(table(), directory=str(tmp_path), validate_filenames=False, class_mode="raw",
                                   y_col="score")
    assert it.filenames == FIX["unvalidated"]["filenames"]
    with pytest.warns(UserWarning, match="invalid image filename"):
        it = IDG(rescale=1 / 255.0).flow_from_dataframe(table(), directory=str(tmp_path), target_size=(4, 3),
                                                        batch_size=4, shuffle=True, seed=3)
    by = it[0][1]
    assert it.index_array.tolist() == FIX["shuffled"]["index_array"]
    np.testing.assert_array_equal(by, FIX["shuffled"]["batch_y"])


def test_absolute_paths_without_a_directory(tmp_path):
    make_images(str(tmp_path))
    df = {"filename": [str(tmp_path / "a.png"), str(tmp_path / "b.png")], "class": ["x", "y"]}
    x, y = IDG().flow_from_dataframe(df, target_size=(4, 3), shuffle=False)[0]
    assert x.shape == (2, 4, 3, 3) and y.tolist() == [[1, 0], [0, 1]]


def test_argument_errors_name_the_argument(tmp_path):
    make_images(str(tmp_path))
    gen, d = IDG(), str(tmp_path)
    with pytest.raises(ValueError, match="class_mode"):
        gen.flow_from_dataframe(table(), d, class_mode="onehot")
    with pytest.raises(TypeError, match="y_col must be a list"):
        gen.flow_from_dataframe(table(), d, class_mode="multi_output", y_col="score")
    with pytest.raises(ValueError, match="binary.*Found 3 classes"):
        gen.flow_from_dataframe(table(), d, class_mode="binary")
    with pytest.raises(TypeError, match="y_col=\"score\" column values must be strings"):
        gen.flow_from_dataframe(table(), d, class_mode="sparse", y_col="score")
    with pytest.raises(TypeError, match="x_col=score must be strings"):
        gen.flow_from_dataframe(table(), d, x_col="score")
    with pytest.raises(TypeError, match="weight_col=class must be numeric"):
        gen.flow_from_dataframe(table(), d, weight_col="class")
    with pytest.raises(KeyError, match="no column 'path'"):
        gen.flow_from_dataframe(table(), d, x_col="path")
    with pytest.raises(ValueError, match="subset"):
        IDG(validation_split=0.5).flow_from_dataframe(table(), d, subset="test")
    with pytest.raises(ValueError, match="color mode"):
        gen.flow_from_dataframe(table(), d, color_mode="cmyk")
    with pytest.raises(TypeError, match="unexpected keyword"):
        gen.flow_from_dataframe(table(), d, colour="rgb")
