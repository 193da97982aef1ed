"""tinytf.keras.optimizers: update formulas, clipping, schedules, state, API.

Expected values are either NumPy float32 re-statements of Keras 3's formulas (written out in
this file) or numbers recorded from real TensorFlow 2.21 / Keras 3.15 (marked "Keras 3.15"),
hard-coded so the tests never need TensorFlow.
"""
import warnings

import numpy as np
import pytest

import tinytf as tf
import tinytf.keras.optimizers as optimizers
from tinytf.keras.optimizers import schedules

F = np.float32

# Inputs shared with the Keras-recorded cases below (recorded with exactly these arrays).
INIT = np.array([0.5, -1.0, 2.0, 0.0], F)
GRADS = np.array([[0.3, -0.2, 1.5, 0.0], [-0.1, 0.4, 2.5, 1e-6],
                  [0.2, 0.2, -3.0, -1e-6], [0.05, -0.3, 0.7, 0.0]], F)
INIT2 = np.array([[1.0, -2.0], [0.5, 3.0]], F)
GRADS2 = np.array([[[0.5, 1.0], [-1.0, 2.0]], [[0.1, -0.2], [0.3, 0.4]],
                   [[1.0, 1.0], [1.0, -1.0]], [[0.0, 0.5], [0.2, 0.1]]], F)


def run(opt, steps=4, two=False):
    a = tf.Variable(INIT, name="a")
    b = tf.Variable(INIT2, name="b")
    for k in range(steps):
        pairs = [(tf.constant(GRADS[k]), a)] + ([(tf.constant(GRADS2[k]), b)] if two else [])
        opt.apply_gradients(pairs)
    return a.numpy(), b.numpy()


def close(actual, expected, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected, dtype=F), rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------------------------
# NumPy float32 restatements of Keras's update rules (keras/src/optimizers/*.py)
# ---------------------------------------------------------------------------------------------

def np_sgd(lr, momentum=0.0, nesterov=False, steps=4):
    w, m = INIT.copy(), np.zeros_like(INIT)
    lr, mom = F(lr), F(momentum)
    out = []
    for g in GRADS[:steps]:
        if momentum:
            m = m * mom - g * lr
            w = w + (m * mom - g * lr if nesterov else m)
        else:
            w = w - g * lr
        out.append(w)
    return out


def np_adam(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None, steps=4):
    w, m, v, vh = INIT.copy(), np.zeros_like(INIT), np.zeros_like(INIT), np.zeros_like(INIT)
    lr = F(lr)
    out = []
    for t, g in enumerate(GRADS[:steps], start=1):
        if wd is not None:
            w = w - w * F(wd) * lr
        alpha = lr * np.sqrt(F(1) - np.power(F(b2), F(t))) / (F(1) - np.power(F(b1), F(t)))
        m = m + (g - m) * F(1 - b1)
        v = v + (g * g - v) * F(1 - b2)
        if amsgrad:
            vh = np.maximum(vh, v)
            w = w - m * alpha / (np.sqrt(vh) + F(eps))
        else:
            w = w - m * alpha / (np.sqrt(v) + F(eps))
        out.append(w)
    return out


def np_rmsprop(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False, steps=4):
    w = INIT.copy()
    vel, mom, avg = np.zeros_like(INIT), np.zeros_like(INIT), np.zeros_like(INIT)
    lr = F(lr)
    out = []
    for g in GRADS[:steps]:
        vel = F(rho) * vel + F(1 - rho) * (g * g)
        if centered:
            avg = F(rho) * avg + F(1 - rho) * g
            den = vel - avg * avg + F(eps)
        else:
            den = vel + F(eps)           # epsilon INSIDE the square root
        inc = lr * g / np.sqrt(den)
        if momentum:
            mom = F(momentum) * mom + inc
            w = w - mom
        else:
            w = w - inc
        out.append(w)
    return out


def steps_of(opt, steps=4):
    a = tf.Variable(INIT)
    out = []
    for g in GRADS[:steps]:
        opt.apply_gradients([(tf.constant(g), a)])
        out.append(a.numpy())
    return out


