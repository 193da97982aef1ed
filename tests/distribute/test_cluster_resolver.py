"""No TPU: resolving one raises TensorFlow's ValueError, so the usual try/except fallback runs.
TFConfigClusterResolver against TensorFlow 2.21's results for the same TF_CONFIG (recorded by hand)."""
import json

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


TF_CONFIG = {"cluster": {"worker": ["a:1", "b:2"], "ps": ["c:3"]}, "task": {"type": "worker", "index": 1},
             "rpc_layer": "grpc"}


def test_tf_config_resolver_reads_the_environment(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps(TF_CONFIG))
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert r.cluster_spec() == tf.train.ClusterSpec({"worker": ["a:1", "b:2"], "ps": ["c:3"]})
    assert (r.task_type, r.task_id, r.rpc_layer, r.environment) == ("worker", 1, "grpc", None)
    assert r.num_accelerators() == {} and r.num_accelerators()["GPU"] == 0
    assert (r.master(), r.master("ps", 0), r.master(rpc_layer="x")) == ("grpc://b:2", "grpc://c:3", "x://b:2")
    r.task_type, r.task_id, r.rpc_layer = "ps", 0, "y"
    assert (r.task_type, r.task_id, r.rpc_layer, r.master()) == ("ps", 0, "y", "y://c:3")
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver(task_type="chief", task_id=3, rpc_layer="z")
    assert (r.task_type, r.task_id, r.rpc_layer) == ("chief", 3, "z")


def test_tf_config_resolver_without_or_with_partial_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert not r.cluster_spec() and r.cluster_spec().as_dict() == {}
    assert (r.task_type, r.task_id, r.rpc_layer, r.master()) == (None, None, None, "")
    monkeypatch.setenv("TF_CONFIG", '{"task": {"type": "worker"}}')
    assert (r.task_type, r.task_id) == ("worker", None)
    monkeypatch.setenv("TF_CONFIG", "[1, 2]")  # TensorFlow finds no keys in a JSON list
    assert (r.task_type, r.cluster_spec().as_dict()) == (None, {})


def test_tf_config_resolver_errors_are_tensorflows(monkeypatch):
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    monkeypatch.setenv("TF_CONFIG", "{bad")
    with pytest.raises(json.JSONDecodeError, match="Expecting property name enclosed in double quotes"):
        r.cluster_spec()
    monkeypatch.setenv("TF_CONFIG", '{"cluster": 5}')
    with pytest.raises(TypeError, match="`cluster` must be a dictionary mapping one or more job names"):
        r.cluster_spec()
    monkeypatch.setenv("TF_CONFIG", '{"task": {"index": "x"}}')
    with pytest.raises(ValueError, match="invalid literal for int"):
        r.task_id
