#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs): the kernel, op and parity tests on the NumPy
# reference kernels (one process), then everything with the default kernels (Numba where installed),
# spread over the cores (pytest-xdist, -n auto; a test module stays on one worker).
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite starts many Python processes: let them keep compiled modules (tinytf's, and pytest's
# rewritten tests) in __pycache__ instead of compiling them again in each one.
unset PYTHONDONTWRITEBYTECODE
bash scripts/setup.sh
TINYTF_KERNELS=numpy python3 -m pytest tests/kernels tests/ops tests/test_parity_nn.py tests/keras/test_parity_keras.py \
  --ignore tests/kernels/test_kernel_blas.py "$@"  # BLAS is the same on both paths
python3 -m pytest -n auto --dist loadscope "$@"
