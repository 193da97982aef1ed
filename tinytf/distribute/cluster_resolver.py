"""``tf.distribute.cluster_resolver`` and ``TPUStrategy``. ``TFConfigClusterResolver`` reads the cluster
from the ``TF_CONFIG`` environment variable, as TensorFlow's. tinytf has no TPU, so resolving one fails as
TensorFlow's does on a machine without one (a ``ValueError``), and the usual fallback runs::

    try:
        tpu = tf.distribute.cluster_resolver.TPUClusterResolver.connect()
        strategy = tf.distribute.TPUStrategy(tpu)
    except ValueError:
        strategy = tf.distribute.get_strategy()
"""

import collections
import json
import os

_NO_TPU = "Please provide a TPU Name to connect to. (tinytf runs on the CPU and has no TPU.)"


class TPUClusterResolver:
    def __init__(self, tpu=None, zone=None, project=None, job_name="worker", coordinator_name=None,
                 coordinator_address=None, credentials="default", service=None, discovery_url=None):
        raise ValueError(_NO_TPU if not tpu else f"TPU {tpu!r} was not found: tinytf runs on the CPU and has no TPU.")

    @classmethod
    def connect(cls, tpu=None, zone=None, project=None):
        return cls(tpu, zone, project)


class TPUStrategy:
    """``tf.distribute.TPUStrategy``: needs a TPU, which tinytf never has."""

    def __init__(self, tpu_cluster_resolver=None, experimental_device_assignment=None,
                 experimental_spmd_xla_partitioning=False):
        raise ValueError("TPUStrategy needs a TPU; tinytf runs on the CPU and has none (use "
                         "tf.distribute.get_strategy() or MirroredStrategy()).")


def _tf_config(environment_value):
    config = json.loads(environment_value) if environment_value else {}
    return config if isinstance(config, dict) else {}


class TFConfigClusterResolver:
    """The cluster, task and RPC layer from ``TF_CONFIG`` (JSON: ``{"cluster": {"worker": [...]},
    "task": {"type": "worker", "index": 0}, "rpc_layer": "grpc"}``), read again at every call;
    ``task_type``, ``task_id`` and ``rpc_layer`` given here or set later take precedence. Bad JSON
    raises ``json.JSONDecodeError``, a non-integer task index ``ValueError``, as TensorFlow's."""

    def __init__(self, task_type=None, task_id=None, rpc_layer=None, environment=None):
        self._task_type = task_type
        self._task_id = task_id
        self._rpc_layer = rpc_layer
        self._environment = environment

    @staticmethod
    def _get(key, default=None):
        return _tf_config(os.environ.get("TF_CONFIG")).get(key, default)

    @property
    def task_type(self):
        if self._task_type is None:
            return self._get("task", {}).get("type")
        return str(self._task_type)

    @task_type.setter
    def task_type(self, task_type):
        self._task_type = task_type

    @property
    def task_id(self):
        if self._task_id is None:
            index = self._get("task", {}).get("index")
            return None if index is None else int(index)
        return int(self._task_id)

    @task_id.setter
    def task_id(self, task_id):
        self._task_id = task_id

    @property
    def rpc_layer(self):
        return self._rpc_layer if self._rpc_layer is not None else self._get("rpc_layer")

    @rpc_layer.setter
    def rpc_layer(self, rpc_layer):
        self._rpc_layer = rpc_layer

    @property
    def environment(self):
        return self._environment

    def cluster_spec(self):
        """The ``"cluster"`` of ``TF_CONFIG`` as a ``tf.train.ClusterSpec`` (empty without one)."""
        from ..train import ClusterSpec
        cluster = self._get("cluster", {})
        if not isinstance(cluster, dict):
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to lists of network "
                            f"addresses, or a `ClusterDef` protocol buffer (TF_CONFIG's cluster is {cluster!r})")
        return ClusterSpec(cluster)

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        """``"grpc://host:port"``: the address of a task (this one by default), or ``""`` with no task."""
        task_type = self.task_type if task_type is None else task_type
        task_id = self.task_id if task_id is None else task_id
        if task_type is None or task_id is None:
            return ""
        address = self.cluster_spec().task_address(task_type, task_id)
        rpc_layer = rpc_layer or self.rpc_layer
        return f"{rpc_layer}://{address}" if rpc_layer else address

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        """Accelerator type -> count on this machine: none (tinytf runs on the CPU)."""
        return collections.defaultdict(int)
