"""What ``Model.fit`` / ``evaluate`` do under a strategy with several replicas (the hooks that
``keras/trainer.py`` calls; nothing here runs for one replica)."""
import numpy as np


def strategy_of(model):
    """The model's strategy if it has several replicas, else None (the plain one-process path)."""
    s = getattr(model, "_distribute_strategy", None)
    return s if s is not None and s.num_replicas_in_sync > 1 else None


def begin_epoch(strategy, model):
    """At the start of each epoch of fit: every replica takes rank 0's random state, so all draw the
    same shuffle (random ops in the model may have drawn different amounts on uneven slices)."""
    strategy.sync_random_state()


def _sync_weights(strategy, model, x):
    if id(model) in strategy._weights_synced:
        return
    if not getattr(model, "built", True):
        model(x, training=False)  # build by running, as the first step would
    strategy.broadcast_variables(model.weights)
    strategy._weights_synced.add(id(model))


def train_step(strategy, model, x, y):
    """This replica's slice of the global batch through ``model.train_step``; the optimizer sums
    the gradients weighted by this replica's share ``n_r / n``; the logs are global."""
    xl, yl, n_local, n = strategy._shard(x, y)
    _sync_weights(strategy, model, xl)
    logs = strategy._run(model.train_step, (_data(xl, yl),), {}, n_local / n)
    return aggregated_logs(strategy, model, logs)


def test_step(strategy, model, x, y):
    xl, yl, _, _ = strategy._shard(x, y)
    _sync_weights(strategy, model, xl)
    return aggregated_logs(strategy, model, model.test_step(_data(xl, yl)))


def _data(x, y):
    """The batch in the form Keras's step functions take: ``(x, y)``, or ``x`` alone."""
    return x if y is None else (x, y)


def aggregated_logs(strategy, model, local_logs):
    """The logs over every replica: metric states (totals, counts) are summed over the replicas,
    read, and put back; other log entries are averaged."""
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


def _results(metrics):
    """``{name: float}`` of the metrics; a dict result (Keras's compile_metrics) merged in."""
    out = {}
    for m in metrics:
        r = m.result()
        out.update({k: float(v) for k, v in r.items()} if isinstance(r, dict) else {m.name: float(r)})
    return out
