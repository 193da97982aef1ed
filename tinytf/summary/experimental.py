"""``tf.summary.experimental``: the default step, ``summary_scope`` and ``write_raw_pb``."""
import contextlib

from .writer import get_step, set_step  # noqa: F401


@contextlib.contextmanager
def summary_scope(name, default_name=None, values=None):
    """``with summary_scope(name) as (tag, scope):``; tinytf has no name scopes, so both are ``name``."""
    name = name or default_name
    yield name, name


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
