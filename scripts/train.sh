#!/usr/bin/env bash
# The main job: set up, train the tutorial's LeNet-5 with batch norm on Fashion-MNIST
# (Adam 1e-3, batch 128, 5 epochs, seed 0) and print the report. Extra args go to `tinytf train`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m tinytf train --out runs/lenet5 "$@"
