"""Losses (``tf.keras.losses``), as in Keras 3, built from tinytf ops so they differentiate
through ``GradientTape`` (with respect to ``y_pred``).

Loss classes return a scalar (reduction ``'sum_over_batch_size'``: the sum of the (weighted)
per-sample losses divided by their number; ``'sum'``; ``'none'``/``None``: per-sample). The
functions (``categorical_crossentropy``...) return per-sample losses.

Probability inputs follow Keras's TensorFlow backend: ``categorical_crossentropy`` first rescales
``y_pred`` to sum to 1 along ``axis``, then clips to ``[1e-7, 1 - 1e-7]``;
``sparse_categorical_crossentropy`` clips, takes the log and applies the sparse softmax cross
entropy (so the clipped probabilities are renormalised); ``binary_crossentropy`` clips. A
``y_pred`` carrying ``_keras_logits`` (set by Keras's softmax/sigmoid activations) is scored from
those logits instead.

Tensors are read through ``np.asarray`` (no copy) and never modified; every result is a new Tensor.
"""
import inspect
import re
import warnings

import numpy as np

from ..ops import array_ops as A
from ..ops import math_ops as M
from ..ops import nn_ops as N
from ..tensor import Tensor, to_array

EPSILON = 1e-7  # keras.config.epsilon()

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


class Reduction:
    """TensorFlow 2's ``tf.keras.losses.Reduction`` names (Keras 3 takes the plain strings)."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        standardize_reduction(key)


def standardize_reduction(reduction):
    if reduction == "auto":  # TensorFlow 2's default, which meant sum_over_batch_size
        return "sum_over_batch_size"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {set(_REDUCTIONS)}. "
                         f"Received: reduction={reduction!r}")
    return reduction


_name_uids = {}


def _auto_name(class_name):
    base = re.sub("([a-z])([A-Z])", r"\1_\2", re.sub("(.)([A-Z][a-z]+)", r"\1_\2", class_name)).lower()
    n = _name_uids.get(base, 0)
    _name_uids[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


# ---- conversions --------------------------------------------------------------------------

def _dtype(t):
    """``t``'s NumPy dtype (``np.asarray`` does not copy; ``t.dtype`` would build a tinytf DType)."""
    return np.asarray(t).dtype


def _tensor(x, dtype=None):
    """A Tensor (the same object when it already is one of ``dtype``); casts are differentiable."""
    if isinstance(x, Tensor):
        dt = _dtype(x)
        if dtype is None or dt == np.dtype(dtype):
            return x
        if dt.kind == "f":
            return M.cast(x, dtype)
        return Tensor(np.asarray(x).astype(dtype))
    v = to_array(x)
    if dtype is not None and v.dtype != np.dtype(dtype):
        v = v.astype(dtype)
    return Tensor(np.array(v) if v is x else v)


def _float_tensor(x):
    """``y_pred`` as a float tensor: tensors keep a float dtype, anything else becomes float32."""
    t = _tensor(x)
    if _dtype(t).kind != "f":
        t = Tensor(np.asarray(t).astype(np.float32))
    return t


def keras_logits(y_pred):
    return getattr(y_pred, "_keras_logits", None)


def _shape(t):
    return np.asarray(t).shape


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rank fix-up: drop (or, for rank 1, add) a trailing size-1 axis so ranks match."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and _shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = A.expand_dims(x2, -1)
        else:
            x1 = A.squeeze(x1, -1)
    if r2 == r1 + 1 and _shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = A.expand_dims(x1, -1)
        else:
            x2 = A.squeeze(x2, -1)
    return x1, x2


def _check_same_shape(fn, y_true, y_pred):
    if _shape(y_true) != _shape(y_pred):
        raise ValueError(f"{fn}: y_true and y_pred must have the same shape. Received: "
                         f"y_true.shape={_shape(y_true)}, y_pred.shape={_shape(y_pred)}")