@pytest.mark.parametrize("opt,expected", [
    (lambda: optimizers.SGD(learning_rate=0.1), lambda: np_sgd(0.1)),
    (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9), lambda: np_sgd(0.1, 0.9)),
    (lambda: optimizers.SGD(learning_rate=0.05, momentum=0.8, nesterov=True), lambda: np_sgd(0.05, 0.8, True)),
    (lambda: optimizers.Adam(learning_rate=0.1), lambda: np_adam(0.1)),
    (lambda: optimizers.Adam(), lambda: np_adam(0.001)),
    (lambda: optimizers.Adam(learning_rate=0.1, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
     lambda: np_adam(0.1, 0.5, 0.9, 1e-3)),
    (lambda: optimizers.Adam(learning_rate=0.1, amsgrad=True), lambda: np_adam(0.1, amsgrad=True)),
    (lambda: optimizers.AdamW(learning_rate=0.1), lambda: np_adam(0.1, wd=0.004)),
    (lambda: optimizers.AdamW(learning_rate=0.1, weight_decay=0.1), lambda: np_adam(0.1, wd=0.1)),
    (lambda: optimizers.RMSprop(learning_rate=0.1), lambda: np_rmsprop(0.1)),
    (lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.9), lambda: np_rmsprop(0.01, momentum=0.9)),
    (lambda: optimizers.RMSprop(learning_rate=0.05, rho=0.8, momentum=0.5, centered=True),
     lambda: np_rmsprop(0.05, rho=0.8, momentum=0.5, centered=True)),
], ids=["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adam_default", "adam_hparams", "adam_amsgrad",
        "adamw", "adamw_wd0.1", "rmsprop", "rmsprop_momentum", "rmsprop_centered"])
def test_steps_match_numpy_formulas(opt, expected):
    got = steps_of(opt())
    for k, (g, e) in enumerate(zip(got, expected())):
        close(g, e, rtol=2e-6, atol=1e-7)


def test_sgd_first_steps_by_hand():
    # momentum 0.9, lr 0.1, g = 1 twice: v1 = -0.1, w1 = 0.9; v2 = -0.19, w2 = 0.71
    w = tf.Variable([1.0])
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    opt.apply_gradients([(tf.constant([1.0]), w)])
    close(w.numpy(), [0.9])
    opt.apply_gradients([(tf.constant([1.0]), w)])
    close(w.numpy(), [0.71])
    # nesterov: w += momentum * v - lr * g: step 1: -0.09 - 0.1 -> 0.81; v2 = -0.19, step -0.271
    w = tf.Variable([1.0])
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    opt.apply_gradients([(tf.constant([1.0]), w)])
    close(w.numpy(), [0.81])
    opt.apply_gradients([(tf.constant([1.0]), w)])
    close(w.numpy(), [0.539])


