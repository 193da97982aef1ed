"""``tf.distribute`` strategies on MPI: one replica per process, synchronous data parallelism.

Each process (rank) holds a full copy of the model. ``fit`` gives rank ``r`` its contiguous slice of
every global batch (``_bounds``); gradients are summed over the ranks in rank order (``comm.py``)
with weights ``n_r / n`` (each rank's share of the global batch), so the step is the one-worker
step on the global batch up to float32 rounding; metrics and losses are summed over the ranks
before they are read.
"""
import contextlib
import threading

import numpy as np

from . import comm as _comm


class ReduceOp:
    SUM = "SUM"
    MEAN = "MEAN"


class CommunicationOptions:
    """``tf.distribute.experimental.CommunicationOptions``: ``timeout_seconds`` bounds every
    collective (``None``: ``TINYTF_COLLECTIVE_TIMEOUT`` or 300 s)."""

    def __init__(self, bytes_per_pack=0, timeout_seconds=None, implementation=None):
        self.bytes_per_pack, self.timeout_seconds, self.implementation = bytes_per_pack, timeout_seconds, implementation


class CommunicationImplementation:
    AUTO, RING, NCCL = "AUTO", "RING", "NCCL"


class InputContext:
    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self.num_input_pipelines, self.input_pipeline_id = num_input_pipelines, input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size):
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"the global batch size {global_batch_size} is not divisible by the "
                             f"{self.num_replicas_in_sync} replicas")
        return global_batch_size // self.num_replicas_in_sync


class _State(threading.local):
    def __init__(self):
        self.scopes = []      # strategies entered with ``scope()``
        self.replica = None   # the ReplicaContext inside ``strategy.run``


_state = _State()


class ReplicaContext:
    """What ``tf.distribute.get_replica_context()`` returns inside ``strategy.run``.

    ``grad_weight``: this replica's share of the step (``fit``: ``n_r / n``; custom loops: 1, the
    loss being already divided by the global batch size); gradients are multiplied by it before
    they are summed over the replicas."""

    def __init__(self, strategy, grad_weight=1.0):
        self.strategy, self.grad_weight = strategy, grad_weight

    @property
    def num_replicas_in_sync(self):
        return self.strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        return self.strategy._comm.rank

    def all_reduce(self, reduce_op, value):
        from ..nest import flatten, pack_sequence_as
        from ..tensor import Tensor
        flat = flatten(value)
        sums = self.strategy._comm.sum_arrays([np.asarray(v) for v in flat], "all_reduce")
        if _op(reduce_op) == ReduceOp.MEAN:
            sums = [s / s.dtype.type(self.num_replicas_in_sync) if s.dtype.kind == "f" else s // self.num_replicas_in_sync
                    for s in sums]
        return pack_sequence_as(value, [Tensor(s) for s in sums])


def _op(reduce_op):
    op = getattr(reduce_op, "value", reduce_op)
    op = str(op).upper()
    if op not in (ReduceOp.SUM, ReduceOp.MEAN):
        raise ValueError(f"reduce_op must be tf.distribute.ReduceOp.SUM or MEAN, got {reduce_op!r}")
    return op


