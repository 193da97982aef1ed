"""FTRL-Proximal (``tf.keras.optimizers.Ftrl``)."""
import numpy as np

from .base_optimizer import Optimizer, read_array
from ._checks import check_number


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al.), Keras's form with ``p = -learning_rate_power``:

    ``g' = g + 2 * l2_shrinkage * w``; ``n' = n + g*g`` (``n`` starts at
    ``initial_accumulator_value``); ``z += g' - (n'**p - n**p) / lr * w``;
    ``w = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 * (l2 + beta / (2 * lr)))``; ``n = n'``.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.initial_accumulator_value = check_number("initial_accumulator_value",
                                                      initial_accumulator_value, low=0.0)
        self.learning_rate_power = check_number("learning_rate_power", learning_rate_power, high=0.0)
        self.l1_regularization_strength = check_number("l1_regularization_strength",
                                                       l1_regularization_strength, low=0.0)
        self.l2_regularization_strength = check_number("l2_regularization_strength",
                                                       l2_regularization_strength, low=0.0)
        self.l2_shrinkage_regularization_strength = check_number(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, low=0.0)
        self.beta = check_number("beta", beta)

    def _slot_groups(self):
        return [["accumulator", "linear"]]

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        v = super().add_variable_from_reference(reference_variable, name, initializer)
        if name == "accumulator":
            v.assign(np.full(v.shape, self.initial_accumulator_value, read_array(v).dtype))
        return v

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        acc, lin = self._slot(var, "accumulator"), self._slot(var, "linear")
        p = dt(-self.learning_rate_power)
        l2 = dt(self.l2_regularization_strength) + dt(self.beta) / (dt(2.0) * lr)
        w, n = read_array(var), read_array(acc)
        g_use = g + dt(2 * self.l2_shrinkage_regularization_strength) * w
        new_n = n + g * g
        new_n_p = np.power(new_n, p)
        lin.assign_add(g_use - (new_n_p - np.power(n, p)) / lr * w)
        z = read_array(lin)
        quadratic = new_n_p / lr + dt(2) * l2
        l1 = dt(self.l1_regularization_strength)
        var.assign((np.clip(z, -l1, l1) - z) / quadratic)
        acc.assign(new_n)

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate_power": self.learning_rate_power,
                       "initial_accumulator_value": self.initial_accumulator_value,
                       "l1_regularization_strength": self.l1_regularization_strength,
                       "l2_regularization_strength": self.l2_regularization_strength,
                       "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                       "beta": self.beta})
        return config
