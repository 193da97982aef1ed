"""Shared helpers for the tests that feed tinytf hostile files (tests/**/test_hostile_*.py): a small
built model, its weights' bits, a canary value that must never reach a model, and a subprocess
run under an address-space and time limit for the bomb tests."""
import os
import subprocess
import sys
import textwrap

import numpy as np

CANARY = 1234.5  # written into files outside the one loaded: must never appear in a model
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def small_model():
    import tinytf as tf
    m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3), tf.keras.layers.Dense(2)])
    m.build((None, 4))
    return m


def bits(model):
    """The model's weights as bytes, to compare bitwise before and after a refused load."""
    return [w.numpy().tobytes() for w in model.weights]


def holds_canary(model):
    return any(np.any(w.numpy() == np.float32(CANARY)) for w in model.weights)


def run_limited(code, address_space=1536 << 20, timeout=60, cwd=None):
    """Run ``code`` in a fresh Python with ``RLIMIT_AS`` = ``address_space`` bytes; returns the
    ``CompletedProcess`` (raises ``subprocess.TimeoutExpired`` past ``timeout`` seconds)."""
    prelude = (f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({address_space}, {address_space}))\n")
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=env)