def test_adam_first_step_is_lr_times_sign():
    # Bias-corrected Adam's first step is ~lr * sign(g) (when |g| >> epsilon)
    w = tf.Variable([1.0, 1.0])
    optimizers.Adam(learning_rate=0.01).apply_gradients([(tf.constant([3.0, -0.5]), w)])
    close(w.numpy(), [0.99, 1.01], rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# Values recorded from Keras 3.15 (TensorFlow 2.21) with INIT/GRADS, INIT2/GRADS2: the variables
# after 4 apply_gradients steps (a: INIT, b: INIT2, both updated in each call).
# ---------------------------------------------------------------------------------------------
KERAS_AFTER_4 = {
    "adam_amsgrad": (dict(cls="Adam", learning_rate=0.1, amsgrad=True),
                     [0.24300268292427063, -0.9944273233413696, 1.7792832851409912, -0.015339067205786705],
                     [[0.6649301648139954, -2.2996432781219482], [0.5979747772216797, 2.766986131668091]]),
    "rmsprop_centered_mom": (dict(cls="RMSprop", learning_rate=0.05, momentum=0.5, centered=True),
                             [0.11216838657855988, -0.9576239585876465, 1.5692232847213745, -3.9528586057713255e-05],
                             [[0.3877439498901367, -2.506566047668457], [0.5298448204994202, 2.7328357696533203]]),
    "sgd_mom_clipnorm": (dict(cls="SGD", learning_rate=0.1, momentum=0.9, clipnorm=1.0),
                         [0.42620962858200073, -0.9808093905448914, 1.517397403717041, -4.390145491584008e-08],
                         [[0.8091199994087219, -2.2283599376678467], [0.4412599802017212, 2.701479911804199]]),
    "adam_clipvalue": (dict(cls="Adam", learning_rate=0.1, clipvalue=0.5),
                       [0.24300268292427063, -0.9944273233413696, 1.7261450290679932, -0.015338891185820103],
                       [[0.6577076315879822, -2.2730185985565186], [0.5500474572181702, 2.756286859512329]]),
    "sgd_global_clipnorm": (dict(cls="SGD", learning_rate=0.1, global_clipnorm=1.0),
                            [0.48311546444892883, -0.9841523170471191, 1.8654500246047974, -1.0925774063252902e-08],
                            [[0.9514721035957336, -2.103975296020508], [0.47481754422187805, 2.934138774871826]]),
    "sgd_wd": (dict(cls="SGD", learning_rate=0.1, weight_decay=0.1),
               [0.43619003891944885, -0.9701941013336182, 1.7576220035552979, 9.899965291992885e-10],
               [[0.8032800555229187, -2.1476197242736816], [0.4289249777793884, 2.7375240325927734]]),
    "adamw_default": (dict(cls="AdamW"),
                      [0.4974220395088196, -0.9999282360076904, 1.9977607727050781, -0.00015338756202254444],
                      [[0.9966329336166382, -2.0029640197753906], [0.5009716749191284, 2.99762225151062]]),
    "sgd_nesterov": (dict(cls="SGD", learning_rate=0.05, momentum=0.8, nesterov=True),
                     [0.4354359805583954, -1.0228239297866821, 1.681879997253418, -2.559999856543982e-08],
                     [[0.77920001745224, -2.3055598735809326], [0.4838000237941742, 2.7178001403808594]]),
    "adam_ema": (dict(cls="Adam", learning_rate=0.1, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=3),
                 [0.3296968638896942, -0.9180421829223633, 1.8652812242507935, -0.0021141283214092255],
                 [[0.8065280318260193, -2.192605495452881], [0.5816222429275513, 2.8568549156188965]]),
    "sgd_accum": (dict(cls="SGD", learning_rate=0.1, momentum=0.9, gradient_accumulation_steps=2),
                  [0.468500018119812, -1.0139999389648438, 1.7350000143051147, -4.5000000170603016e-08],
                  [[0.8930000066757202, -2.1510000228881836], [0.5065000057220459, 2.817000150680542]]),
    "adam_accum": (dict(cls="Adam", learning_rate=0.1, gradient_accumulation_steps=2),
                   [0.30004268884658813, -1.1266288757324219, 1.8790274858474731, -0.012691011652350426],
                   [[0.8017240166664124, -2.19718337059021], [0.5694634318351746, 2.863405704498291]]),
}


@pytest.mark.parametrize("case", sorted(KERAS_AFTER_4))
def test_against_keras_recorded(case):
    kwargs, a_ref, b_ref = KERAS_AFTER_4[case]
    kwargs = dict(kwargs)
    opt = getattr(optimizers, kwargs.pop("cls"))(**kwargs)
    a, b = run(opt, two=True)
    close(a, a_ref, rtol=1e-6, atol=1e-9)
    close(b, b_ref, rtol=1e-6, atol=1e-9)


def test_adam_with_exponential_decay_matches_keras():
    # Keras 3.15: Adam(ExponentialDecay(0.1, 2, 0.5)), variable INIT, 4 steps of GRADS
    opt = optimizers.Adam(schedules.ExponentialDecay(0.1, 2, 0.5))
    a = tf.Variable(INIT)
    for g in GRADS:
        opt.apply_gradients([(tf.constant(g), a)])
    close(a.numpy(), [0.32151269912719727, -0.9539340734481812, 1.8215339183807373, -0.011539489030838013])


# ---------------------------------------------------------------------------------------------
# clipping
# ---------------------------------------------------------------------------------------------

def test_clipnorm_scales_each_gradient_to_the_norm():
    w1, w2 = tf.Variable([0.0, 0.0]), tf.Variable([0.0])
    opt = optimizers.SGD(learning_rate=1.0, clipnorm=1.0)
    opt.apply_gradients([(tf.constant([3.0, 4.0]), w1), (tf.constant([0.5]), w2)])
    close(w1.numpy(), [-0.6, -0.8])     # norm 5 -> scaled to 1
    close(w2.numpy(), [-0.5])           # norm 0.5 <= 1: unchanged


def test_global_clipnorm_scales_all_gradients_together():
    w1, w2 = tf.Variable([0.0, 0.0]), tf.Variable([0.0])
    opt = optimizers.SGD(learning_rate=1.0, global_clipnorm=6.5)
    opt.apply_gradients([(tf.constant([3.0, 4.0]), w1), (tf.constant([12.0]), w2)])
    # global norm sqrt(9 + 16 + 144) = 13 -> scale 0.5
    close(w1.numpy(), [-1.5, -2.0])
    close(w2.numpy(), [-6.0])


def test_clipvalue_clips_elementwise():
    w = tf.Variable([0.0, 0.0, 0.0])
    optimizers.SGD(learning_rate=1.0, clipvalue=0.5).apply_gradients([(tf.constant([2.0, -0.25, -3.0]), w)])
    close(w.numpy(), [-0.5, 0.25, 0.5])


def test_zero_gradient_with_clipnorm_is_fine():
    w = tf.Variable([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply_gradients([(tf.constant([0.0, 0.0]), w)])
    close(w.numpy(), [1.0, 2.0])


def test_only_one_clip_argument():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)


# ---------------------------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------------------------

# Keras 3.15: schedule(step) for these steps.
KERAS_SCHEDULES = [
    (schedules.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5),
     [0, 5, 10, 25, 1000], [0.10000000149011612, 0.0707106813788414, 0.05000000074505806, 0.01767767034471035,
                            7.888609169759553e-32]),
    (schedules.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True),
     [0, 5, 10, 25], [0.10000000149011612, 0.10000000149011612, 0.05000000074505806, 0.02500000037252903]),
    (schedules.PiecewiseConstantDecay, dict(boundaries=[10, 20], values=[1.0, 0.5, 0.1]),
     [0, 10, 11, 20, 21, 100], [1.0, 1.0, 0.5, 0.5, 0.10000000149011612, 0.10000000149011612]),
    (schedules.CosineDecay, dict(initial_learning_rate=0.1, decay_steps=100, alpha=0.1),
     [0, 1, 50, 99, 100, 150], [0.10000000149011612, 0.09997779130935669, 0.05499999597668648,
                                0.010022206231951714, 0.010000000707805157, 0.010000000707805157]),
    (schedules.CosineDecay, dict(initial_learning_rate=0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10),
     [0, 5, 9, 10, 60, 110, 200], [0.0, 0.05000000074505806, 0.08999999612569809, 0.10000000149011612,
                                   0.04999999701976776, 0.0, 0.0]),
    (schedules.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=10, end_learning_rate=0.01, power=2.0),
     [0, 3, 10, 20], [0.10000000149011612, 0.054099999368190765, 0.009999999776482582, 0.009999999776482582]),
    (schedules.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=10, cycle=True),
     [0, 3, 10, 15], [0.10000000149011612, 0.07003000378608704, 9.999999747378752e-05, 0.025074999779462814]),
    (schedules.InverseTimeDecay, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5),
     [0, 5, 10, 25], [0.10000000149011612, 0.07999999821186066, 0.06666667014360428, 0.04444444552063942]),
]


