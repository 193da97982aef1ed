"""SGD (``tf.keras.optimizers.SGD``): gradient descent with optional (Nesterov) momentum."""
from .base_optimizer import Optimizer, is_number, read_array


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    ``momentum == 0``: ``w -= lr * g``. Otherwise ``velocity = momentum * velocity - lr * g`` and
    ``w += velocity``; with ``nesterov``: ``w += momentum * velocity - lr * g`` (the new velocity).
    """
    _DEFAULT_LEARNING_RATE = 0.01

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if not is_number(momentum) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def _slot_groups(self):
        return [["momentum"]] if self.momentum != 0 else []

    def _update_step(self, g, var, lr):
        if self.momentum != 0:
            m = self._slot(var, "momentum")
            mom = g.dtype.type(self.momentum)
            new_m = read_array(m) * mom
            new_m -= g * lr
            m.assign(new_m)
            if self.nesterov:
                step = new_m * mom
                step -= g * lr
                var.assign_add(step)
            else:
                var.assign_add(new_m)
        else:
            var.assign_sub(g * lr)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
