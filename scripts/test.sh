#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs): once with the default kernels (Numba where
# installed), then the kernel, op and parity tests again on the NumPy reference kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
TINYTF_KERNELS=numpy python3 -m pytest tests/kernels tests/ops tests/test_parity_nn.py tests/keras/test_parity_keras.py "$@"
python3 -m pytest "$@"
