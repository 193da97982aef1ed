"""Where Keras meets a distribution, as Keras 3 looks up its current ``keras.distribution``.

Keras never imports ``tf.distribute``: it asks the one ``Distribution`` registered here, at these
points and nowhere else:

* ``Model.compile`` keeps ``get_distribution().for_model()``, whose ``begin_epoch`` /
  ``train_step`` / ``test_step`` run ``fit`` and ``evaluate`` (``keras/trainer.py``);
* ``Optimizer.apply_gradients`` passes its pairs through ``all_reduce_gradients`` first;
* ``BatchNormalization(synchronized=True)`` uses ``batch_norm_op()`` in training when it is not None;
* the callbacks print and write files only where ``is_chief()``.

The default is one process training alone. Importing ``tinytf.distribute`` registers its own
(``distribute/training.py``) with ``set_distribution``.
"""


class Distribution:
    """One process, one replica: every step is the model's own and nothing is summed."""

    sums_logs = False  # whether train_step/test_step return the logs over every replica (else the model's)

    def is_chief(self):
        """Whether this process prints progress and writes files."""
        return True

    def for_model(self):
        """The distribution that a model compiled now trains under."""
        return self

    def begin_epoch(self, model):
        pass

    def train_step(self, model, data):
        """One step of ``fit`` on a batch (``data`` as Keras's ``train_step`` takes it)."""
        return model.train_step(data)

    def test_step(self, model, data):
        return model.test_step(data)

    def all_reduce_gradients(self, grads_and_vars):
        """The ``(gradient, variable)`` pairs an optimizer applies: here, as they are."""
        return grads_and_vars

    def batch_norm_op(self):
        """An op ``(x, gamma, beta, epsilon) -> (y, mean, variance)`` over the global batch, or None
        to use this replica's batch (``ops/nn_ops.py: fused_batch_norm``)."""
        return None


_current = Distribution()


def set_distribution(distribution):
    """Make ``distribution`` the one Keras asks from now on."""
    global _current
    _current = distribution


def get_distribution():
    return _current
