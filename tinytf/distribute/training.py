"""What Keras does under ``tf.distribute``: the ``Distribution`` this package registers into
``keras/distribution.py`` when it is imported (Keras never imports ``tf.distribute``).

``StrategySteps`` runs ``fit`` / ``evaluate`` of a model compiled in the scope of a strategy with
several replicas; with one replica Keras keeps its own steps, so nothing here runs.
"""
import numpy as np

from ..keras.data_adapter import unpack_x_y_sample_weight
from ..keras.distribution import Distribution, set_distribution
from ..tensor import Tensor
from . import comm as _comm
from .strategy import current_replica, get_strategy, has_strategy, is_chief
from .sync_bn import sync_batch_norm

_LOCAL = Distribution()


def sync_batch_norm_op():
    """The synchronized batch norm, bound now (op time) to the world and this replica's gradient
    weight, when this process is one of several replicas; else None."""
    world = _comm.current_world()
    if world is None or world.size == 1:
        return None
    ctx = current_replica()
    weight = 1.0 if ctx is None else float(ctx.grad_weight)

    def op(x, gamma, beta, epsilon):
        return sync_batch_norm(x, gamma, beta, epsilon, world, weight)
    return op


class StrategyDistribution(Distribution):
    """The process-wide hook: whether this rank writes, the gradient all-reduce inside a replica
    context, synchronized batch norm, and the strategy a model compiled now keeps."""

    def is_chief(self):
        return is_chief()

    def for_model(self):
        strategy = get_strategy() if has_strategy() else None
        if strategy is None or strategy.num_replicas_in_sync == 1:
            return _LOCAL
        return StrategySteps(strategy)

    def all_reduce_gradients(self, grads_and_vars):
        """Inside a replica context with several replicas, ``grad_weight * gradient`` summed over
        the replicas (TensorFlow's cross-replica gradient aggregation); elsewhere the pairs as
        they are."""
        ctx = current_replica()
        if ctx is None or ctx.num_replicas_in_sync == 1:
            return grads_and_vars
        pairs = list(grads_and_vars)
        live = [i for i, (g, _) in enumerate(pairs) if g is not None]
        w = ctx.grad_weight
        local = []
        for i in live:
            g = np.asarray(pairs[i][0])
            local.append(g * g.dtype.type(w) if w != 1.0 else g)
        summed = ctx.strategy._comm.sum_arrays(local, "the gradient all-reduce")
        for i, s in zip(live, summed):
            pairs[i] = (Tensor(s), pairs[i][1])
        return pairs

    def batch_norm_op(self):
        return sync_batch_norm_op()


class StrategySteps(StrategyDistribution):
    """``fit`` / ``evaluate`` of a model compiled in the scope of ``strategy`` (several replicas)."""

    sums_logs = True

    def __init__(self, strategy):
        self.strategy = strategy

    def begin_epoch(self, model):
        """Every replica takes rank 0's random state, so all draw the same shuffle (random ops in the
        model may have drawn different amounts on uneven slices)."""
        self.strategy.sync_random_state()

    def _sync_weights(self, model, x):
        strategy = self.strategy
        if id(model) in strategy._weights_synced:
            return
        if not getattr(model, "built", True):
            model(x, training=False)  # build by running, as the first step would
        strategy.broadcast_variables(model.weights)
        strategy._weights_synced.add(id(model))

    def train_step(self, model, data):
        """This replica's slice of the global batch through ``model.train_step``; the optimizer sums
        the gradients weighted by this replica's share ``n_r / n``; the logs are global."""
        x, y, _ = unpack_x_y_sample_weight(data)
        xl, yl, n_local, n = self.strategy._shard(x, y)
        self._sync_weights(model, xl)
        logs = self.strategy._run(model.train_step, (_data(xl, yl),), {}, n_local / n)
        return self.aggregated_logs(model, logs)

    def test_step(self, model, data):
        x, y, _ = unpack_x_y_sample_weight(data)
        xl, yl, _, _ = self.strategy._shard(x, y)
        self._sync_weights(model, xl)
        return self.aggregated_logs(model, model.test_step(_data(xl, yl)))

    def aggregated_logs(self, model, local_logs):
        """The logs over every replica: metric states (totals, counts) are summed over the replicas,
        read, and put back; other log entries are averaged."""
        strategy = self.strategy
        metrics = model.metrics
        variables = [v for m in metrics for v in m.variables]
        names = set(_results(metrics))
        extra = [k for k in (local_logs or {}) if k not in names]
        local = [np.asarray(v) for v in variables]
        extra_vals = [np.asarray(float(local_logs[k]), np.float64) for k in extra]
        summed = strategy._comm.sum_arrays(local + extra_vals, "the metric all-reduce")
        for v, s in zip(variables, summed):
            v.assign(s)
        logs = _results(metrics)
        for v, a in zip(variables, local):
            v.assign(a)
        for k, s in zip(extra, summed[len(local):]):
            logs[k] = float(s) / strategy.num_replicas_in_sync
        return logs


def _data(x, y):
    """The batch in the form Keras's step functions take: ``(x, y)``, or ``x`` alone."""
    return x if y is None else (x, y)


def _results(metrics):
    """``{name: float}`` of the metrics; a dict result (Keras's compile_metrics) merged in."""
    out = {}
    for m in metrics:
        r = m.result()
        out.update({k: float(v) for k, v in r.items()} if isinstance(r, dict) else {m.name: float(r)})
    return out


set_distribution(StrategyDistribution())
