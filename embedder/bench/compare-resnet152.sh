#!/usr/bin/env bash
# ResNet152 embedding throughput, Python torch vs this project's DJL embedder, in one run on this
# machine: same TorchScript model, same input size, batch and thread count.
# Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision).
# usage: embedder/bench/compare-resnet152.sh [THREADS] [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
threads="${1:-2}"
n="${2:-32}"
pt="$(mktemp -d)/resnet152.pt"
for batch in 1 16; do
  /usr/bin/python3 "$root/embedder/bench/resnet152_torch.py" "$pt" "$batch" "$n" "$threads"
  "$root/xray-drift" bench embed --model "$pt" --batch "$batch" --n "$n" --threads "$threads" --device cpu 2>/dev/null
done
"$root/xray-drift" bench embed --batch 1 --n 256 --threads "$threads" --device cpu 2>/dev/null
"$root/xray-drift" bench embed --batch 16 --n 512 --threads "$threads" --device cpu 2>/dev/null
rm -rf "$(dirname "$pt")"
