"""tinytf.keras.losses: values (NumPy formulas and numbers recorded from Keras), gradients,
reductions, sample weights, errors and get().

Numbers marked "Keras 3.15" were recorded from TensorFlow 2.21 / Keras 3.15 with the arrays in
this file and hard-coded, so the tests never need TensorFlow.
"""
import warnings

import numpy as np
import pytest

import tinytf as tf
import tinytf.keras.losses as losses

F = np.float32
EPS = 1e-7
LO, HI = float(F(EPS)), float(F(1 - EPS))      # the clip bounds, as float32 values

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], F)          # probabilities
U = np.array([[2.0, 1.0, 1.0], [0.5, 0.5, 3.0], [1e-9, 1.0, 1.0]], F)          # rows not summing to 1
Z = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 3.0], [-2.0, 1.0, 1.5]], F)         # logits
LAB = np.array([0, 2, 1])
Y = np.eye(3, dtype=F)[LAB]
SW = np.array([1.0, 2.0, 0.5], F)
YB = np.array([[1, 0], [0, 1], [1, 1]], F)
PB = np.array([[0.9, 0.0], [0.2, 1.0], [0.6, 0.4]], F)                          # with 0 and 1: clipped
ZB = np.array([[2, -1], [0.5, 3], [-4, 0]], F)
YR = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]], F)
PR = np.array([[1.5, 1.0], [0.5, -1.0], [2.0, 2.5]], F)


def close(actual, expected, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


# ---- NumPy statements of Keras's formulas (float64) ------------------------------------------

def np_log_softmax(z):
    z = z.astype(np.float64)
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def np_cce_probs(y, p):
    p = p.astype(np.float64)
    p = np.clip(p / p.sum(-1, keepdims=True), LO, HI)       # normalise, then clip
    return -(y * np.log(p)).sum(-1)


def np_cce_logits(y, z):
    return -(y * np_log_softmax(z)).sum(-1)


def np_scce_probs(lab, p):
    # clip, log, then sparse softmax cross entropy: renormalises the clipped probabilities
    lp = np_log_softmax(np.log(np.clip(p.astype(np.float64), LO, HI)))
    return -lp[np.arange(len(lab)), lab]


def np_bce_probs(y, p):
    p = np.clip(p.astype(np.float64), LO, HI)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def np_bce_logits(y, z):
    z = z.astype(np.float64)
    return (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean(-1)


# ---- per-sample functions against the formulas ----------------------------------------------

def test_functions_against_numpy_formulas():
    close(losses.categorical_crossentropy(Y, P), np_cce_probs(Y, P))
    close(losses.categorical_crossentropy(Y, U), np_cce_probs(Y, U))
    close(losses.categorical_crossentropy(Y, Z, from_logits=True), np_cce_logits(Y, Z))
    close(losses.sparse_categorical_crossentropy(LAB, P), np_scce_probs(LAB, P))
    close(losses.sparse_categorical_crossentropy(LAB, U), np_scce_probs(LAB, U))
    close(losses.sparse_categorical_crossentropy(LAB, Z, from_logits=True),
          -np_log_softmax(Z)[np.arange(3), LAB])
    close(losses.binary_crossentropy(YB, PB), np_bce_probs(YB, PB))
    close(losses.binary_crossentropy(YB, ZB, from_logits=True), np_bce_logits(YB, ZB))
    close(losses.mean_squared_error(YR, PR), ((YR - PR) ** 2).mean(-1))
    close(losses.mean_absolute_error(YR, PR), np.abs(YR - PR).mean(-1))


def test_functions_against_keras_recorded():
    # Keras 3.15 per-sample values
    close(losses.categorical_crossentropy(Y, U), [0.6931471824645996, 0.28768208622932434, 0.6931471824645996])
    close(losses.sparse_categorical_crossentropy(LAB, U), [1.0986123085021973, 0.6931471824645996,
                                                           0.6931471824645996])
    close(losses.binary_crossentropy(YB, PB), [0.05268033221364021, 0.11157182604074478, 0.7135581374168396])
    close(losses.mean_squared_error(YR, PR), [0.625, 0.125, 2.5])


def test_function_results_are_float32_tensors_from_any_input():
    for yt, yp in ((Y, P), (Y.tolist(), P.tolist()), (tf.constant(Y), tf.constant(P))):
        out = losses.categorical_crossentropy(yt, yp)
        assert isinstance(out, tf.Tensor) and out.dtype == tf.float32 and out.shape == (3,)
    out = losses.sparse_categorical_crossentropy(LAB.tolist(), tf.constant(P))
    assert out.shape == (3,)
    assert losses.sparse_categorical_crossentropy(LAB.reshape(-1, 1), P).shape == (3,)


def test_aliases():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.mae is losses.MAE is losses.mean_absolute_error


# ---- loss classes: values recorded from Keras ------------------------------------------------

KERAS_CASES = [
    # (class, kwargs, y_true, y_pred, sample_weight, Keras 3.15 value)
    ("CategoricalCrossentropy", {}, Y, P, None, 0.5945971012115479),
    ("CategoricalCrossentropy", {}, Y, U, None, 0.557992160320282),
    ("CategoricalCrossentropy", {"reduction": None}, Y, U, None,
     [0.6931471824645996, 0.28768208622932434, 0.6931471824645996]),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, Y, Z, None, 0.5874223113059998),
    ("CategoricalCrossentropy", {"from_logits": True}, Y, Z, SW, 0.30916890501976013),
    ("CategoricalCrossentropy", {"from_logits": True, "reduction": "sum"}, Y, Z, SW, 0.9275067448616028),
    ("SparseCategoricalCrossentropy", {}, LAB, P, None, 0.5945971012115479),
    ("SparseCategoricalCrossentropy", {}, LAB, U, None, 0.8283022046089172),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, LAB, Z, None, 0.6170052289962769),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, LAB, Z, SW, 0.36883044242858887),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2, "reduction": "none"}, LAB, Z, None,
     [0.24131132662296295, 0.0, 0.992699146270752]),
    ("BinaryCrossentropy", {}, YB, PB, None, 0.29260343313217163),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, YB, PB, None, 0.8866700530052185),
    ("BinaryCrossentropy", {"from_logits": True, "reduction": None}, YB, ZB, None,
     [0.22009484469890594, 0.5113321542739868, 2.3556485176086426]),
    ("MeanSquaredError", {}, YR, PR, SW.reshape(-1, 1), 0.7083333134651184),
    ("MeanAbsoluteError", {}, YR, PR, None, 0.8333333134651184),
]


