"""``keras.utils.PyDataset`` (and its older name ``Sequence``): a Python object that gives batch
``i`` from ``__getitem__(i)`` and the number of batches from ``__len__``; ``fit`` / ``evaluate`` /
``predict`` read it in order and call ``on_epoch_end`` after each pass. tinytf reads it in the
calling thread: ``workers`` and ``use_multiprocessing`` are accepted and checked, not used."""


class PyDataset:
    """Base class for a dataset made of Python code. Subclasses implement ``__getitem__(index)``
    returning a batch (``x``, ``(x, y)`` or ``(x, y, sample_weight)``) and ``__len__`` (or the
    ``num_batches`` property; None for an endless dataset)."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        for name, val in (("workers", workers), ("max_queue_size", max_queue_size)):
            if not isinstance(val, int) or isinstance(val, bool) or val < 1:
                raise ValueError(f"PyDataset: {name} must be a positive int, got {name}={val!r}")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}.__getitem__(index) must return batch `index`")

    @property
    def num_batches(self):
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__}: implement __len__ or the num_batches property")

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


Sequence = PyDataset
