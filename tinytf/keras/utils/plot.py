"""``keras.utils.plot_model`` / ``model_to_dot``: a layer graph drawn with pydot and Graphviz."""
import os


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) and Graphviz "
                          "(https://graphviz.gitlab.io/download/) for `plot_model` to work.") from None
    return pydot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, **kwargs):
    """A ``pydot.Dot`` graph with one node per layer, in order (a chain for Sequential models)."""
    pydot = _pydot()
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=dpi)
    dot.set_node_defaults(shape="record")
    previous = None
    for i, layer in enumerate(model.layers):
        label = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
        if show_shapes:
            label += f"\\n{getattr(layer, 'output_shape', '?')}"
        node = pydot.Node(f"layer_{i}", label=label)
        dot.add_node(node)
        if previous is not None:
            dot.add_edge(pydot.Edge(previous, f"layer_{i}"))
        previous = f"layer_{i}"
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=200, **kwargs):
    """Write the layer graph to ``to_file`` (format from its extension) with Graphviz's ``dot``."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names, rankdir=rankdir,
                       dpi=dpi)
    ext = os.path.splitext(os.fspath(to_file))[1][1:] or "png"
    try:
        dot.write(os.fspath(to_file), format=ext)
    except (OSError, FileNotFoundError) as e:
        raise ImportError("You must install pydot (`pip install pydot`) and Graphviz "
                          f"(https://graphviz.gitlab.io/download/) for `plot_model` to work ({e}).") from None
    return None