# ---- per-sample loss functions -------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_pred = _float_tensor(y_pred)
    y_true = _tensor(y_true, _dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape("mean_squared_error", y_true, y_pred)
    return M.reduce_mean(M.square(M.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_pred = _float_tensor(y_pred)
    y_true = _tensor(y_true, _dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape("mean_absolute_error", y_true, y_pred)
    return M.reduce_mean(M.abs(M.subtract(y_true, y_pred)), axis=-1)


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[1e-7, 1]``."""
    y_pred = _float_tensor(y_pred)
    dt = _dtype(y_pred).type
    y_true = M.clip_by_value(_tensor(y_true, _dtype(y_pred)), dt(EPSILON), dt(1))
    y_pred = M.clip_by_value(y_pred, dt(EPSILON), dt(1))
    return M.reduce_sum(M.multiply(y_true, M.log(M.divide(y_true, y_pred))), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample ``-sum(y_true * log(p), axis)`` for one-hot (or soft) ``y_true``.

    ``from_logits``: ``p = softmax(y_pred)`` (computed stably). Otherwise ``y_pred`` is rescaled to
    sum to 1 along ``axis`` and clipped to ``[1e-7, 1 - 1e-7]``. ``label_smoothing`` replaces
    ``y_true`` by ``y_true * (1 - ls) + ls / num_classes``.
    """
    return _cce(y_true, y_pred, keras_logits(y_pred), from_logits, label_smoothing, axis)


def _cce(y_true, y_pred, logits, from_logits=False, label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _float_tensor(y_pred)
    dt = _dtype(y_pred).type
    y_true = _tensor(y_true, _dtype(y_pred))
    if y_pred.ndim >= 1 and _shape(y_pred)[-1] == 1:
        warnings.warn("In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, "
                      f"num_classes) with num_classes > 1. Received: y_pred.shape={_shape(y_pred)}. "
                      "Consider using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=3)
    if label_smoothing:
        num_classes = dt(_shape(y_true)[-1])
        y_true = M.add(M.multiply(y_true, dt(1.0 - label_smoothing)), dt(label_smoothing) / num_classes)
    if y_true.ndim < 1:
        raise ValueError("categorical_crossentropy: y_true and y_pred must be at least rank 1. Received: "
                         f"y_true.shape={_shape(y_true)}, y_pred.shape={_shape(y_pred)}")
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    if logits is not None:
        y_pred, from_logits = _logits_like(logits, y_pred), True
    if from_logits:
        return N.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    out = M.divide(y_pred, M.reduce_sum(y_pred, axis, keepdims=True))
    out = M.clip_by_value(out, dt(EPSILON), dt(1.0 - EPSILON))
    return M.negative(M.reduce_sum(M.multiply(y_true, M.log(out)), axis))


def _logits_like(logits, y_pred):
    """Keras's cached logits, shaped and typed like the (possibly squeezed) ``y_pred``."""
    logits = _tensor(logits, _dtype(y_pred))
    if _shape(logits) != _shape(y_pred):
        logits = A.reshape(logits, _shape(y_pred))
    return logits


def sparse_ce(y_true, y_pred, logits, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample sparse cross entropy and the valid mask (``None`` without ``ignore_class``)."""
    y_pred = _float_tensor(y_pred)
    y_true = _tensor(y_true)
    nd = y_pred.ndim
    if nd < 1:
        raise ValueError(f"sparse_categorical_crossentropy: y_pred must be at least rank 1. Received: "
                         f"y_pred.shape={_shape(y_pred)}")
    if axis != -1 and axis != nd - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    if y_true.ndim == nd and _shape(y_true)[-1] == 1:
        y_true = A.squeeze(y_true, -1)
    if _shape(y_true) != _shape(y_pred)[:-1]:
        raise ValueError("sparse_categorical_crossentropy: y_true must have the shape of y_pred without its "
                         f"last (class) axis. Received: y_true.shape={_shape(y_true)}, "
                         f"y_pred.shape={_shape(y_pred)}")
    if logits is not None:
        y_pred, from_logits = _logits_like(logits, y_pred), True
    labels = np.asarray(y_true)
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"sparse_categorical_crossentropy: y_true must hold integer class ids, got "
                        f"{labels.dtype.name}")
    valid = None
    if ignore_class is not None:
        valid = np.asarray(labels != np.asarray(ignore_class).astype(labels.dtype))
        labels = np.where(valid, labels, 0)
        y_pred = A.where(Tensor(valid[..., None]), y_pred, _dtype(y_pred).type(0))
    labels = np.asarray(labels).astype(np.int64)  # tf.cast truncates floats, as here
    if not from_logits:
        dt = _dtype(y_pred).type
        y_pred = M.log(M.clip_by_value(y_pred, dt(EPSILON), dt(1 - EPSILON)))
    res = N.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)
    if valid is not None:
        res = A.where(Tensor(valid), res, _dtype(res).type(0))
    return res, valid


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample cross entropy for integer class ids ``y_true`` (shape ``y_pred.shape[:-1]``, or
    with a trailing 1). From probabilities: clip to ``[1e-7, 1 - 1e-7]``, log, then the sparse
    softmax cross entropy (which renormalises). ``ignore_class``: samples with that label get loss
    0 (and the loss classes average over the others)."""
    return sparse_ce(y_true, y_pred, keras_logits(y_pred), from_logits, ignore_class, axis)[0]


def _scce(y_true, y_pred, logits, from_logits=False, ignore_class=None, axis=-1):
    return sparse_ce(y_true, y_pred, logits, from_logits, ignore_class, axis)[0]


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample ``mean(-(y*log(p) + (1-y)*log(1-p)), axis)``, ``p`` clipped to
    ``[1e-7, 1 - 1e-7]`` (or ``sigmoid(y_pred)`` computed stably with ``from_logits``).
    ``label_smoothing``: ``y * (1 - ls) + 0.5 * ls``."""
    return _bce(y_true, y_pred, keras_logits(y_pred), from_logits, label_smoothing, axis)


def _bce(y_true, y_pred, logits, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _float_tensor(y_pred)
    dt = _dtype(y_pred).type
    y_true = _tensor(y_true, _dtype(y_pred))
    if label_smoothing:
        y_true = M.add(M.multiply(y_true, dt(1.0 - label_smoothing)), dt(0.5 * label_smoothing))
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    if logits is not None:
        y_pred, from_logits = _logits_like(logits, y_pred), True
    if from_logits:
        per_elem = _sigmoid_ce_with_logits(y_true, y_pred)
    else:
        out = M.clip_by_value(y_pred, dt(EPSILON), dt(1.0 - EPSILON))
        bce = M.multiply(y_true, M.log(out))
        bce = M.add(bce, M.multiply(M.subtract(dt(1), y_true), M.log(M.subtract(dt(1), out))))
        per_elem = M.negative(bce)
    return M.reduce_mean(per_elem, axis=axis)


def _sigmoid_ce_with_logits(labels, logits):
    """``tf.nn.sigmoid_cross_entropy_with_logits`` as TensorFlow writes it,
    ``where(z >= 0, z, 0) - z * y + log1p(exp(where(z >= 0, -z, z)))``, so that the gradient at
    ``z == 0`` is TensorFlow's ``sigmoid(0) - y``."""
    z = np.asarray(logits)
    zero = z.dtype.type(0)
    cond = Tensor(z >= 0)
    relu_logits = A.where(cond, logits, zero)
    neg_abs = A.where(cond, M.negative(logits), logits)
    return M.add(M.subtract(relu_logits, M.multiply(logits, labels)), M.softplus(neg_abs))


# the functions that can score Keras's cached logits: public function -> fn(y_true, y_pred, logits, ...)
_LOGITS_AWARE = {categorical_crossentropy: _cce, sparse_categorical_crossentropy: _scce,
                 binary_crossentropy: _bce}


mse = MSE = mean_squared_error
kld = KLD = kl_divergence
mae = MAE = mean_absolute_error
bce = BCE = binary_crossentropy


# ---- reduction ---------------------------------------------------------------------------

def _divide_no_nan(x, d):
    dt = _dtype(x)
    if d == 0:
        return Tensor(np.zeros((), dt))
    out = M.divide(x, dt.type(d))
    # tf.divide of integers is not differentiable and gives a float64 NumPy scalar: keep a 0-d array
    return out if dt.kind == "f" else Tensor(np.asarray(out))


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction is None or reduction == "none" or _shape(values) in ((), (0,)):
        return values
    loss = M.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = float(np.sum(np.asarray(sample_weight), dtype=_dtype(loss)))
        else:
            divisor = int(np.asarray(values).size)
        return _divide_no_nan(loss, divisor)
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merge a boolean ``mask`` into ``sample_weight`` (Keras: for the averaging reductions valid
    entries weigh ``total / valid`` so the mean runs over valid entries only)."""
    if mask is None:
        return sample_weight
    mask = np.asarray(mask, dtype=bool)
    dtype = np.dtype(dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        total, valid = dtype.type(mask.size), dtype.type(mask.sum())
        weight = total / valid if valid != 0 else dtype.type(0)
        float_mask = Tensor(np.where(mask, weight, dtype.type(0)).astype(dtype))
    else:
        float_mask = Tensor(mask.astype(dtype))
    if sample_weight is None:
        return float_mask
    sample_weight = _tensor(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return M.multiply(sample_weight, float_mask)


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size",
                           dtype=None):
    reduction = standardize_reduction(reduction)
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, _dtype(values))
    sample_weight = apply_mask(sample_weight, mask, _dtype(values), reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = M.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


# ---- loss classes ------------------------------------------------------------------------

class Loss:
    """Base class: subclasses implement ``call(y_true, y_pred)`` returning per-sample losses;
    ``__call__`` converts the inputs to ``dtype`` (float32), weights the per-sample losses by
    ``sample_weight`` and reduces them."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _auto_name(self.__class__.__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = "float32" if dtype is None else np.dtype(getattr(dtype, "name", dtype)).name

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        logits = keras_logits(y_pred)
        y_pred = _tensor(y_pred, self._dtype)
        y_true = _tensor(y_true, self._dtype)
        values, mask = self._call_with_mask(y_true, y_pred, logits)
        return reduce_weighted_values(values, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self._dtype)

    def _call_with_mask(self, y_true, y_pred, logits):
        return self.call(y_true, y_pred), None

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` from a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def _call_with_mask(self, y_true, y_pred, logits):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        impl = _LOGITS_AWARE.get(self.fn)
        if impl is _scce:
            return sparse_ce(y_true, y_pred, logits, **self._fn_kwargs)
        if impl is not None:
            return impl(y_true, y_pred, logits, **self._fn_kwargs), None
        return self.fn(y_true, y_pred, **self._fn_kwargs), None

    def call(self, y_true, y_pred):
        return self._call_with_mask(y_true, y_pred, keras_logits(y_pred))[0]

    def get_config(self):
        config = super().get_config()
        config.update({"fn": getattr(self.fn, "__name__", repr(self.fn))})
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.get("fn")
        if isinstance(fn, str):
            named = {k: f for k, f in _ALL_OBJECTS.items() if f in _FUNCTIONS}  # never module attributes
            if fn not in named:
                raise ValueError(f"LossFunctionWrapper: unknown loss function fn={fn!r}; tinytf's are "
                                 f"{sorted(named)} (pass your own with custom_objects)")
            config["fn"] = named[fn]
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class MeanSquaredError(LossFunctionWrapper):
    """``mean(square(y_true - y_pred))`` over the last axis, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(abs(y_true - y_pred))`` over the last axis, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class KLDivergence(LossFunctionWrapper):
    """``kl_divergence`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class _Crossentropy(LossFunctionWrapper):
    """Shared by the binary and categorical cross entropies (same arguments, other function)."""
    _fn, _name = None, None

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name=None, dtype=None):
        super().__init__(type(self)._fn, name=name or self._name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                       "axis": self.axis})
        return config


class BinaryCrossentropy(_Crossentropy):
    """Binary cross entropy (see ``binary_crossentropy``)."""
    _fn, _name = staticmethod(binary_crossentropy), "binary_crossentropy"


class CategoricalCrossentropy(_Crossentropy):
    """Cross entropy for one-hot / soft labels (see ``categorical_crossentropy``)."""
    _fn, _name = staticmethod(categorical_crossentropy), "categorical_crossentropy"


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross entropy for integer labels (see ``sparse_categorical_crossentropy``). With
    ``ignore_class``, those samples are masked out: the default reduction averages over the
    remaining ones."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "ignore_class": self.ignore_class})
        return config


_CLASSES = (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, binary_crossentropy, categorical_crossentropy,
              sparse_categorical_crossentropy, kl_divergence)
_ALL_OBJECTS = {o.__name__: o for o in _CLASSES + _FUNCTIONS}
_ALL_OBJECTS.update({"bce": binary_crossentropy, "BCE": binary_crossentropy, "mae": mean_absolute_error,
                     "MAE": mean_absolute_error, "mse": mean_squared_error, "MSE": mean_squared_error,
                     "kld": kl_divergence, "KLD": kl_divergence})


def serialize(loss):
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": loss.__class__.__name__,
                "config": loss.get_config(), "registered_name": None}
    return getattr(loss, "__name__", loss)


def deserialize(name, custom_objects=None):
    if isinstance(name, dict):
        cls_name = name.get("class_name")
        cls = (custom_objects or {}).get(cls_name) or _ALL_OBJECTS.get(cls_name)
        if cls is None or not inspect.isclass(cls):
            raise ValueError(f"Could not interpret loss identifier: {name!r}")
        return cls.from_config(dict(name.get("config", {})))
    obj = (custom_objects or {}).get(name) or _ALL_OBJECTS.get(name)
    if obj is None:
        raise ValueError(f"Could not interpret loss identifier: {name!r}")
    return obj


def get(identifier):
    """A loss from a name (function names such as 'categorical_crossentropy' or 'mse' give the
    per-sample function; class names such as 'CategoricalCrossentropy' give an instance), a config
    dict, a ``Loss`` instance or a callable (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _ALL_OBJECTS.get(identifier)
        if obj is None:
            known = sorted(k for k in _ALL_OBJECTS if k not in ("Loss", "LossFunctionWrapper"))
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Known losses: "
                             f"{', '.join(known)}")
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


__all__ = ["Loss", "LossFunctionWrapper", "Reduction", "MeanSquaredError", "MeanAbsoluteError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "mse", "MSE", "mae", "MAE", "bce", "BCE", "get", "serialize",
           "KLDivergence", "kl_divergence", "kld", "KLD",
           "deserialize", "EPSILON"]
