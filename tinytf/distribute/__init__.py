"""``tf.distribute``: synchronous data-parallel training over MPI processes (docs/DISTRIBUTED.md).

Launch ``mpiexec -n N python train.py``; in the script, build and compile the model inside
``strategy.scope()``. Without mpiexec (or with N=1) the same script trains as one replica.
"""
from . import cluster_resolver, experimental  # noqa: F401
from .cluster_resolver import TPUStrategy  # noqa: F401
from .strategy import (  # noqa: F401
    DistributedDataset, InputContext, MirroredStrategy, MultiWorkerMirroredStrategy, ReduceOp, ReplicaContext,
    Strategy, get_replica_context, get_strategy, has_strategy, in_cross_replica_context, is_chief)
from .training import sync_batch_norm_op  # noqa: F401  (registers tf.distribute with Keras)
