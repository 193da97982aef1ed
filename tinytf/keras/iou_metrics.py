"""Keras's intersection-over-union metrics (``keras/src/metrics/iou_metrics.py``): IoU, MeanIoU,
BinaryIoU, OneHotIoU, OneHotMeanIoU. A confusion matrix of ``dtype`` (int64 by default, so float
sample weights are truncated, as in Keras) accumulates over updates; the result is the mean IoU
over the target classes that occurred, in float32."""
import warnings

import numpy as np

from .metric import Metric

_EPSILON = np.float32(1e-7)


class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool) or num_classes < 1:
            raise ValueError(f"{type(self).__name__}: num_classes must be a positive int, got {num_classes!r}")
        super().__init__(name=name, dtype="int64" if dtype in (None, "int") else dtype)
        self.num_classes, self.ignore_class, self.axis = int(num_classes), ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.total_cm = self.add_variable(shape=(self.num_classes, self.num_classes), initializer="zeros",
                                          dtype=self.dtype, name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = np.dtype(self.dtype)
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        y_true, y_pred = y_true.astype(dt).reshape(-1), y_pred.astype(dt).reshape(-1)
        if sample_weight is None:
            sample_weight = np.ones((), dt)
        else:
            sample_weight = np.asarray(sample_weight)
            if sample_weight.dtype.kind == "f" and dt.kind == "i":
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an "
                              "incorrect weight due to type casting Consider using integer weights.", stacklevel=2)
            sample_weight = sample_weight.astype(dt).reshape(-1) if sample_weight.ndim > 1 \
                else sample_weight.astype(dt)
        sample_weight = np.broadcast_to(sample_weight, y_true.shape)
        n = self.num_classes
        ok = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            ok &= y_true != self.ignore_class
        cm = np.zeros((n, n), dt)
        np.add.at(cm, (np.where(ok, y_true, 0).astype(np.int64), np.where(ok, y_pred, 0).astype(np.int64)),
                  np.where(ok, sample_weight, 0).astype(dt))
        self.total_cm.assign(np.asarray(self.total_cm) + cm)

    def reset_state(self):
        self.total_cm.assign(np.zeros((self.num_classes, self.num_classes), np.dtype(self.dtype)))


class IoU(_IoUBase):
    """Intersection over union ``tp / (tp + fp + fn)`` per class, averaged over
    ``target_class_ids`` (classes that never occurred count as absent, not as 0)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        from ..tensor import Tensor
        cm, dt = np.asarray(self.total_cm), np.dtype(self.dtype)
        rows, cols = cm.sum(axis=0).astype(dt), cm.sum(axis=1).astype(dt)
        tp = np.diag(cm).astype(dt)
        denominator = (rows + cols - tp)[self.target_class_ids].astype(np.float32)
        tp = tp[self.target_class_ids].astype(np.float32)
        valid = (denominator > 1e-9).astype(np.float32)
        iou = np.where(valid != 0, tp / (denominator + _EPSILON), np.float32(0))
        return Tensor(np.float32(np.sum(iou, dtype=np.float32) / (np.sum(valid, dtype=np.float32) + _EPSILON)))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of two classes, predictions thresholded (``y_pred >= threshold`` is class 1)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = (np.asarray(y_pred, np.float32) >= self.threshold).astype(np.dtype(self.dtype))
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot ``y_true`` and per-class scores ``y_pred`` (both argmax-ed)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot ``y_true`` and per-class scores ``y_pred`` (both argmax-ed)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
