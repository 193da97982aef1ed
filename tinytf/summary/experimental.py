"""``tf.summary.experimental``: the default step, ``summary_scope`` and ``write_raw_pb``."""
import contextlib

from .writer import get_step, set_step  # noqa: F401


@contextlib.contextmanager
def summary_scope(name, default_name=None, values=None):
    """``with summary_scope(name) as (tag, scope):`` ``tag`` is ``name`` under the current
    ``tf.name_scope`` (for ``tf.summary.write``), ``scope`` the name scope opened for the block."""
    from .writer import name_scope, scoped
    name = name or default_name
    tag = scoped(name)
    with name_scope(name) as scope:
        yield tag, scope


def write_raw_pb(tensor, step=None, name=None):
    """Write serialized ``Summary`` protos (bytes, or a list of them) to the default writer."""
    from . import writer as W
    if not W.should_record_summaries():
        return False
    step = W.resolve_step(step)
    writer = W.current_writer()
    if isinstance(writer, W.FileWriter):
        _, summary_pb2, _, _ = W.tb()
        raw = tensor.numpy() if hasattr(tensor, "numpy") else tensor
        for blob in [raw] if isinstance(raw, bytes) else list(raw):
            writer.write_event(step=step, summary=summary_pb2.Summary.FromString(bytes(blob)))
    return True
