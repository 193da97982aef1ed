"""keras.applications' preprocess_input against Keras 3 numbers (tests/fixtures/record_tf_preprocessing.py)."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras_preprocessing.npz"))
apps = tf.keras.applications


@pytest.mark.parametrize("mod, mode", [("vgg16", "caffe"), ("mobilenet_v2", "tf"), ("densenet", "torch")])
def test_preprocess_input_matches_keras_for_arrays_and_tensors(mod, mode):
    f = getattr(apps, mod).preprocess_input
    got = f(FIX["img"].copy())
    np.testing.assert_array_max_ulp(np.asarray(got), FIX[f"pre_{mode}_np"], maxulp=1)
    got_t = f(tf.constant(FIX["img"]))
    assert isinstance(got_t, tf.Tensor)
    np.testing.assert_array_max_ulp(got_t.numpy(), FIX[f"pre_{mode}_tensor"], maxulp=1)


def test_integer_arrays_become_float32_and_float_arrays_change_in_place_as_keras():
    u8 = FIX["img"].astype(np.uint8)
    got = apps.xception.preprocess_input(u8)
    assert got.dtype == np.float32 and u8.dtype == np.uint8
    x = FIX["img"].copy()
    apps.inception_v3.preprocess_input(x)
    np.testing.assert_array_equal(x, FIX["pre_tf_np"])
    assert apps.efficientnet.preprocess_input(u8) is u8


def test_bad_mode_and_data_format_are_value_errors():
    with pytest.raises(ValueError, match="mode"):
        apps.imagenet_utils.preprocess_input(FIX["img"], mode="keras")
    with pytest.raises(ValueError, match="data_format"):
        apps.imagenet_utils.preprocess_input(FIX["img"], data_format="NHWC")


def test_decode_predictions_reads_the_class_index_and_sorts(tmp_path, monkeypatch):
    import json
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    calls = []

    def fake_get_file(fname, origin, **kwargs):
        calls.append((fname, origin, kwargs))
        return str(path)
    monkeypatch.setattr(tf.keras.utils, "get_file", fake_get_file)
    monkeypatch.setattr(apps.imagenet_utils, "_CLASS_INDEX", {})
    preds = np.zeros((2, 1000), np.float32)
    preds[0, [5, 7, 9]] = [0.2, 0.5, 0.3]
    preds[1, 999] = 1.0
    out = apps.resnet50.decode_predictions(tf.constant(preds), top=3)
    assert [r[:2] for r in out[0]] == [("n00000007", "class_7"), ("n00000009", "class_9"), ("n00000005", "class_5")]
    assert out[0][0][2] == np.float32(0.5) and out[1][0][:2] == ("n00000999", "class_999") and len(out[1]) == 3
    assert calls == [("imagenet_class_index.json", apps.imagenet_utils.CLASS_INDEX_PATH,
                      {"cache_subdir": "models", "file_hash": "c2c37ea517e94d9795004a39431a14cb"})]
    apps.xception.decode_predictions(preds)  # read once, then kept
    assert len(calls) == 1
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        apps.mobilenet_v2.decode_predictions(np.zeros((2, 10)))
