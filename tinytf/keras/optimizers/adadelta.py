"""Adadelta (``tf.keras.optimizers.Adadelta``)."""
import numpy as np

from .base_optimizer import Optimizer, read_array
from ._checks import check_number


class Adadelta(Optimizer):
    """Adadelta (Zeiler), with ``rms(x) = sqrt(x + epsilon)``:
    ``acc_g = rho * acc_g + (1 - rho) * g*g``; ``delta = -rms(acc_delta) * g / rms(acc_g)``;
    ``acc_delta = rho * acc_delta + (1 - rho) * delta**2``; ``w += lr * delta``."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = check_number("rho", rho, low=0.0, high=1.0)
        self.epsilon = epsilon

    def _slot_groups(self):
        return [["accumulated_grad", "accumulated_delta_var"]]

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        rho, one_minus_rho, eps = dt(self.rho), dt(1 - self.rho), dt(self.epsilon)
        acc_g = self._slot(var, "accumulated_grad")
        acc_d = self._slot(var, "accumulated_delta_var")
        new_acc_g = rho * read_array(acc_g) + one_minus_rho * (g * g)
        acc_g.assign(new_acc_g)
        delta = -(np.sqrt(read_array(acc_d) + eps) * g / np.sqrt(new_acc_g + eps))
        acc_d.assign(rho * read_array(acc_d) + one_minus_rho * (delta * delta))
        var.assign_add(lr * delta)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