@pytest.mark.parametrize("cls,kwargs,steps,expected", KERAS_SCHEDULES,
                         ids=[f"{c[0].__name__}{i}" for i, c in enumerate(KERAS_SCHEDULES)])
def test_schedule_values_match_keras(cls, kwargs, steps, expected):
    s = cls(**kwargs)
    for step, e in zip(steps, expected):
        for arg in (step, np.int64(step), tf.constant(step), tf.Variable(np.int64(step))):
            v = s(arg)
            assert isinstance(v, tf.Tensor) and v.dtype == tf.float32
            # Recorded by Keras; the decays use pow/exp/cos (ARCHITECTURE: numbers recorded elsewhere).
            np.testing.assert_array_max_ulp(v.numpy(), np.float32(e), maxulp=2)


def test_schedule_formulas():
    s = schedules.ExponentialDecay(0.2, 100, 0.9)
    close(s(250).numpy(), 0.2 * 0.9 ** 2.5, rtol=1e-6)
    close(schedules.ExponentialDecay(0.2, 100, 0.9, staircase=True)(250).numpy(), 0.2 * 0.9 ** 2, rtol=1e-6)
    c = schedules.CosineDecay(1.0, 10)
    close(c(5).numpy(), 0.5, rtol=1e-6)
    close(c(20).numpy(), 0.0, atol=1e-7)


