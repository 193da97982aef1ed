"""``tf.summary``: TensorBoard logs, written as TensorFlow 2 writes them.

    writer = tf.summary.create_file_writer("logs/run1")
    with writer.as_default(step=0):
        tf.summary.scalar("loss", 0.25, step=1)

Each summary is a tensor with its TensorBoard plugin's metadata (``ops.py``), appended to an event
file by a writer (``writer.py``); graphs of Keras models in ``graph.py``. Event files need the
``tensorboard`` package (``pip install 'tinytf[tensorboard]'``), imported at the first file writer
and not before, so ``import tinytf`` stays fast. ``tensorboard --logdir logs`` shows the runs.
"""
from . import experimental  # noqa: F401
from .graph import graph, trace_export, trace_off, trace_on  # noqa: F401
from .ops import audio, histogram, image, scalar, text, write  # noqa: F401
from .writer import NoopWriter, SummaryWriter, record_if, should_record_summaries  # noqa: F401
from .writer import FileWriter as _FileWriter


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                       experimental_trackable=False, experimental_mesh=None):
    """A writer for the event file it creates in ``logdir`` (made if missing). Events are written
    when ``max_queue`` (10) are pending, after ``flush_millis`` (120000) ms, on ``flush``, at the
    end of ``as_default`` and on ``close``."""
    return _FileWriter(logdir, max_queue, flush_millis, filename_suffix, name)


def create_noop_writer():
    """A writer that writes nothing (``tf.summary`` calls under it return without writing)."""
    return NoopWriter()


def flush(writer=None, name=None):
    """Flush ``writer``, or the default writer."""
    from .writer import current_writer
    writer = current_writer() if writer is None else writer
    if writer is not None:
        writer.flush()
