#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs), spread over the cores (pytest-xdist, -n auto; a
# test module stays on one worker). Where Numba is installed, the kernel, op and parity tests run
# twice in it, on the default kernels and on the NumPy references (tests/conftest.py, kernel_path).
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite starts many Python processes: let them keep compiled modules (tinytf's, and pytest's
# rewritten tests) in __pycache__ instead of compiling them again in each one.
unset PYTHONDONTWRITEBYTECODE
bash scripts/setup.sh
python3 -m pytest -n auto --dist loadscope "$@"
