"""Optimizer updates on arrays (NumPy references); Adam's also has a compiled version.

Each returns fresh arrays (the new weight and slots), never writing into its inputs: a
weight's old array may still be held by a tape or by a tensor read from the variable.
"""
import numpy as np


def adam_update(g, w, m, v, vhat, alpha, one_minus_b1, one_minus_b2, eps):
    """One Adam step, Keras's arithmetic in Keras's order, every scalar in the arrays' dtype:

    ``m += (g - m) * (1 - beta_1)``, ``v += (g*g - v) * (1 - beta_2)``, with ``vhat`` (amsgrad,
    else None) ``vhat = max(vhat, v)`` used in place of ``v``, ``w -= m * alpha / (sqrt(v) + eps)``.
    Returns (w, m, v, vhat)."""
    dm = g - m
    dm *= one_minus_b1
    m = m + dm
    dv = g * g
    dv -= v
    dv *= one_minus_b2
    v = v + dv
    if vhat is not None:
        vhat = np.maximum(vhat, v)
    step = m * alpha
    den = np.sqrt(v if vhat is None else vhat)
    den += eps
    step /= den
    return w - step, m, v, vhat


def adam_update_many(gs, ws, ms, vs, vhats, alpha, one_minus_b1, one_minus_b2, eps):
    """``adam_update`` for each variable of a list, with the same scalars (``vhats`` a list, or
    None without amsgrad). Returns a list of (w, m, v, vhat)."""
    vhats = [None] * len(gs) if vhats is None else vhats
    return [adam_update(g, w, m, v, vh, alpha, one_minus_b1, one_minus_b2, eps)
            for g, w, m, v, vh in zip(gs, ws, ms, vs, vhats)]