class Strategy:
    """The shared behaviour of the strategies (TensorFlow's ``tf.distribute.Strategy``)."""

    def __init__(self, communicator):
        self._comm = communicator
        self._weights_synced = set()
        self.extended = _Extended(self)
        self.cluster_resolver = _ClusterResolver(communicator)

    # ---- properties ---------------------------------------------------------------------------
    @property
    def num_replicas_in_sync(self):
        return self._comm.size

    @property
    def rank(self):  # tinytf: this process's replica id
        return self._comm.rank

    @property
    def is_chief(self):
        return self._comm.rank == 0

    def scope(self):
        return _scope(self)

    # ---- replica functions ----------------------------------------------------------------------
    def run(self, fn, args=(), kwargs=None, options=None):
        """Call ``fn`` on this process's replica. Inside, ``optimizer.apply_gradients`` sums the
        gradients over the replicas (``training.py: StrategyDistribution.all_reduce_gradients``;
        scale the loss by the global batch size, e.g. ``tf.nn.compute_average_loss(l, global_batch_size=B)``)."""
        return self._run(fn, args, kwargs or {}, 1.0)

    def _run(self, fn, args, kwargs, grad_weight):
        outer = _state.replica
        _state.replica = ReplicaContext(self, grad_weight)
        try:
            return fn(*args, **kwargs)
        finally:
            _state.replica = outer

    def reduce(self, reduce_op, value, axis=None):
        """Combine this replica's ``value`` with the others' (``SUM`` or ``MEAN``); ``axis``
        first reduces along that axis (``MEAN`` then divides by the global number of elements)."""
        from ..tensor import Tensor
        op = _op(reduce_op)
        v = np.asarray(value)
        if axis is None:
            total = self._comm.sum_arrays([v], "strategy.reduce")[0]
            if op == ReduceOp.MEAN:
                total = total / total.dtype.type(self.num_replicas_in_sync) if total.dtype.kind == "f" \
                    else total // self.num_replicas_in_sync
            return Tensor(total)
        local = v.sum(axis=axis)
        count = np.array(v.shape[axis], np.int64)
        total, n = self._comm.sum_arrays([local, count], "strategy.reduce")
        if op == ReduceOp.MEAN:
            total = total / total.dtype.type(n) if total.dtype.kind == "f" else total // n
        return Tensor(total)

    def gather(self, value, axis=0):
        """Every replica's ``value`` concatenated along ``axis`` (in replica order)."""
        from ..tensor import Tensor
        v = np.moveaxis(np.asarray(value), axis, 0)
        sizes = [int(s[0]) for s in self._comm.gather_arrays(np.array([len(v)], np.int64), "strategy.gather")]
        pad = np.zeros((max(sizes),) + v.shape[1:], v.dtype)
        pad[:len(v)] = v
        parts = self._comm.gather_arrays(pad, "strategy.gather")
        return Tensor(np.moveaxis(np.concatenate([p[:s] for p, s in zip(parts, sizes)]), 0, axis))

    def experimental_local_results(self, value):
        return (value,)

    # ---- input -------------------------------------------------------------------------------------
    def experimental_distribute_dataset(self, dataset, options=None):
        """Iterate ``dataset`` (of global batches) on every replica, each taking its slice of
        every batch, as ``fit`` does."""
        return DistributedDataset(self, dataset)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """``dataset_fn(input_context)`` builds this replica's own dataset (shard it by
        ``input_context.input_pipeline_id`` and batch it per replica)."""
        return dataset_fn(InputContext(self._comm.size, self._comm.rank, self._comm.size))

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    # ---- tinytf helpers (used by Model.fit / evaluate) -----------------------------------------------
    def _bounds(self, n):
        """Rank r's rows [lo, hi) of a global batch of n rows: contiguous, the first n % N ranks one more."""
        size, r = self._comm.size, self._comm.rank
        if n < size:
            raise ValueError(f"tinytf.distribute: a global batch of {n} samples cannot feed {size} replicas; use a "
                             f"batch size (and a last batch) of at least {size}, e.g. a dataset batched with "
                             f"drop_remainder=True")
        return (r * n) // size, ((r + 1) * n) // size

    def _shard(self, x, y):
        """This rank's slice of a global batch ``(x, y)``, with its size and the global size."""
        from ..nest import flatten, map_structure
        from ..tensor import Tensor
        n = len(np.asarray(flatten(x)[0]))
        lo, hi = self._bounds(n)

        def cut(a):
            return None if a is None else Tensor(np.asarray(a)[lo:hi])
        return map_structure(cut, x), (None if y is None else map_structure(cut, y)), hi - lo, n

    def broadcast_variables(self, variables):
        """Give every replica rank 0's values of ``variables`` (at the start of ``fit``)."""
        variables = list(variables)
        if self._comm.size == 1 or not variables:
            return
        vals = [np.asarray(v) for v in variables]
        # rank 0's values: the others contribute zeros, so the rank-order sum is rank 0's bits exactly
        send = vals if self._comm.rank == 0 else [np.zeros_like(a) for a in vals]
        for v, new in zip(variables, self._comm.sum_arrays(send, "the weight broadcast")):
            v.assign(new)

    def sync_random_state(self):
        """Give every replica rank 0's ``tf.random`` state, so shuffles agree."""
        from .. import backend
        if self._comm.size > 1:
            backend.set_state(_comm.bcast_json(self._comm, backend.get_state(), "the random state broadcast"))

    def __repr__(self):
        return f"<tinytf.distribute.{type(self).__name__}: {self.num_replicas_in_sync} replica(s), rank {self.rank}>"


