#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs): once with the default kernels (Numba where
# installed), then the kernel, op and parity tests again on the NumPy reference kernels. Both passes
# spread the tests over the cores (pytest-xdist, -n auto).
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite starts many Python processes: let them keep compiled modules (tinytf's, and pytest's
# rewritten tests) in __pycache__ instead of compiling them again in each one.
unset PYTHONDONTWRITEBYTECODE
bash scripts/setup.sh
TINYTF_KERNELS=numpy python3 -m pytest tests/kernels tests/ops tests/test_parity_nn.py tests/keras/test_parity_keras.py "$@"
python3 -m pytest -n auto "$@"
