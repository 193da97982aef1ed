"""``tf.autograph``: TensorFlow rewrites a ``tf.function``'s Python control flow into graph ops;
tinytf runs functions as written (``tf.function`` returns them unchanged), so nothing is converted."""
import inspect


def to_code(entity, recursive=True, experimental_optional_features=None):
    """The source of the function ``entity`` as it runs (TensorFlow returns its AutoGraph-converted
    source; tinytf converts nothing, so this is ``inspect.getsource(entity)``)."""
    if not callable(entity):
        raise TypeError(f"tf.autograph.to_code: entity must be a function or method, got {entity!r}")
    try:
        return inspect.getsource(entity)
    except (OSError, TypeError) as e:
        raise ValueError(f"tf.autograph.to_code: the source of {entity!r} is not available: {e}") from None


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """``tf.autograph.to_graph``: the function itself (tinytf runs it eagerly, as written)."""
    return entity
