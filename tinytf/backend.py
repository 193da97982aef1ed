"""Default float dtype, the global random generator and the malloc tuning.

``set_seed`` makes every random draw in tinytf repeatable: the global
generator is re-created from the seed, and per-op seeds derive from it the way
TensorFlow's do (global seed + op seed => a fixed stream).
"""
import os
import sys

import numpy as np

_MALLOC = {"tuned": False}
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers
_GLIBC_DEFAULT = 128 << 10  # both thresholds' glibc defaults


def _mallopt(mmap_threshold, trim_threshold):
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
                    and libc.mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to tune
        return False


def set_malloc_tuning(enabled):
    """Keep freed multi-megabyte blocks in the process's heap (``True``), or give glibc back its
    default thresholds (``False``). Returns whether the tuning is now in effect.

    Why: every op allocates its result, and a LeNet step allocates and frees dozens of 0.5-4 MB
    arrays. By default glibc may serve such blocks with mmap and return them to the OS on free, so
    the next allocation page-faults every page back in: that doubled the time of a training step
    (measured: 22-25 ms vs 10-12 ms). Tuned, blocks up to 32 MB come from the heap and up to
    256 MB of free heap is kept for reuse. This is process-wide (it affects every library in the
    process), so ``import tinytf`` says so in the README and ``tinytf.config`` can turn it off.
    ``False`` sets both thresholds to glibc's 128 KiB default (glibc then no longer adapts the mmap
    threshold dynamically, as it does in a process that never called mallopt). Linux/glibc only.
    """
    if not sys.platform.startswith("linux"):
        return False
    if enabled:
        _MALLOC["tuned"] = _mallopt(32 << 20, 256 << 20)
    elif _MALLOC["tuned"]:
        _mallopt(_GLIBC_DEFAULT, _GLIBC_DEFAULT)
        _MALLOC["tuned"] = False
    return _MALLOC["tuned"]


def malloc_tuning():
    """Whether tinytf's malloc tuning is in effect (see ``set_malloc_tuning``)."""
    return _MALLOC["tuned"]


if os.environ.get("TINYTF_MALLOC_TUNE", "1") != "0":
    set_malloc_tuning(True)

_FLOATX = "float32"
_DEFAULT_GRAPH_SEED = 87654321  # TensorFlow's global seed when only an op seed is given
_global_seed = None
_rng = np.random.default_rng()
_op_uses = {}  # op seed -> how many ops drew with it since the last set_seed


def floatx():
    """The default float dtype name ('float32')."""
    return _FLOATX


def set_seed(seed):
    """Seed the global generator: after ``set_seed(s)`` the same program draws the same numbers."""
    global _global_seed, _rng
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
        raise TypeError(f"set_seed: seed must be an int or None, got {seed!r}")
    _global_seed = None if seed is None else int(seed)
    _rng = np.random.default_rng(None if seed is None else _u64(_global_seed))
    _op_uses.clear()


def get_seed():
    return _global_seed


def _u64(n):
    return int(n) & 0xFFFFFFFFFFFFFFFF  # SeedSequence takes non-negative ints; TF seeds may be negative


def rng(seed=None):
    """The generator for one random op.

    Without an op seed: the global stream (repeatable after ``set_seed``). With an op seed, as in
    TensorFlow: the numbers depend only on (global seed, op seed) and on how many earlier ops used
    that op seed since ``set_seed`` -- never on draws made with other seeds.
    """
    if seed is None:
        return _rng
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    seed = int(seed)
    n = _op_uses[seed] = _op_uses.get(seed, 0) + 1
    base = _DEFAULT_GRAPH_SEED if _global_seed is None else _global_seed
    return np.random.default_rng([_u64(base), _u64(seed), n])


def get_state():
    """The random state as plain JSON-able data (for checkpoints)."""
    return {"global_seed": _global_seed, "op_uses": sorted([k, v] for k, v in _op_uses.items()),
            "bit_generator": _rng.bit_generator.state}


def set_state(state):
    """Restore what ``get_state`` returned; ``ValueError`` (changing nothing) if it is malformed."""
    try:
        seed = state["global_seed"]
        uses = {int(k): int(v) for k, v in state.get("op_uses", [])}
        g = np.random.default_rng()
        g.bit_generator.state = state["bit_generator"]
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise TypeError(f"global_seed must be an int or None, got {seed!r}")
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"not a tinytf random state ({type(e).__name__}: {e})") from None
    global _global_seed, _rng
    _global_seed, _rng = seed, g
    _op_uses.clear()
    _op_uses.update(uses)
