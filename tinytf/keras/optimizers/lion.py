"""Lion (``tf.keras.optimizers.Lion``): sign momentum (Chen et al., 2023)."""
import numpy as np

from .base_optimizer import Optimizer, is_number, read_array


class Lion(Optimizer):
    """Lion: ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``, then
    ``m = beta_2 * m + (1 - beta_2) * g``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if not is_number(beta_1) or beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                             f"degenerates to SignSGD. Received: beta_1={beta_1!r}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def _slot_groups(self):
        return [["momentum"]]

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        b1, b2 = dt(self.beta_1), dt(self.beta_2)
        m = self._slot(var, "momentum")
        var.assign_sub(lr * np.sign(read_array(m) * b1 + g * (dt(1) - b1)))
        m.assign(read_array(m) * b2 + g * (dt(1) - b2))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
