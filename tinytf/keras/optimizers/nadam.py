"""Nadam (``tf.keras.optimizers.Nadam``): Adam with Nesterov momentum."""
import numpy as np

from .base_optimizer import Optimizer, read_array


class Nadam(Optimizer):
    """Nadam (Dozat), Keras's form with the momentum schedule ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``:

    ``m += (g - m) * (1 - beta_1)``, ``v += (g*g - v) * (1 - beta_2)``,
    ``m_hat = u_{t+1} * m / (1 - u_prod * u_{t+1}) + (1 - u_t) * g / (1 - u_prod)``,
    ``w -= m_hat * lr / (sqrt(v / (1 - beta_2**t)) + epsilon)``, where ``u_prod`` (the product
    of the ``u`` so far, a float32 variable starting at 1) is updated once per step, before the
    variables. Its state key is ``'u_product'``.
    """

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
        self._u_product = None

    def _slot_groups(self):
        return [["momentum", "velocity"]]

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        if self._u_product is None:
            self._u_product = self._new_variable(np.float32(1.0), "u_product")

    def _update(self, grads, variables):
        if self._u_product is None:  # built through another path (set_state before apply)
            self._u_product = self._new_variable(np.float32(1.0), "u_product")
        t = np.float32(self._step_count() + 1)
        u = read_array(self._u_product) * np.float32(self.beta_1)
        u = u * (np.float32(1) - np.float32(0.5) * np.power(np.float32(0.96), t))
        self._u_product.assign(u)
        super()._update(grads, variables)

    def _update_step(self, g, var, lr):
        dt = g.dtype.type
        t = dt(self._step_count() + 1)
        b1, b2, decay = dt(self.beta_1), dt(self.beta_2), dt(0.96)
        u_t = b1 * (dt(1) - dt(0.5) * np.power(decay, t))
        u_t_1 = b1 * (dt(1) - dt(0.5) * np.power(decay, t + dt(1)))
        u_prod = dt(read_array(self._u_product))
        u_prod_1 = u_prod * u_t_1
        m, v = self._slot(var, "momentum"), self._slot(var, "velocity")
        m.assign_add((g - read_array(m)) * (dt(1) - b1))
        v.assign_add((g * g - read_array(v)) * (dt(1) - b2))
        m_hat = u_t_1 * read_array(m) / (dt(1) - u_prod_1) + (dt(1) - u_t) * g / (dt(1) - u_prod)
        v_hat = read_array(v) / (dt(1) - np.power(b2, t))
        var.assign_sub(m_hat * lr / (np.sqrt(v_hat) + dt(self.epsilon)))

    def get_state(self):
        state = super().get_state()
        if self._u_product is not None:
            state["u_product"] = np.array(self._u_product)
        return state

    def set_state(self, state):
        state = dict(state)
        u = state.pop("u_product", None)
        super().set_state(state)
        if u is not None:
            if self._u_product is None:
                self._u_product = self._new_variable(np.float32(1.0), "u_product")
            self._u_product.assign(np.asarray(u, dtype=np.float32))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
