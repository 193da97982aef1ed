"""``tf.distribute.cluster_resolver`` and ``TPUStrategy``: tinytf has no TPU, so resolving one fails as
TensorFlow's does on a machine without one (a ``ValueError``), and the usual fallback runs::

    try:
        tpu = tf.distribute.cluster_resolver.TPUClusterResolver.connect()
        strategy = tf.distribute.TPUStrategy(tpu)
    except ValueError:
        strategy = tf.distribute.get_strategy()
"""

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