def test_schedule_config_and_errors():
    s = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert s.get_config() == {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
                              "staircase": True, "name": "ExponentialDecay"}
    s2 = schedules.ExponentialDecay.from_config(s.get_config())
    assert float(s2(25)) == float(s(25))
    assert schedules.deserialize(schedules.serialize(s)).get_config() == s.get_config()
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 2.0])
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)


def test_optimizer_calls_schedule_with_iterations():
    calls = []

    class Recorder(schedules.LearningRateSchedule):
        def __call__(self, step):
            calls.append(int(step))
            return tf.constant(0.5)

        def get_config(self):
            return {}

    w = tf.Variable([1.0])
    opt = optimizers.SGD(learning_rate=Recorder())
    for _ in range(3):
        opt.apply_gradients([(tf.constant([1.0]), w)])
    assert calls == [0, 1, 2]          # the step before it is incremented: first update uses step 0
    close(w.numpy(), [-0.5])
    assert [v.name for v in opt.variables] == ["iteration:0"]   # no learning_rate variable
    assert float(opt.learning_rate) == 0.5


def test_learning_rate_schedule_not_settable_to_float():
    opt = optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01
    opt.learning_rate = schedules.ExponentialDecay(0.2, 10, 0.5)
    close(float(opt.learning_rate), 0.2)


# ---------------------------------------------------------------------------------------------
# learning-rate property, lr alias
# ---------------------------------------------------------------------------------------------

def test_learning_rate_property_and_setter():
    opt = optimizers.SGD(learning_rate=0.1)
    lr = opt.learning_rate
    assert isinstance(lr, tf.Variable) and lr.dtype == tf.float32
    assert float(lr) == float(F(0.1))
    close(lr.numpy(), 0.1)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    assert opt.variables[1] is lr           # same variable, new value
    opt.learning_rate.assign(0.25)           # TF 2 idiom
    w = tf.Variable([1.0])
    opt.apply_gradients([(tf.constant([2.0]), w)])
    close(w.numpy(), [0.5])
    assert opt.get_config()["learning_rate"] == 0.25


