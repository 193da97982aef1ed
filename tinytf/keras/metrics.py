"""Metrics (``tf.keras.metrics``), as in Keras 3: stateful accumulators with float32 ``total`` /
``count`` variables, ``update_state``, ``result`` (a scalar Tensor) and ``reset_state``.

Inputs may be tinytf Tensors, NumPy arrays or Python numbers/lists. Metrics are not
differentiated, so they compute on NumPy directly: state variables are read with ``np.asarray``
(no copy) and written only with ``assign`` / ``assign_add``.
"""
import inspect

import numpy as np

from ..tensor import Tensor
from . import losses as _losses

_F32 = np.float32
from .metric import Metric, array_of as _arr
from .naming import snake_case as _to_snake_case


def _float_arr(x):
    v = _arr(x)
    return v if v.dtype.kind == "f" else v.astype(_F32)


def _squeeze_or_expand(x1, x2, expand_rank_1=True):
    """Keras's ``squeeze_or_expand_to_same_rank`` on NumPy arrays."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _out(v):
    return Tensor(np.asarray(v, dtype=_F32))


# ---- metric functions (per-sample values) --------------------------------------------------

def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` exactly, else 0.0."""
    y_pred = _float_arr(y_pred)
    y_true = _arr(y_true, y_pred.dtype)
    y_true, y_pred = _squeeze_or_expand(y_true, y_pred)
    return _out(y_true == y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``(y_pred > threshold) == y_true``."""
    y_pred = _float_arr(y_pred)
    y_true = _arr(y_true)
    y_true, y_pred = _squeeze_or_expand(y_true, y_pred)
    pred = (y_pred > np.asarray(threshold, dtype=y_pred.dtype)).astype(y_true.dtype)
    return _out(y_true == pred)


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` along the last axis."""
    t = np.argmax(_arr(y_true), axis=-1)
    y_pred = _float_arr(y_pred)
    t = t.astype(y_pred.dtype)
    org_shape = t.shape
    reshape = False
    if t.ndim == y_pred.ndim:
        t = t[..., 0] if t.shape[-1] == 1 else np.squeeze(t, -1)
        reshape = True
    p = np.argmax(y_pred, axis=-1).astype(t.dtype)
    matches = (t == p).astype(_F32)
    if reshape:
        matches = matches.reshape(org_shape)
    return _out(matches)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label ``y_true`` equals ``argmax(y_pred)`` along the last axis."""
    y_pred = _float_arr(y_pred)
    t = _arr(y_true, y_pred.dtype)
    org_shape = t.shape
    reshape = False
    if t.ndim == y_pred.ndim and t.shape[-1] == 1:
        t = t[..., 0]
        reshape = True
    p = np.argmax(y_pred, axis=-1).astype(t.dtype)
    matches = (t == p).astype(_F32)
    if reshape:
        matches = matches.reshape(org_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return _out(matches)


def _in_top_k(targets, predictions, k):
    """``tf.math.in_top_k``: the target's score is among the k largest (ties at the boundary
    count as in); a non-finite score or an out-of-range target is never in."""
    n = predictions.shape[-1]
    targets = targets.astype(np.int64)
    ok = (targets >= 0) & (targets < n)
    safe = np.where(ok, targets, 0)
    score = np.take_along_axis(predictions, safe[:, None], axis=-1)
    higher = (predictions > score).sum(axis=-1)
    return ok & np.isfinite(score[:, 0]) & (higher < k)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where ``argmax(y_true)`` is among the ``k`` highest predictions."""
    y_pred = _float_arr(y_pred)
    t = np.argmax(_arr(y_true, y_pred.dtype), axis=-1)
    org_shape = t.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(t.reshape(-1), y_pred, k).astype(_F32)
    return _out(matches.reshape(org_shape) if t.ndim > 1 else matches)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest predictions (``from_sorted_ids``:
    ``y_pred`` already holds class ids sorted by score)."""
    y_pred = _float_arr(y_pred) if not from_sorted_ids else _arr(y_pred)
    t = _arr(y_true, y_pred.dtype if from_sorted_ids else np.int32)
    org_shape = t.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    flat = t.reshape(-1)
    if from_sorted_ids:
        matches = np.any(flat[:, None] == y_pred[:, :k], axis=1)
    else:
        matches = _in_top_k(flat, y_pred, k)
    matches = matches.astype(_F32)
    return _out(matches.reshape(org_shape) if t.ndim > 1 else matches)


# loss functions, also usable as metric functions
mean_squared_error = mse = MSE = _losses.mean_squared_error
mean_absolute_error = mae = MAE = _losses.mean_absolute_error
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy


# ---- base classes --------------------------------------------------------------------------

def _reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Keras's reduction of ``values`` (and ``sample_weight``) to one value per sample."""
    values = _arr(values, dtype)
    if sample_weight is not None:
        sample_weight = _arr(sample_weight, dtype)
        values, sample_weight = _squeeze_or_expand(values, sample_weight)
        w_nd, v_nd = sample_weight.ndim, values.ndim
        if v_nd > w_nd:
            values = reduce_fn(values, axis=tuple(range(w_nd, v_nd)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if w_nd > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_nd)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def _np_mean(x, axis):
    return np.mean(x, axis=axis, dtype=x.dtype)


def _np_sum(x, axis):
    return np.sum(x, axis=axis, dtype=x.dtype)


class Sum(Metric):
    """The (weighted) sum of all values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = _reduce_to_samplewise_values(values, sample_weight, _np_sum, self.dtype)
        self.total.assign_add(np.sum(values, dtype=np.asarray(self.total).dtype))

    def result(self):
        return Tensor(np.array(self.total))


class Mean(Metric):
    """The (weighted) mean of all values seen: ``total / count`` (0 when nothing was seen).

    A value of shape ``(batch, ...)`` counts as ``batch`` samples (each averaged over its other
    axes); with ``sample_weight`` the count is the sum of the weights.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = _reduce_to_samplewise_values(values, sample_weight, _np_mean, self.dtype)
        dt = np.asarray(self.total).dtype
        self.total.assign_add(np.sum(values, dtype=dt))
        if sample_weight is not None:
            num = np.sum(sample_weight, dtype=dt)
        elif values.ndim >= 1:
            num = values.shape[0]
        else:
            num = 1
        self.count.assign_add(dt.type(num))

    def result(self):
        total, count = np.asarray(self.total), np.asarray(self.count)
        return Tensor(np.asarray(total / count if count != 0 else np.zeros((), total.dtype), total.dtype))


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def _values_and_mask(self, y_true, y_pred):
        return self._fn(y_true, y_pred, **self._fn_kwargs), None

    def update_state(self, y_true, y_pred, sample_weight=None):
        values, mask = self._values_and_mask(y_true, y_pred)
        if mask is not None and sample_weight is not None:
            # As Keras: the values' mask (ignore_class) only applies together with a sample_weight;
            # without one, masked samples count as zeros in the mean.
            sample_weight = _losses.apply_mask(sample_weight, mask, self.dtype, "sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype,
                  "fn": getattr(self._fn, "__name__", repr(self._fn))}
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.get("fn")
        if isinstance(fn, str):
            if fn not in _FUNCTIONS:
                raise ValueError(f"MeanMetricWrapper: unknown metric function fn={fn!r}; tinytf's are "
                                 f"{sorted(_FUNCTIONS)} (pass your own with custom_objects)")
            config["fn"] = _FUNCTIONS[fn]
        elif "fn" in config and not callable(fn):
            raise ValueError(f"MeanMetricWrapper: fn must be a metric function name, got {fn!r}")
        return cls(**config)


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the binary ``y_true``."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches the one-hot ``y_true``."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches the integer label ``y_true``."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


class MeanSquaredError(MeanMetricWrapper):
    """The mean of ``mean(square(y_true - y_pred), axis=-1)``."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=_losses.mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of ``mean(abs(y_true - y_pred), axis=-1)``."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=_losses.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """``sqrt(mean(square(y_pred - y_true)))`` over all the values seen (Keras 3's)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _losses._tensor(y_true, self.dtype)
        y_pred = _losses._tensor(y_pred, self.dtype)
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
        error = np.asarray(y_pred) - np.asarray(y_true)
        return super().update_state(error * error, sample_weight=sample_weight)

    def result(self):
        return Tensor(np.sqrt(np.asarray(super().result())))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross entropy."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(fn=_losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical cross entropy."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0,
                 axis=-1):
        super().__init__(fn=_losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean sparse categorical cross entropy (``ignore_class`` samples are left out)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(fn=_losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def _values_and_mask(self, y_true, y_pred):
        values, mask = _losses.sparse_ce(y_true, y_pred, _losses.keras_logits(y_pred), self.from_logits,
                                          self.ignore_class, self.axis)
        return values, mask

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


from .iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU  # noqa: E402 (they subclass Metric)

_CLASSES = (Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU,
            RootMeanSquaredError)
_ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
# the per-sample functions a MeanMetricWrapper config may name (never looked up in globals())
_FUNCTIONS = {f.__name__: f for f in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                                      top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)}
_ALL_OBJECTS.update({_to_snake_case(c.__name__): c for c in _CLASSES})
_ALL_OBJECTS.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
                     "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError})


def serialize(metric):
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": metric.__class__.__name__,
                "config": metric.get_config(), "registered_name": None}
    return getattr(metric, "__name__", metric)


def deserialize(config, custom_objects=None):
    if isinstance(config, dict):
        cls = (custom_objects or {}).get(config.get("class_name")) or _ALL_OBJECTS.get(config.get("class_name"))
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {config!r}")
        return cls.from_config(dict(config.get("config", {})))
    obj = (custom_objects or {}).get(config) or _ALL_OBJECTS.get(config)
    if obj is None:
        raise ValueError(f"Could not interpret metric identifier: {config!r}")
    return obj


def get(identifier):
    """A metric from a name (class names and their snake_case: 'accuracy', 'binary_accuracy',
    'sparse_categorical_accuracy', 'mse', ... give a new instance), a config dict, or a metric
    instance / function (returned as is).

    Note: like Keras's ``metrics.get``, 'accuracy' gives ``Accuracy`` (exact match); ``compile``
    resolves 'accuracy'/'acc' from the shapes instead: see ``resolve_accuracy``.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _ALL_OBJECTS.get(identifier)
        if obj is None:
            known = sorted(k for k in _ALL_OBJECTS if k == _to_snake_case(k) or k.isupper())
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Known metrics: "
                             f"{', '.join(known)}")
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _dims(shape):
    if isinstance(shape, Tensor):
        shape = shape.shape
    return tuple(None if d is None else int(d) for d in shape)


def is_binary_or_sparse_categorical(y_true_shape, y_pred_shape):
    """Keras's ``compile_utils`` test on the target/output shapes: ``(is_binary,
    is_sparse_categorical)``."""
    t, p = _dims(y_true_shape), _dims(y_pred_shape)
    t_last = t[-1] if t else None
    p_last = p[-1] if p else None
    is_binary = p_last == 1
    is_sparse = len(t) < len(p) or (t_last == 1 and p_last is not None and p_last > 1)
    return is_binary, is_sparse


def resolve_accuracy(loss, y_true_shape, y_pred_shape, name="accuracy"):
    """The metric ``compile(metrics=['accuracy'])`` uses, as Keras 3 picks it: from the shapes only
    (``loss`` is accepted for the caller's convenience but, as in Keras 3, not consulted):

    * ``BinaryAccuracy`` when ``y_pred``'s last dim is 1;
    * else ``SparseCategoricalAccuracy`` when ``y_true`` has fewer dims than ``y_pred``, or its
      last dim is 1 while ``y_pred``'s is > 1;
    * else ``CategoricalAccuracy``.

    The metric is named ``name`` (Keras uses the string given: 'accuracy' or 'acc').
    """
    is_binary, is_sparse = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
    if is_binary:
        return BinaryAccuracy(name=name)
    if is_sparse:
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


__all__ = ["IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU", "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "BinaryCrossentropy", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "mse", "MSE", "mae", "MAE", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "get", "serialize", "deserialize",
           "is_binary_or_sparse_categorical", "resolve_accuracy"]
