#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs), spread over the cores (pytest-xdist; a test
# module stays on one worker). Where Numba is installed, the kernel, op and parity tests run
# twice in it, on the default kernels and on the NumPy references (tests/conftest.py, kernel_path).
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite starts many Python processes: let them keep compiled modules (tinytf's, and pytest's
# rewritten tests) in __pycache__ instead of compiling them again in each one.
unset PYTHONDONTWRITEBYTECODE
# The tests run this checkout (first on PYTHONPATH, also in their subprocesses), so an editable install
# of another checkout of the same version spares setup the pip run.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
TINYTF_SETUP_ANY_CHECKOUT=1 bash scripts/setup.sh
# One worker more than cores: many tests wait on subprocesses (the CLI, MPI), and the extra worker
# fills that time (2 cores: 44 s instead of 47 s).
python3 -m pytest -n "$(( $(nproc) + 1 ))" --dist loadscope "$@"