def test_lr_alias_warns_and_is_used():
    for cls in (optimizers.SGD, optimizers.Adam, optimizers.AdamW, optimizers.RMSprop):
        with pytest.warns(DeprecationWarning, match="lr"):
            opt = cls(lr=0.5)
        assert float(opt.learning_rate) == 0.5
    with pytest.raises(ValueError, match="both"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optimizers.Adam(lr=0.5, learning_rate=0.1)
    opt = optimizers.Adam(0.1)
    close(float(opt.lr), 0.1)               # TF 2 attribute spelling
    opt.lr = 0.2
    close(float(opt.learning_rate), 0.2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(foo=1)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="fast")
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.warns(UserWarning, match="decay"):
        optimizers.SGD(decay=1e-6)          # Keras 3 ignores the old `decay` with a warning


# ---------------------------------------------------------------------------------------------
# variables, iterations, build
# ---------------------------------------------------------------------------------------------

def test_variables_order_matches_keras():
    # Keras 3.15 order: iteration, learning_rate, then the slots, group by group (Adam: momentum and
    # velocity interleaved per variable, then velocity_hat); names <variable path>_<slot>.
    a, b = tf.Variable(INIT, name="a"), tf.Variable(INIT2, name="b")
    opt = optimizers.Adam(amsgrad=True, name="adam")
    opt.apply_gradients([(tf.constant(GRADS[0]), a), (tf.constant(GRADS2[0]), b)])
    assert [v.path for v in opt.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/a_momentum", "adam/a_velocity", "adam/b_momentum",
        "adam/b_velocity", "adam/a_velocity_hat", "adam/b_velocity_hat"]
    opt = optimizers.RMSprop(momentum=0.5, centered=True, name="rms")
    opt.apply_gradients([(tf.constant(GRADS[0]), a), (tf.constant(GRADS2[0]), b)])
    assert [v.path.split("/")[1] for v in opt.variables] == [
        "iteration", "learning_rate", "a_velocity", "b_velocity", "a_momentum", "b_momentum",
        "a_average_gradient", "b_average_gradient"]
    opt = optimizers.SGD()
    opt.apply_gradients([(tf.constant(GRADS[0]), a)])
    assert [v.path.split("/")[1] for v in opt.variables] == ["iteration", "learning_rate"]
    opt = optimizers.Adam(use_ema=True, gradient_accumulation_steps=2)
    opt.apply_gradients([(tf.constant(GRADS[0]), a), (tf.constant(GRADS2[0]), b)])
    assert [v.path.split("/")[1] for v in opt.variables] == [
        "iteration", "learning_rate", "a_average", "b_average", "a_gradient_accumulator",
        "b_gradient_accumulator", "a_momentum", "a_velocity", "b_momentum", "b_velocity"]
    assert all(not v.trainable for v in opt.variables)


def test_default_names_like_keras():
    names = [optimizers.RMSprop().name, optimizers.AdamW().name, optimizers.SGD(name="mine").name]
    assert names[0].startswith("rm_sprop") and names[1].startswith("adam_w") and names[2] == "mine"
    a, b = optimizers.Adam().name, optimizers.Adam().name
    assert a != b and a.startswith("adam") and b.startswith("adam")


def test_iterations_int64_and_counts():
    opt = optimizers.Adam()
    assert opt.iterations.dtype == tf.int64 and int(opt.iterations) == 0
    assert not opt.iterations.trainable
    w = tf.Variable([1.0])
    for _ in range(3):
        opt.apply_gradients([(tf.constant([1.0]), w)])
    assert int(opt.iterations) == 3
    assert opt.apply_gradients([]) is opt.iterations and int(opt.iterations) == 3   # empty: no-op


def test_new_array_each_step_and_float32():
    w = tf.Variable(INIT)
    old = w._v
    snapshot = old.copy()
    alias = tf.Tensor(old)
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(GRADS[0].astype(np.float64), w)])    # float64 NumPy gradient accepted
    assert w._v is not old
    np.testing.assert_array_equal(old, snapshot)                # the old array was not touched
    np.testing.assert_array_equal(alias.numpy(), snapshot)
    assert w._v.dtype == np.float32
    assert all(v._v.dtype == np.float32 for v in opt.variables[1:])
    slot_arrays = [v._v for v in opt.variables[2:]]
    opt.apply_gradients([(tf.constant(GRADS[1]), w)])
    assert all(v._v is not s for v, s in zip(opt.variables[2:], slot_arrays))


def test_gradient_shape_mismatch_names_variable():
    w = tf.Variable([1.0, 2.0], name="weights")
    with pytest.raises(ValueError, match="weights"):
        optimizers.SGD().apply_gradients([(tf.constant([1.0]), w)])


def test_none_gradients_skipped_with_warning():
    a, b = tf.Variable([1.0], name="a"), tf.Variable([1.0], name="b")
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning, match="b"):
        opt.apply_gradients([(tf.constant([1.0]), a), (None, b)])
    close(a.numpy(), [0.5])
    close(b.numpy(), [1.0])
    assert int(opt.iterations) == 1


def test_all_none_gradients_raise_naming_variables():
    a, b = tf.Variable([1.0], name="alpha"), tf.Variable([1.0], name="beta")
    with pytest.raises(ValueError, match="No gradients provided") as e:
        optimizers.Adam().apply_gradients([(None, a), (None, b)])
    assert "alpha" in str(e.value) and "beta" in str(e.value)


def test_apply_with_and_without_variables():
    a, b = tf.Variable([1.0]), tf.Variable([2.0])
    opt = optimizers.SGD(learning_rate=1.0)
    with pytest.raises(ValueError, match="built"):
        opt.apply([tf.constant([1.0])])
    opt.build([a, b])
    assert opt.built
    opt.apply([tf.constant([0.5]), np.array([1.0], np.float32)])
    close(a.numpy(), [0.5])
    close(b.numpy(), [1.0])
    with pytest.raises(ValueError, match="one-to-one"):
        opt.apply([tf.constant([0.5])])


