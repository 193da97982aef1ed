"""keras.metrics IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU against Keras 3 (TF 2.21):
results after each update and the confusion matrix (tests/fixtures/keras_iou.json, recorded by
tests/fixtures/record_keras_iou.py). float32 results: within 1 ulp."""
import json
import os
import warnings

import numpy as np
import pytest

from tinytf import keras

with open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_iou.json")) as f:
    CASES = json.load(f)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['class']}-{i}" for i, c in enumerate(CASES)])
def test_iou_metrics_match_keras(case):
    m = getattr(keras.metrics, case["class"])(**case["kwargs"])
    for (yt, yp, sw), want in zip(case["updates"], case["results"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.update_state(np.array(yt), np.array(yp), None if sw is None else np.array(sw, np.float32))
        np.testing.assert_array_max_ulp(np.float32(m.result().numpy()), np.float32(want), maxulp=1)
    np.testing.assert_array_equal(np.asarray(m.variables[0]), np.array(case["cm"], case["cm_dtype"]))
    m.reset_state()
    assert not np.asarray(m.variables[0]).any()


def test_iou_errors_and_names():
    with pytest.raises(ValueError, match="Target class id 3 is out of range"):
        keras.metrics.IoU(num_classes=3, target_class_ids=[3])
    with pytest.warns(UserWarning, match="passing weight as `float`"):
        keras.metrics.MeanIoU(2).update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.0]))
    assert keras.metrics.MeanIoU(2, name="miou").name == "miou"
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    m.compile("sgd", "sparse_categorical_crossentropy",
              metrics=[keras.metrics.MeanIoU(num_classes=3, sparse_y_pred=False, name="miou")])
    logs = m.evaluate(np.ones((6, 4), "float32"), np.array([0, 1, 2, 0, 1, 2]), return_dict=True, verbose=0)
    assert set(logs) == {"loss", "miou"}
