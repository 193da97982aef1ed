"""Differentiable ops: each is a kernel call plus its gradient rule, side by side."""
from . import array_ops, math_ops, nn_ops, random_ops  # noqa: F401  (math_ops attaches operators)
