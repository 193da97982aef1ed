"""Adam updates all its variables through one ``adam_update_many`` call per dtype: the same bits
as updating them one at a time, as tinytf did before."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.kernels import fast, optim
from tinytf.keras.optimizers.base_optimizer import Optimizer, read_array


class OneByOne(tf.keras.optimizers.Adam):
    """The previous per-variable update (Adam._update_step before the grouped call)."""

    def _update_steps(self, grads, variables, lr):
        Optimizer._update_steps(self, grads, variables, lr)

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        t = dt(self._step_count() + 1)
        alpha = lr * np.sqrt(dt(1) - np.power(dt(self.beta_2), t)) / (dt(1) - np.power(dt(self.beta_1), t))
        m, v = self._slot(var, "momentum"), self._slot(var, "velocity")
        vh = self._slot(var, "velocity_hat") if self.amsgrad else None
        new = optim.adam_update(g, read_array(var), read_array(m), read_array(v), None if vh is None else read_array(vh),
                                dt(alpha), dt(1 - self.beta_1), dt(1 - self.beta_2), dt(self.epsilon))
        for variable, value in zip((var, m, v, vh), new):
            if variable is not None:
                variable.assign(value)


def _variables(seed):
    r = np.random.default_rng(seed)
    shapes = [(3, 3, 2, 4), (4,), (fast.PACK_BELOW + 5,), (0,), (7, 9), (1,)]
    vs = [tf.Variable(r.standard_normal(s).astype(np.float32)) for s in shapes]
    vs.append(tf.Variable(r.standard_normal((5,))))  # float64: its own group
    return vs


@pytest.mark.parametrize("kwargs", [{}, {"amsgrad": True}, {"weight_decay": 0.01, "clipnorm": 1.0},
                                    {"learning_rate": tf.keras.optimizers.schedules.CosineDecay(0.01, 10)}])
def test_grouped_update_has_the_bits_of_the_per_variable_update(kwargs):
    results = []
    for cls in (tf.keras.optimizers.Adam, OneByOne):
        vs = _variables(0)
        opt = cls(**kwargs)
        r = np.random.default_rng(1)
        for _ in range(4):
            grads = [r.standard_normal(v.shape).astype(v.dtype.as_numpy_dtype) for v in vs]
            grads[1] = None if _ == 2 else grads[1]  # a skipped variable on one step
            with pytest.warns(UserWarning) if _ == 2 else _no_warning():
                opt.apply_gradients(zip(grads, vs))
        results.append([v.numpy() for v in vs] + [np.asarray(s) for s in opt.variables])
    for a, b in zip(*results):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_a_constraint_is_applied_after_the_grouped_update():
    results = []
    for cls in (tf.keras.optimizers.Adam, OneByOne):
        vs = _variables(2)
        vs[0] = Clipped(vs[0].numpy())
        opt = cls(learning_rate=0.5)
        opt.apply_gradients(zip([np.ones(v.shape, v.dtype.as_numpy_dtype) for v in vs], vs))
        results.append([v.numpy() for v in vs])
        assert np.abs(vs[0].numpy()).max() <= np.float32(0.1)
    for a, b in zip(*results):
        assert a.tobytes() == b.tobytes()


def test_variables_own_their_new_values():
    """After a grouped step, writing one variable leaves every other weight and slot alone."""
    vs = _variables(3)
    opt = tf.keras.optimizers.Adam()
    opt.apply_gradients(zip([np.ones(v.shape, v.dtype.as_numpy_dtype) for v in vs], vs))
    before = [np.asarray(s).copy() for s in opt.variables] + [v.numpy() for v in vs]
    vs[0].assign(np.zeros(vs[0].shape, np.float32))
    vs[1].assign_add(np.ones(4, np.float32))
    after = [np.asarray(s) for s in opt.variables] + [v.numpy() for v in vs]
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a.tobytes() != b.tobytes()]
    n_opt = len(opt.variables)
    assert changed == [n_opt, n_opt + 1]


class Clipped(tf.Variable):
    """A variable with a ``constraint`` (the optimizers apply one after the update, as Keras)."""
    __slots__ = ()

    @property
    def constraint(self):
        return lambda w: tf.clip_by_value(w, -0.1, 0.1)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
