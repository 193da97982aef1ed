"""RMSprop (``tf.keras.optimizers.RMSprop``)."""
import numpy as np

from .base_optimizer import Optimizer, read_array


class RMSprop(Optimizer):
    """RMSprop: ``velocity = rho * velocity + (1 - rho) * g*g``;
    ``increment = lr * g / sqrt(velocity + epsilon)`` (epsilon INSIDE the root; centered:
    ``sqrt(velocity - average_grad**2 + epsilon)`` with ``average_grad`` the moving mean of g);
    ``w -= increment``, or with momentum ``mom = momentum * mom + increment; w -= mom``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _slot_groups(self):
        groups = [["velocity"]]
        if self.momentum > 0:
            groups.append(["momentum"])
        if self.centered:
            groups.append(["average_gradient"])
        return groups

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        rho, one_minus_rho = dt(self.rho), dt(1 - self.rho)
        vel = self._slot(var, "velocity")
        new_vel = rho * read_array(vel)
        new_vel += one_minus_rho * (g * g)
        vel.assign(new_vel)
        if self.centered:
            avg = self._slot(var, "average_gradient")
            new_avg = rho * read_array(avg)
            new_avg += one_minus_rho * g
            avg.assign(new_avg)
            den = new_vel - new_avg * new_avg
            den += dt(self.epsilon)
        else:
            den = new_vel + dt(self.epsilon)
        increment = lr * g
        increment /= np.sqrt(den)
        if self.momentum > 0:
            mom = self._slot(var, "momentum")
            new_mom = dt(self.momentum) * read_array(mom)
            new_mom += increment
            mom.assign(new_mom)
            var.assign_sub(new_mom)
        else:
            var.assign_sub(increment)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
