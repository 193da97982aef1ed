"""No TPU: resolving one raises TensorFlow's ValueError, so the usual try/except fallback runs."""
import pytest

import tinytf as tf


def test_tpu_resolver_raises_tensorflows_error_and_the_fallback_runs():
    with pytest.raises(ValueError, match="Please provide a TPU Name to connect to."):
        tf.distribute.cluster_resolver.TPUClusterResolver()
    with pytest.raises(ValueError, match="Please provide a TPU Name to connect to."):
        tf.distribute.cluster_resolver.TPUClusterResolver.connect()
    with pytest.raises(ValueError, match="'grpc://x' was not found"):
        tf.distribute.cluster_resolver.TPUClusterResolver("grpc://x")
    try:
        tpu = tf.distribute.cluster_resolver.TPUClusterResolver.connect()
        strategy = tf.distribute.TPUStrategy(tpu)
    except ValueError:
        strategy = tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1
    with pytest.raises(ValueError, match="needs a TPU"):
        tf.distribute.TPUStrategy()
