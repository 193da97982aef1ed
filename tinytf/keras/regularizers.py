"""Weight regularizers: penalties added to the loss (``layer.losses``)."""
from ..ops import math_ops as M


class Regularizer:
    def __call__(self, x):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = M.multiply(M.reduce_sum(M.abs(x)), self.l1)
        if self.l2:
            l2 = M.multiply(M.reduce_sum(M.square(x)), self.l2)
            out = l2 if isinstance(out, float) else M.add(out, l2)
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2


def get(identifier):
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        cls = {"L1": L1, "L2": L2, "L1L2": L1L2}[identifier["class_name"]]
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str) and identifier.lower() in ("l1", "l2", "l1_l2"):
        return {"l1": L1, "l2": L2, "l1_l2": L1L2}[identifier.lower()]()
    raise ValueError(f"unknown regularizer {identifier!r}; use 'l1', 'l2', 'l1_l2' or an instance")


def serialize(reg):
    if reg is None:
        return None
    return {"class_name": type(reg).__name__, "config": reg.get_config()} if isinstance(reg, Regularizer) else reg
