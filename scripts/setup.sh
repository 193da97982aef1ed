#!/usr/bin/env bash
# Install tinytf (editable, with the plot/image/test extras) and, where apt is available,
# Debian's Fashion-MNIST package (/usr/share/datasets/fashion-mnist). Safe to run twice; pip is skipped
# when this checkout is already installed with the test requirements met (scripts/installed.py; with
# TINYTF_SETUP_ANY_CHECKOUT=1, as scripts/test.sh sets it, any checkout of this version will do).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  if $SUDO apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 ||
     { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1; }; then
    echo "setup: Fashion-MNIST installed in /usr/share/datasets/fashion-mnist"
  else
    echo "setup: could not install dataset-fashion-mnist with apt; tinytf will download Fashion-MNIST instead"
  fi
fi
if ! env -u PYTHONPATH $PY scripts/installed.py ${TINYTF_SETUP_ANY_CHECKOUT:+--any-checkout} 2>/dev/null; then  # installed: nothing to do
  log=$(mktemp)
  if ! $PY -m pip install -q -e ".[test]" >"$log" 2>&1; then
    cat "$log"; echo "setup: pip install failed" >&2; exit 1
  fi
  rm -f "$log"
fi
$PY -c "import tinytf, numpy; print('setup: tinytf', tinytf.__version__, 'numpy', numpy.__version__)"
