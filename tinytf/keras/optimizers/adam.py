"""Adam (``tf.keras.optimizers.Adam``)."""
import numpy as np

from ...kernels import table as K
from .base_optimizer import Optimizer, read_array


class Adam(Optimizer):
    """Adam (Kingma & Ba), Keras's form with "epsilon hat":

    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, ``m += (g - m) * (1 - beta_1)``,
    ``v += (g*g - v) * (1 - beta_2)``, ``w -= m * alpha / (sqrt(v) + epsilon)`` with ``t`` the
    1-based step; with ``amsgrad`` the running maximum of ``v`` replaces ``v``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _slot_groups(self):
        groups = [["momentum", "velocity"]]
        if self.amsgrad:
            groups.append(["velocity_hat"])
        return groups

    def _update_steps(self, grads, variables, lr):
        by_dtype = {}
        for g, var in zip(grads, variables):  # a gradient has its variable's dtype (_as_grad)
            by_dtype.setdefault(g.dtype, []).append((g, var))
        for dt, pairs in by_dtype.items():
            dt = dt.type
            t = dt(self._step_count() + 1)
            b1_power = np.power(dt(self.beta_1), t)
            b2_power = np.power(dt(self.beta_2), t)
            alpha = dt(lr) * np.sqrt(dt(1) - b2_power) / (dt(1) - b1_power)
            slots = [self._slots[id(var)] for _, var in pairs]
            new = K.adam_update_many(
                [g for g, _ in pairs], [read_array(var) for _, var in pairs], [read_array(s["momentum"]) for s in slots],
                [read_array(s["velocity"]) for s in slots],
                [read_array(s["velocity_hat"]) for s in slots] if self.amsgrad else None,
                dt(alpha), dt(1 - self.beta_1), dt(1 - self.beta_2), dt(self.epsilon))
            for (_, var), s, (w, m, v, vh) in zip(pairs, slots, new):
                var._take(w)
                s["momentum"]._take(m)
                s["velocity"]._take(v)
                if self.amsgrad:
                    s["velocity_hat"]._take(vh)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