def test_new_variables_after_build_get_slots():
    # Keras 3 refuses variables it was not built with; TF 2 code often reuses one optimizer, so
    # tinytf adds slots for them.
    a, b = tf.Variable([1.0]), tf.Variable([2.0])
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(tf.constant([1.0]), a)])
    opt.apply_gradients([(tf.constant([1.0]), b)])
    assert len(opt.variables) == 6


def test_non_variable_rejected():
    with pytest.raises(TypeError, match="Variable"):
        optimizers.SGD().apply_gradients([(tf.constant([1.0]), tf.constant([1.0]))])


def test_minimize_with_callable_and_with_tape():
    w = tf.Variable([3.0])
    opt = optimizers.SGD(learning_rate=0.1)
    opt.minimize(lambda: tf.reduce_sum(w * w), [w])           # d/dw = 2w = 6
    close(w.numpy(), [2.4])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
    opt.minimize(loss, [w], tape=tape)                        # 2.4 - 0.1 * 4.8
    close(w.numpy(), [1.92])
    with pytest.raises(ValueError, match="tape"):
        opt.minimize(tf.constant(1.0), [w])


def test_exclude_from_weight_decay():
    a, bias = tf.Variable([1.0], name="kernel"), tf.Variable([1.0], name="bias")
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([0.0]), a), (tf.constant([0.0]), bias)])
    close(a.numpy(), [0.95])               # w - w * wd * lr
    close(bias.numpy(), [1.0])
    with pytest.raises(ValueError, match="before"):
        opt.exclude_from_weight_decay(var_names=["x"])


def test_loss_scale_factor_divides_gradients():
    w = tf.Variable([1.0])
    opt = optimizers.SGD(learning_rate=1.0, loss_scale_factor=4.0)
    assert float(opt.scale_loss(tf.constant(2.0))) == 8.0
    opt.apply_gradients([(tf.constant([2.0]), w)])
    close(w.numpy(), [0.5])


def test_ema_finalize():
    w = tf.Variable([0.0])
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        opt.apply_gradients([(tf.constant([-1.0]), w)])
    # weights 1, 2, 3; average: 1 (first step copies), 0.5*1 + 0.5*2 = 1.5, 0.5*1.5 + 0.5*3 = 2.25
    close(w.numpy(), [3.0])
    opt.finalize_variable_values([w])
    close(w.numpy(), [2.25])


# ---------------------------------------------------------------------------------------------
# get(), config
# ---------------------------------------------------------------------------------------------

def test_get_by_name_and_instance():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("ADAM"), optimizers.Adam)
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("adamw"), optimizers.AdamW)
    assert type(optimizers.get("adam")) is optimizers.Adam
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    got = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5, "momentum": 0.9}})
    assert got.momentum == 0.9 and float(got.learning_rate) == 0.5
    assert float(optimizers.get("sgd").learning_rate) == float(F(0.01))     # Keras defaults


def test_get_unknown_lists_known_names():
    with pytest.raises(ValueError) as e:
        optimizers.get("adamax_typo")
    msg = str(e.value)
    assert "adamax_typo" in msg
    for known in ("adam", "adamw", "rmsprop", "sgd"):
        assert known in msg
    with pytest.raises(ValueError):
        optimizers.get(42)