class _Extended:
    def __init__(self, strategy):
        self._strategy = strategy

    @property
    def should_checkpoint(self):
        return self._strategy.is_chief

    should_save_summary = should_checkpoint

    @property
    def worker_devices(self):
        return ("/job:worker/replica:0/task:%d/device:CPU:0" % self._strategy.rank,)


class _ClusterResolver:
    def __init__(self, comm):
        self.task_type, self.task_id = "worker", comm.rank


class DistributedDataset:
    """A dataset of global batches, each replica seeing its slice."""

    def __init__(self, strategy, dataset):
        self._strategy, self._dataset = strategy, dataset

    def __iter__(self):
        for el in self._dataset:
            if isinstance(el, (tuple, list)) and len(el) == 2:
                x, y, _, _ = self._strategy._shard(el[0], el[1])
                yield (x, y)
            else:
                yield self._strategy._shard(el, None)[0]

    def __len__(self):
        return len(self._dataset)

    @property
    def element_spec(self):
        return self._dataset.element_spec


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous training on the processes that ``mpiexec -n N`` started (one or several
    machines); one process alone (no mpiexec, or N=1) trains as one replica, unchanged."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        timeout = getattr(communication_options, "timeout_seconds", None)
        super().__init__(_comm.world(timeout=timeout))
        if timeout is not None and hasattr(self._comm, "timeout"):
            self._comm.timeout = float(timeout)


class MirroredStrategy(Strategy):
    """TensorFlow's one-machine strategy. tinytf has one device per process (the CPU), so its
    replicas are the processes of ``mpiexec -n N`` on this machine, as for
    ``MultiWorkerMirroredStrategy``; ``devices`` is accepted and ignored."""

    def __init__(self, devices=None, cross_device_ops=None):
        super().__init__(_comm.world())


class _DefaultStrategy(Strategy):
    def __init__(self):
        super().__init__(_comm.LocalComm())


_default = None


def _default_strategy():
    global _default
    if _default is None:
        _default = _DefaultStrategy()
    return _default


@contextlib.contextmanager
def _scope(strategy):
    if _state.scopes and _state.scopes[-1] is not strategy:
        raise ValueError("Mixing different tf.distribute.Strategy objects: a scope of another strategy is open")
    _state.scopes.append(strategy)
    try:
        yield strategy
    finally:
        _state.scopes.pop()


def get_strategy():
    """The strategy whose ``scope()`` is open, or the default strategy (one replica)."""
    return _state.scopes[-1] if _state.scopes else _default_strategy()


def has_strategy():
    return bool(_state.scopes)


def in_cross_replica_context():
    return has_strategy() and _state.replica is None


def get_replica_context():
    if _state.replica is not None:
        return _state.replica
    if has_strategy():
        return None  # cross-replica context
    return ReplicaContext(_default_strategy())


def current_replica():
    """The ReplicaContext inside ``strategy.run`` (or fit's step), else None."""
    return _state.replica


def is_chief():
    """Whether this process writes files and prints progress: rank 0, or any process of a job
    that never created a multi-process strategy."""
    world = _comm.current_world()
    return world is None or world.rank == 0

