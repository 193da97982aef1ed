"""Adagrad (``tf.keras.optimizers.Adagrad``)."""
import numpy as np

from .base_optimizer import Optimizer, read_array
from ._checks import check_number


class Adagrad(Optimizer):
    """Adagrad: ``accumulator += g*g`` (starting at ``initial_accumulator_value``),
    ``w -= lr * g / sqrt(accumulator + epsilon)``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.initial_accumulator_value = check_number("initial_accumulator_value",
                                                      initial_accumulator_value, low=0.0)
        self.epsilon = epsilon

    def _slot_groups(self):
        return [["accumulator"]]

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        v = super().add_variable_from_reference(reference_variable, name, initializer)
        if name == "accumulator":
            v.assign(np.full(v.shape, self.initial_accumulator_value, read_array(v).dtype))
        return v

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        acc = self._slot(var, "accumulator")
        acc.assign_add(g * g)
        var.assign_sub(lr * g / np.sqrt(read_array(acc) + dt(self.epsilon)))

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
