"""tinytf.tools.report: confusion matrix and per-class numbers, pictures, report.md."""
import sys

import numpy as np
import pytest

from tinytf.tools import report

NAMES = ["cat", "dog", "bird"]


def cm():
    y_true = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 0, 1, 1, 2, 0, 2, 2]
    return report.confusion_matrix(y_true, y_pred, 3)


def test_confusion_matrix_and_accuracies():
    m = cm()
    np.testing.assert_array_equal(m, [[2, 1, 0], [0, 2, 0], [1, 0, 3]])
    np.testing.assert_allclose(report.per_class_accuracy(m), [2 / 3, 1, 3 / 4])
    assert report.accuracy(m) == pytest.approx(7 / 9)
    empty = report.confusion_matrix([0, 0], [0, 1], 3)
    assert np.isnan(report.per_class_accuracy(empty)[2])
    assert "2 bird" in report.format_per_class(empty, NAMES) and "-" in report.format_per_class(empty, NAMES).splitlines()[3]


def test_text_tables():
    text = report.format_confusion(cm(), NAMES)
    lines = text.splitlines()
    assert lines[0].startswith("rows: true class")
    assert lines[1].split() == ["0", "1", "2"]
    assert lines[2].split() == ["0", "cat", "2", "1", "0"] and lines[4].split() == ["2", "bird", "1", "0", "3"]
    per = report.format_per_class(cm(), NAMES).splitlines()
    assert per[1].split() == ["0", "cat", "66.7%", "3"] and per[2].split() == ["1", "dog", "100.0%", "2"]


HISTORY = [{"epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.2, "val_accuracy": 0.4, "train_seconds": 2.0,
            "epoch_seconds": 2.5, "images_per_second": 100.0},
           {"epoch": 2, "loss": 0.5, "accuracy": 0.8, "val_loss": 0.9, "val_accuracy": 0.6, "train_seconds": 2.0,
            "epoch_seconds": 2.4, "images_per_second": 100.0}]
META = {"config": {"model": "lenet5", "model_description": "tiny", "dataset": "fashion_mnist",
                   "dataset_label": "fashion_mnist", "n_train": 200, "n_test": 9, "limit": 200,
                   "input_shape": [28, 28, 1], "num_classes": 3, "epochs": 2, "batch_size": 32,
                   "optimizer": "adam", "learning_rate": 0.001, "seed": 0, "params": 1234},
        "epoch": 2, "history": HISTORY, "best": {"val_accuracy": 0.6, "epoch": 2}}


def test_pictures_are_drawn(tmp_path):
    pytest.importorskip("matplotlib")
    Image = pytest.importorskip("PIL.Image")
    for path in (report.plot_curves(HISTORY, str(tmp_path / "c.png")),
                 report.plot_confusion(cm(), NAMES, str(tmp_path / "m.png"))):
        a = np.asarray(Image.open(path).convert("L"), dtype=float)
        assert min(a.shape) >= 300 and a.std() > 5


def test_report_markdown(tmp_path):
    path = report.write_report(str(tmp_path), META, cm(), NAMES, ["curves.png", "confusion.png"], "MODEL TABLE")
    text = open(path, encoding="utf-8").read()
    for phrase in ("# tinytf run: lenet5 on fashion_mnist", "| batch size | 32 |", "adam, learning rate 0.001",
                   "**77.78%**", "after epoch 2", "| 2 | 0.5000 | 0.8000 | 0.9000 | 0.6000 |", "100 images/s",
                   "| 2 | bird | 75.0% | 4 |", "![curves](curves.png)", "MODEL TABLE", "test split"):
        assert phrase in text, phrase
    report.write_report(str(tmp_path), META, cm(), NAMES, "no matplotlib: pip install 'tinytf[plot]'")
    assert "_Pictures not drawn: no matplotlib: pip install 'tinytf[plot]'_" in open(path, encoding="utf-8").read()


def test_missing_matplotlib_is_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    assert not report.have_matplotlib()
    with pytest.raises(report.MissingDependency, match=r"pip install 'tinytf\[plot\]'"):
        report.plot_curves(HISTORY, str(tmp_path / "c.png"))
    assert not (tmp_path / "c.png").exists()