@pytest.mark.parametrize("cls,kwargs,y_true,y_pred,sw,expected", KERAS_CASES,
                         ids=[f"{c[0]}{i}" for i, c in enumerate(KERAS_CASES)])
def test_classes_against_keras_recorded(cls, kwargs, y_true, y_pred, sw, expected):
    out = getattr(losses, cls)(**kwargs)(y_true, y_pred, sample_weight=sw)
    assert isinstance(out, tf.Tensor) and out.dtype == tf.float32
    assert out.shape == np.shape(expected)
    close(out.numpy(), expected, rtol=2e-6)


def test_gradients_against_keras_recorded():
    # Keras 3.15: d CategoricalCrossentropy()(Y, U) / dU (through the normalisation and clip)
    u = tf.constant(U)
    with tf.GradientTape() as tape:
        tape.watch(u)
        loss = losses.CategoricalCrossentropy()(Y, u)
    close(tape.gradient(loss, u).numpy(),
          [[-0.0833333283662796, 0.0833333283662796, 0.0833333283662796],
           [0.0833333432674408, 0.0833333432674408, -0.0277777761220932],
           [0.1666666567325592, -0.1666666567325592, 0.1666666567325592]], rtol=1e-5)
    # sparse: probabilities clipped at 1 - eps get no gradient (rows 0 and 2 here)
    u = tf.constant(U)
    with tf.GradientTape() as tape:
        tape.watch(u)
        loss = losses.SparseCategoricalCrossentropy()(LAB, u)
    close(tape.gradient(loss, u).numpy(),
          [[0.0, 0.0, 0.0], [0.1666666716337204, 0.1666666716337204, 0.0], [0.0, 0.0, 0.0]], rtol=1e-5)


# ---- gradients against finite differences (float64) ------------------------------------------

def _fd_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (float(f(xp)) - float(f(xm))) / (2 * h)
    return g


def _tape_grad(loss_obj, y_true, x):
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        loss = loss_obj(y_true, t)
    return tape.gradient(loss, t).numpy()


@pytest.mark.parametrize("make,y_true,x", [
    (lambda: losses.CategoricalCrossentropy(from_logits=True, dtype="float64"), Y, Z),
    (lambda: losses.CategoricalCrossentropy(dtype="float64"), Y, P),
    (lambda: losses.CategoricalCrossentropy(dtype="float64"), Y, np.abs(Z) + 0.1),       # unnormalised rows
    (lambda: losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, dtype="float64"), Y, Z),
    (lambda: losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"), LAB, Z),
    (lambda: losses.SparseCategoricalCrossentropy(dtype="float64"), LAB, P),
    (lambda: losses.BinaryCrossentropy(from_logits=True, dtype="float64"), YB, ZB),
    (lambda: losses.BinaryCrossentropy(dtype="float64"), YB, np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.4]])),
    (lambda: losses.MeanSquaredError(dtype="float64"), YR, PR),
], ids=["cce_logits", "cce_probs", "cce_unnormalised", "cce_logits_smoothing", "scce_logits", "scce_probs",
        "bce_logits", "bce_probs", "mse"])
