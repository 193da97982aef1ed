"""What ``compile(loss=..., metrics=...)`` turns its arguments into (Keras 3's
``trainers/compile_utils.py``): the loss as a ``Loss`` object, and ``CompileMetrics``, the one
metric named ``compile_metrics`` whose ``result()`` is a dict of the compiled metrics."""
from . import losses as L, metrics as M


def get_loss(identifier):
    """A ``Loss`` from compile's ``loss``: loss functions and names are wrapped in
    ``LossFunctionWrapper`` (which squeezes or expands ``y_true`` to ``y_pred``'s rank, so labels
    of shape (n,) meet predictions of shape (n, 1)), named as given."""
    loss = L.get(identifier)
    if not isinstance(loss, L.Loss):
        name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
        loss = L.LossFunctionWrapper(loss, name=name)
    return loss


def get_metric(identifier, y_true, y_pred):
    """A metric from compile's ``metrics``; 'accuracy'/'acc' picked from the shapes."""
    if identifier is None:
        raise ValueError("compile: expected a metric, received None")
    if str(identifier).lower() in ("accuracy", "acc"):
        metric = M.resolve_accuracy(None, tuple(y_true.shape), tuple(y_pred.shape), name=str(identifier))
    else:
        metric = M.get(identifier)
    if not isinstance(metric, M.Metric):
        metric = M.MeanMetricWrapper(metric)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


class CompileMetrics(M.Metric):
    """The compiled ``metrics`` (updated without sample weights) and ``weighted_metrics`` (with),
    built from the first batch's shapes. ``result()`` is a dict ``{name: value}``; a weighted
    metric whose name is taken is called ``weighted_<name>``."""

    def __init__(self, metrics, weighted_metrics, name="compile_metrics"):
        super().__init__(name=name)
        for what, arg in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if arg is not None and not isinstance(arg, (list, tuple)):
                raise TypeError(f"compile: {what} must be a list or tuple of metrics, got "
                                f"{type(arg).__name__} {arg!r}")
        self._specs = list(metrics or [])
        self._weighted_specs = list(weighted_metrics or [])
        self._plain, self._weighted = [], []
        self.built = False

    @property
    def metrics(self):
        return self._plain + self._weighted

    @property
    def variables(self):
        return [v for m in self.metrics for v in m.variables]

    def build(self, y_true, y_pred):
        y_true, y_pred = _first(y_true), _first(y_pred)
        self._plain = [get_metric(s, y_true, y_pred) for s in self._specs]
        self._weighted = [get_metric(s, y_true, y_pred) for s in self._weighted_specs]
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        y_true, y_pred = _first(y_true), _first(y_pred)
        for m in self._plain:
            m.update_state(y_true, y_pred)
        for m in self._weighted:
            m.update_state(y_true, y_pred, sample_weight)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def result(self):
        if not self.built:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        out = {m.name: m.result() for m in self._plain}
        for m in self._weighted:
            out["weighted_" + m.name if m.name in out else m.name] = m.result()
        return out


def _first(y):
    """tinytf compiles one output: a one-element list or tuple of targets is that target."""
    if isinstance(y, (list, tuple)) and len(y) == 1:
        return y[0]
    return y
