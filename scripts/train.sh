#!/usr/bin/env bash
# The main job: set up, train the tutorial's LeNet-5 with batch norm on Fashion-MNIST
# (Adam 1e-3, batch 128, 5 epochs, seed 0) into runs/lenet5, and print the report.
# Extra arguments go to `tinytf train` (e.g. --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m tinytf train --out runs/lenet5 --overwrite "$@"
echo
cat runs/lenet5/report.md