def test_gradient_matches_finite_differences(make, y_true, x):
    loss_obj = make()
    x = np.asarray(x, np.float64)
    analytic = _tape_grad(loss_obj, y_true, x)
    numeric = _fd_grad(lambda v: loss_obj(y_true, v).numpy(), x)
    close(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_gradient_float32_logits_is_softmax_minus_labels_over_n():
    g = _tape_grad(losses.CategoricalCrossentropy(from_logits=True), Y, Z)
    e = np.exp(np_log_softmax(Z))
    close(g, (e - Y) / 3, rtol=1e-5)
    g = _tape_grad(losses.SparseCategoricalCrossentropy(from_logits=True), LAB, Z)
    close(g, (e - Y) / 3, rtol=1e-5)


def test_gradient_flows_to_variables():
    w = tf.Variable(np.ones((3, 3), F) * 0.1)
    with tf.GradientTape() as tape:
        loss = losses.SparseCategoricalCrossentropy(from_logits=True)(LAB, tf.matmul(tf.constant(Z), w))
    g = tape.gradient(loss, w)
    assert g is not None and g.shape == (3, 3) and np.all(np.isfinite(g.numpy()))


# ---- reductions and sample weights ------------------------------------------------------------

def test_reductions():
    per = np_cce_logits(Y, Z)
    l_none = losses.CategoricalCrossentropy(from_logits=True, reduction="none")(Y, Z)
    l_none2 = losses.CategoricalCrossentropy(from_logits=True, reduction=None)(Y, Z)
    l_sum = losses.CategoricalCrossentropy(from_logits=True, reduction="sum")(Y, Z)
    l_mean = losses.CategoricalCrossentropy(from_logits=True)(Y, Z)
    close(l_none, per)
    close(l_none2, per)
    close(l_sum, per.sum())
    close(l_mean, per.mean())
    assert l_mean.shape == () and l_sum.shape == () and l_none.shape == (3,)
    auto = losses.CategoricalCrossentropy(from_logits=True, reduction=losses.Reduction.AUTO)
    close(auto(Y, Z), per.mean())
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_sample_weight_divides_by_batch_size_not_weight_sum():
    per = np_cce_logits(Y, Z)
    close(losses.CategoricalCrossentropy(from_logits=True)(Y, Z, sample_weight=SW), (per * SW).sum() / 3)
    close(losses.CategoricalCrossentropy(from_logits=True, reduction="sum")(Y, Z, sample_weight=SW),
          (per * SW).sum())
    close(losses.CategoricalCrossentropy(from_logits=True, reduction="none")(Y, Z, sample_weight=SW), per * SW)
    close(losses.CategoricalCrossentropy(from_logits=True)(Y, Z, sample_weight=2.0), per.mean() * 2)
    close(losses.CategoricalCrossentropy(from_logits=True)(Y, Z, sample_weight=SW.reshape(-1, 1)),
          (per * SW).sum() / 3)
    close(losses.CategoricalCrossentropy(from_logits=True)(Y, Z, sample_weight=tf.constant(SW)),
          (per * SW).sum() / 3)


def test_sample_weight_on_per_element_losses():
    # reduction over (batch, time): 'sum_over_batch_size' divides by every element
    yt = np.array([[0, 1], [2, 0]])
    zp = np.stack([Z[:2], Z[1:]])                      # (2, 2, 3) logits
    per = -np.take_along_axis(np_log_softmax(zp), yt[..., None], -1)[..., 0]
    w = np.array([[1.0, 0.0], [0.5, 2.0]], F)
    close(losses.SparseCategoricalCrossentropy(from_logits=True)(yt, zp, sample_weight=w), (per * w).sum() / 4)


def test_ignore_class_averages_over_the_rest():
    per = -np_log_softmax(Z)[np.arange(3), LAB]
    keep = LAB != 2
    close(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(LAB, Z), per[keep].mean())
    close(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2, reduction="sum")(LAB, Z),
          per[keep].sum())
    z = tf.constant(Z)
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(LAB, z)
    g = tape.gradient(loss, z).numpy()
    close(g[1], [0.0, 0.0, 0.0])                      # the ignored sample gets no gradient


def test_binary_crossentropy_rank_fixup_and_smoothing():
    y = np.array([1.0, 0.0, 1.0], F)
    p = np.array([[0.8], [0.3], [0.4]], F)
    close(losses.BinaryCrossentropy()(y, p), np_bce_probs(y[:, None], p).mean())
    ls = 0.2
    close(losses.BinaryCrossentropy(label_smoothing=ls)(YB, PB), np_bce_probs(YB * (1 - ls) + 0.5 * ls, PB).mean())
    ls = 0.3
    close(losses.CategoricalCrossentropy(label_smoothing=ls)(Y, P), np_cce_probs(Y * (1 - ls) + ls / 3, P).mean())


