#!/usr/bin/env bash
# Reproduces the bundled default model (embedder/src/main/resources/io/xraydrift/embedder/default-model)
# in two seeded stages, both with `xray-drift train`:
#   1. pretraining from scratch on the real pool ../shared/real-cxr/pretrain (6,518 RSNA/NIH normals,
#      5,811 Kermany films) plus 1,000 phantoms of each level: the compact CNN at 64 px;
#   2. fine-tuning from it on the NIH films of ../shared/real-cxr/dev (no ieee8023 film: their licences
#      keep them out of committed weights) plus 400 phantoms of each level.
# About 10 minutes on 2 CPU cores. Usage: embedder/train-default.sh [OUT_DIR]   (default /tmp/xray-default)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/xray-default}"
real="${XRAY_REAL_CXR:-$root/../shared/real-cxr}"
cd "$root"
./xray-drift train --data "$real/pretrain" --out "$out/pretrained" --from-scratch --network xray-net \
    --input-size 64 --epochs 16 --phantoms 1000 --seed 20261203
./xray-drift train --data "$real/dev" --sources nih --init "$out/pretrained" --out "$out/model" \
    --phantoms 400 --epochs 30 --seed 7
echo "the model is in $out/model (copy model.json and weights-0000.params into the default-model resources)"
