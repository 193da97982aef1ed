"""Special functions on arrays: ``erf`` and ``erfc``, computed in float64 and rounded once to the
input's float type (a float32 result is the correctly rounded value, within TensorFlow's few ulp).

erf for |x| < 3: 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)), a series of positive
terms (no cancellation); 64 terms reach double precision at |x| = 3. erfc for |x| >= 2:
exp(-x^2) / sqrt(pi) / K, K the continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + ...))) evaluated
from a fixed depth of 64 (converged to double precision for x >= 2), so erfc keeps its relative
precision far into the tail. The other cases are 1 minus these.
"""
import numpy as np

_TERMS = 64
_SQRT_PI = np.sqrt(np.pi)


def _erf_erfc(v):
    """(erf(|x|), erfc(|x|), x) in float64 for the array ``v``."""
    x = np.asarray(v, dtype=np.float64)
    a = np.abs(x)
    small = a < 3
    s = np.where(small, a, 0.0)
    x2 = s * s
    term = s.copy()
    total = s.copy()
    for n in range(1, _TERMS):
        term *= 2 * x2 / (2 * n + 1)
        total += term
    erf_small = 2 / _SQRT_PI * np.exp(-x2) * total
    tail = a >= 2
    b = np.where(tail, np.where(np.isfinite(a), a, 30.0), 2.0)
    k = b.copy()
    for n in range(_TERMS, 0, -1):
        k = b + (n / 2) / k
    erfc_large = np.exp(-b * b) / _SQRT_PI / k
    erf_abs = np.where(small, erf_small, 1 - erfc_large)
    erfc_abs = np.where(tail, erfc_large, 1 - erf_small)
    return erf_abs, erfc_abs, x


def erf(v):
    """erf of a float array (float64 arithmetic, the result in ``v``'s dtype)."""
    erf_abs, _, x = _erf_erfc(v)
    out = np.where(np.isnan(x), np.nan, np.copysign(erf_abs, x))
    return out.astype(np.asarray(v).dtype, copy=False)


def erfc(v):
    """erfc = 1 - erf of a float array, precise in the tail (the result in ``v``'s dtype)."""
    _, erfc_abs, x = _erf_erfc(v)
    out = np.where(np.isnan(x), np.nan, np.where(x >= 0, erfc_abs, 2 - erfc_abs))
    return out.astype(np.asarray(v).dtype, copy=False)
