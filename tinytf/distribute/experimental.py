"""``tf.distribute.experimental``."""
from .strategy import CommunicationImplementation, CommunicationOptions, MultiWorkerMirroredStrategy  # noqa: F401