def test_mse_rank_fixup():
    y = np.array([1.0, 2.0, 3.0], F)
    p = np.array([[1.5], [2.0], [2.0]], F)
    close(losses.MeanSquaredError()(y, p), (0.25 + 0 + 1) / 3)
    close(losses.MeanAbsoluteError()(y, p), (0.5 + 0 + 1) / 3)


# ---- Keras's cached logits ---------------------------------------------------------------------

class _SoftmaxOutput(tf.Tensor):
    """Stands in for the output of Keras's softmax activation, which carries `_keras_logits`."""
    __slots__ = ("_keras_logits",)


def test_keras_logits_are_used_when_present():
    z = np.array([[30.0, 0.0, -5.0], [1.0, 2.0, 3.0]], F)
    y = np.array([[0, 1, 0], [0, 0, 1]], F)
    e = np.exp(np_log_softmax(z)).astype(F)
    p = _SoftmaxOutput(e)
    p._keras_logits = tf.constant(z)
    # Keras 3.15: keras.losses.CategoricalCrossentropy()(y, keras.activations.softmax(z)) = 15.203803
    # (scored from the logits) but 8.262851 for the same probabilities as a plain tensor (clipped).
    close(losses.CategoricalCrossentropy()(y, p), 15.203803, rtol=1e-6)
    close(losses.CategoricalCrossentropy()(y, tf.constant(e)), 8.262851, rtol=1e-6)
    close(losses.categorical_crossentropy(y, p), np_cce_logits(y, z), rtol=1e-6)
    close(losses.SparseCategoricalCrossentropy()(np.array([1, 2]), p), np_cce_logits(y, z).mean(), rtol=1e-6)
    logits = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        p2 = _SoftmaxOutput(e)
        p2._keras_logits = logits
        loss = losses.CategoricalCrossentropy()(y, p2)
    close(tape.gradient(loss, logits).numpy(), (e - y) / 2, rtol=1e-5, atol=1e-7)


# ---- errors ------------------------------------------------------------------------------------

def test_shape_mismatch_names_both_shapes():
    cases = [
        (losses.CategoricalCrossentropy(), Y[:, :2], P),
        (losses.BinaryCrossentropy(), YB, PB[:, :1].repeat(3, 1)),
        (losses.MeanSquaredError(), np.ones((3, 2)), np.ones((3, 4))),
        (losses.SparseCategoricalCrossentropy(), np.array([0, 1]), P),
    ]
    for loss_obj, yt, yp in cases:
        with pytest.raises(ValueError) as e:
            loss_obj(yt, yp)
        msg = str(e.value)
        assert str(tuple(np.shape(yt))) in msg and str(tuple(np.shape(yp))) in msg, msg


def test_sparse_label_out_of_range():
    with pytest.raises(ValueError, match="3"):
        losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([0, 3, 1]), Z)


def test_categorical_warns_on_single_class():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1), F), np.ones((2, 1), F))


# ---- get, config -----------------------------------------------------------------------------

def test_get():
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("mean_squared_error") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    obj = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert losses.get(obj) is obj
    fn = lambda a, b: a  # noqa: E731
    assert losses.get(fn) is fn
    assert losses.get(None) is None
    got = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert got.from_logits is True
    with pytest.raises(ValueError) as e:
        losses.get("categorical_cross")
    assert "categorical_cross" in str(e.value) and "categorical_crossentropy" in str(e.value)


def test_config_round_trip_and_defaults():
    cce = losses.CategoricalCrossentropy()
    assert cce.get_config() == {"name": "categorical_crossentropy", "reduction": "sum_over_batch_size",
                                "from_logits": False, "label_smoothing": 0.0, "axis": -1}
    scce = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0, name="s")
    assert scce.get_config() == {"name": "s", "reduction": "sum_over_batch_size", "from_logits": True,
                                 "ignore_class": 0}
    assert losses.BinaryCrossentropy().get_config()["name"] == "binary_crossentropy"
    assert losses.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                      "reduction": "sum_over_batch_size"}
    for obj in (cce, scce, losses.BinaryCrossentropy(label_smoothing=0.1), losses.MeanAbsoluteError()):
        clone = type(obj).from_config(obj.get_config())
        assert clone.get_config() == obj.get_config()


def test_custom_loss_subclass_and_wrapper():
    class Half(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1) * 0.5

    close(Half()(YR, PR), ((YR - PR) ** 2).mean(-1).mean() * 0.5)
    w = losses.LossFunctionWrapper(losses.categorical_crossentropy, from_logits=True, name="w")
    close(w(Y, Z), np_cce_logits(Y, Z).mean())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert w.get_config()["from_logits"] is True
