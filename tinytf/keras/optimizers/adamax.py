"""Adamax (``tf.keras.optimizers.Adamax``): Adam with the infinity norm."""
import numpy as np

from .base_optimizer import Optimizer, read_array


class Adamax(Optimizer):
    """Adamax: ``m += (g - m) * (1 - beta_1)``, ``u = max(beta_2 * u, |g|)``,
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))`` with ``t`` the 1-based step."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_groups(self):
        return [["momentum", "norm"]]

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        t = dt(self._step_count() + 1)
        b1_power = np.power(dt(self.beta_1), t)
        m, u = self._slot(var, "momentum"), self._slot(var, "norm")
        m.assign_add((g - read_array(m)) * dt(1 - self.beta_1))
        u.assign(np.maximum(dt(self.beta_2) * read_array(u), np.abs(g)))
        var.assign_sub(lr * read_array(m) / ((dt(1) - b1_power) * (read_array(u) + dt(self.epsilon))))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
