"""Activations and their gradients (NumPy references); the memory-bound ones also have a compiled
version."""
import numpy as np

from . import parallel

def relu(x):
    """``maximum(x, 0)``, as NumPy gives it (a NaN stays NaN), in blocks on tinytf's threads."""
    zero = x.dtype.type(0)
    if x.size <= parallel.BLOCK_ELEMENTS or not x.flags.c_contiguous:
        return np.maximum(x, zero)
    out = np.empty_like(x)
    xf, of = x.reshape(-1), out.reshape(-1)
    parallel.run_in_blocks(lambda a, b: np.maximum(xf[a:b], zero, out=of[a:b]), xf.size, 1)
    return out


def masked(g, keep):
    """``where(keep, g, 0)`` with +0 for the dropped entries: for a float ``g`` of ``keep``'s
    shape, a bitwise AND of ``g``'s bits with an all-ones / all-zeros mask (all-zero bits are
    +0), the same numbers 5x faster than ``where`` (which runs ~4 ns an element here)."""
    if g.shape != keep.shape or g.dtype.kind != "f":
        return np.where(keep, g, g.dtype.type(0))
    bits = np.dtype(f"i{g.dtype.itemsize}")
    mask = keep.astype(bits)
    np.negative(mask, out=mask)  # 1 -> -1: every bit set
    return np.bitwise_and(g.view(bits), mask).view(g.dtype)


def relu_backward(g, out):
    """``g`` where the ReLU output is positive, else +0 (NaN outputs pass no gradient)."""
    return masked(g, out > 0)


def bias_relu(x, b):
    """``relu(x + b)`` for a per-channel b over the last axis: what a Conv2D or Dense layer with
    ``activation='relu'`` computes, bitwise (the add, then ``maximum(y, 0)``)."""
    y = x + b
    return np.maximum(y, y.dtype.type(0), out=y)


def sigmoid(v):
    """1 / (1 + exp(-v)) without overflow for large |v|."""
    out = np.empty_like(v)
    pos = v >= 0
    out[pos] = 1 / (1 + np.exp(-v[pos]))
    e = np.exp(v[~pos])
    out[~pos] = e / (1 + e)
    return out