def test_get_config_from_config():
    opt = optimizers.Adam(learning_rate=0.01, beta_1=0.8, amsgrad=True, clipnorm=2.0, name="opt")
    cfg = opt.get_config()
    assert cfg["name"] == "opt" and cfg["beta_1"] == 0.8 and cfg["amsgrad"] is True
    assert cfg["learning_rate"] == float(F(0.01)) and cfg["clipnorm"] == 2.0 and cfg["epsilon"] == 1e-7
    assert set(cfg) == {"name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
                        "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                        "gradient_accumulation_steps", "beta_1", "beta_2", "epsilon", "amsgrad"}
    clone = optimizers.Adam.from_config(cfg)
    assert clone.get_config() == cfg
    sched = optimizers.SGD(schedules.CosineDecay(0.1, 100), momentum=0.5)
    cfg = sched.get_config()
    assert cfg["learning_rate"]["class_name"] == "CosineDecay"
    clone = optimizers.SGD.from_config(cfg)
    assert isinstance(clone._learning_rate, schedules.CosineDecay) and clone.momentum == 0.5
    assert optimizers.RMSprop().get_config()["rho"] == 0.9
    assert optimizers.AdamW().get_config()["weight_decay"] == 0.004


# ---------------------------------------------------------------------------------------------
# state save / restore
# ---------------------------------------------------------------------------------------------

def _train(opt, a, b, ks):
    for k in ks:
        opt.apply_gradients([(tf.constant(GRADS[k]), a), (tf.constant(GRADS2[k]), b)])


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(0.1, amsgrad=True),
    lambda: optimizers.AdamW(0.05),
    lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(0.05, momentum=0.5, centered=True),
    lambda: optimizers.Adam(schedules.ExponentialDecay(0.1, 2, 0.5)),
    lambda: optimizers.SGD(0.1, momentum=0.9, gradient_accumulation_steps=2, use_ema=True),
], ids=["adam_amsgrad", "adamw", "sgd_nesterov", "rmsprop_centered", "adam_schedule", "sgd_accum_ema"])
@pytest.mark.parametrize("restore", ["before_build", "after_build"])
def test_state_round_trip_continues_bit_exactly(make, restore):
    a, b = tf.Variable(INIT), tf.Variable(INIT2)
    opt = make()
    _train(opt, a, b, [0, 1, 2])
    state = opt.get_state()
    weights = (a.numpy(), b.numpy())
    assert all(isinstance(v, np.ndarray) for v in state.values())
    assert list(state)[0] == "iteration" and int(state["iteration"]) == 3
    _train(opt, a, b, [3, 0, 1])
    expected = (a.numpy(), b.numpy())

    a2, b2 = tf.Variable(weights[0]), tf.Variable(weights[1])
    opt2 = make()
    if restore == "after_build":
        opt2.build([a2, b2])
    opt2.set_state(state)
    assert int(opt2.get_state()["iteration"]) == 3
    _train(opt2, a2, b2, [3, 0, 1])
    np.testing.assert_array_equal(a2.numpy(), expected[0])
    np.testing.assert_array_equal(b2.numpy(), expected[1])
    got = opt2.get_state()
    for k, v in opt.get_state().items():
        np.testing.assert_array_equal(got[k], v)


def test_state_keys_and_copies():
    a, b = tf.Variable(INIT), tf.Variable(INIT2)
    opt = optimizers.Adam(0.1)
    _train(opt, a, b, [0])
    state = opt.get_state()
    assert list(state) == ["iteration", "learning_rate", "slot/0/momentum", "slot/0/velocity",
                           "slot/1/momentum", "slot/1/velocity"]
    assert state["iteration"].dtype == np.int64 and state["learning_rate"].dtype == np.float32
    state["slot/0/momentum"][:] = 99.0            # a copy: the optimizer is unaffected
    assert not np.any(opt.variables[2].numpy() == 99.0)


def test_set_state_mismatch_errors():
    a, b = tf.Variable(INIT), tf.Variable(INIT2)
    opt = optimizers.Adam(0.1)
    _train(opt, a, b, [0])
    state = opt.get_state()
    other = optimizers.Adam(0.1)
    other.build([tf.Variable(INIT)])
    with pytest.raises(ValueError, match="missing|unexpected"):
        other.set_state(state)
    wrong = optimizers.Adam(0.1)
    wrong.build([tf.Variable(INIT), tf.Variable(np.zeros(3, F))])
    with pytest.raises(ValueError, match="shape"):
        wrong.set_state(state)
    with pytest.raises(ValueError, match="iteration"):
        opt.set_state({})


def test_set_weights_and_get_weights():
    a, b = tf.Variable(INIT), tf.Variable(INIT2)
    opt = optimizers.SGD(0.1, momentum=0.9)
    _train(opt, a, b, [0, 1])
    w = opt.get_weights()
    assert len(w) == 4 and int(w[0]) == 2
    opt2 = optimizers.SGD(0.1, momentum=0.9)
    with pytest.raises(ValueError, match="built"):
        opt2.set_weights(w)
    opt2.build([tf.Variable(INIT), tf.Variable(INIT2)])
    opt2.set_weights(w)
    for x, y in zip(opt2.get_weights(), w):
        np.testing.assert_array_equal(x, y)
