"""Reading event files back with TensorBoard's own reader, for the summary tests."""
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.util import tensor_util


def load(folder):
    acc = ea.EventAccumulator(str(folder), size_guidance={ea.TENSORS: 0, ea.SCALARS: 0, ea.HISTOGRAMS: 0,
                                                         ea.IMAGES: 0, ea.AUDIO: 0})
    acc.Reload()
    return acc


def tensors(acc, tag):
    """[(step, ndarray)] of a tag."""
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def plugin(acc, tag):
    return acc.SummaryMetadata(tag).plugin_data.plugin_name


def scalars(acc, tag):
    return [(step, float(v)) for step, v in tensors(acc, tag)]
