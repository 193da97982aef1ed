"""Graphs for TensorBoard's graphs dashboard. tinytf runs eagerly and has no op graph, so the graph
of a Keras model is its layer graph, read from its Keras config (``model.to_json()``): one node per
layer, named ``<model>/<layer>``, its op the layer class, its inputs the layers feeding it.

* ``graph(model)`` writes it as the run's graph (TF's ``tf.summary.graph`` takes a ``tf.Graph``).
* ``trace_on(graph=True)`` ... ``trace_export(name, step)``: the Keras models called in between
  (``keras/models.py`` reports them through ``traced`` while ``tracing()`` is true), written as
  run metadata under ``name`` as TF's trace export writes its function graphs.
* ``keras_model(name, model, step)``: the model's JSON config for the conceptual graph
  (``graph_keras_model`` plugin), as Keras's TensorBoard callback writes it under ``keras``.
"""
import json
import warnings

from . import ops
from . import writer as W

_trace = {"on": False, "models": []}


def tracing():
    return _trace["on"]


def traced(model):
    if all(model is not m for m in _trace["models"]):
        _trace["models"].append(model)


def graph_def(model):
    """The layer graph of a Keras model as a ``GraphDef`` (``tensorboard.compat.proto``)."""
    from tensorboard.compat.proto import graph_pb2
    config = json.loads(model.to_json())
    top = config["config"]
    name = top.get("name", model.name)
    layers = top["layers"]
    g = graph_pb2.GraphDef()
    previous = None
    for layer in layers:
        node = g.node.add()
        lname = layer["config"]["name"]
        node.name, node.op = f"{name}/{lname}", layer["class_name"]
        if config["class_name"] == "Sequential":
            if previous is not None:
                node.input.append(previous)
            previous = node.name
        else:
            node.input.extend(f"{name}/{p}" for p in _parents(layer.get("inbound_nodes") or []))
    return g


def _parents(nodes):
    """Layer names in a Keras 3 ``inbound_nodes`` list (``__keras_tensor__`` entries)."""
    found = []

    def visit(x):
        if isinstance(x, dict):
            if x.get("class_name") == "__keras_tensor__":
                found.append(x["config"]["keras_history"][0])
            else:
                for v in x.values():
                    visit(v)
        elif isinstance(x, list):
            for v in x:
                visit(v)
    visit(nodes)
    return list(dict.fromkeys(found))


def graph(graph_data):
    """Write ``graph_data`` (a Keras model or a ``GraphDef``) as the default writer's run graph."""
    if not W.should_record_summaries():
        return False
    gd = graph_data if hasattr(graph_data, "node") else graph_def(graph_data)
    writer = W.current_writer()
    if isinstance(writer, W.FileWriter):
        writer.write_event(graph_def=gd.SerializeToString())
    return True


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Start recording the Keras models that run, for ``trace_export``. ``profiler=True`` is
    accepted and ignored with a warning: tinytf has no profiler."""
    if profiler:
        warnings.warn("tf.summary.trace_on: tinytf has no profiler; recording the graph only")
    _trace["on"], _trace["models"] = bool(graph), []


def trace_off():
    _trace["on"], _trace["models"] = False, []


def trace_export(name, step=None, profiler_outdir=None):
    """Write the graphs of the Keras models called since ``trace_on`` under the tag ``name``, then
    stop tracing. Returns whether anything was written."""
    models, was_on = list(_trace["models"]), _trace["on"]
    trace_off()
    if not was_on:
        warnings.warn("tf.summary.trace_export: no trace is running; call tf.summary.trace_on() first")
        return False
    if not W.should_record_summaries():
        return False
    from tensorboard.compat.proto import config_pb2, summary_pb2
    run = config_pb2.RunMetadata()
    for model in models:
        run.function_graphs.add().pre_optimization_graph.CopyFrom(graph_def(model))
    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name, meta.plugin_data.content = "graph_run_metadata_graph", b"1"
    return ops.write(name, run.SerializeToString(), step, meta)


def keras_model(name, model, step=None):
    """The model's Keras JSON config for TensorBoard's conceptual graph (``graph_keras_model``)."""
    if not W.should_record_summaries():
        return False
    try:
        text = model.to_json()
    except Exception as e:  # as Keras: a model that does not serialize is skipped with a warning
        warnings.warn(f"Model failed to serialize as JSON. Ignoring... {e}")
        return False
    from tensorboard.compat.proto import summary_pb2
    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name, meta.plugin_data.content = "graph_keras_model", b"1"
    return ops.write(name, text, step, meta)
