#!/usr/bin/env bash
# Reproduces the bundled default model (embedder/src/main/resources/io/xraydrift/embedder/default-model)
# in two seeded stages, both with `xray-drift train`:
#   1. distillation: the project's student CNN (128 px) learns to reproduce the features of an ImageNet
#      MobileNetV1 (../shared/pretrained, never committed) on the whole real pool
#      ../shared/real-cxr/pretrain (RSNA/NIH normals, Kermany films; no labels needed) and 300 phantoms
#      of each level, under mild augmentation, for 24 epochs (held-out cosine to the teacher 0.69; 12 epochs
#      gave 0.66: the bundled model's figures are alike, a site's projection on it follows the radiologist
#      better, see the card);
#   2. the projection (the embedding the neighbours are found in: linear, 64 floats), learnt on the
#      student's frozen features with the levels of the NIH films of ../shared/real-cxr/dev (no ieee8023
#      film: their licences keep them out of committed weights) and 400 phantoms of each level;
#   3. the level thresholds for this model, fitted on the held-out folds of the same recipe's
#      patient-disjoint cross-validation on dev (evaluation: ieee8023 films are scored, never learnt),
#      written into its card.
# About 50-60 minutes on 2 CPU cores with nothing else running (most of it the teacher's features, cached under
# ~/.cache/xray-drift/features, and the distillation). Usage: training/train-default.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/xray-default}"
real="${XRAY_REAL_CXR:-$root/../shared/real-cxr}"
teacher="${XRAY_TEACHER:-$root/../shared/pretrained/mobilenet_v1_imagenet_features.pt}"
cd "$root"
./xray-drift train --data "$real/pretrain" --teacher "$teacher" --out "$out/student" \
    --epochs 24 --batch 64 --learning-rate 0.002 --augment 0.5 --phantoms 300 --seed 20261206 --views 2 \
    --projection-steps 3000
./xray-drift train --data "$real/dev" --sources nih --init "$out/student" --out "$out/model" \
    --phantoms 400 --views 2 --seed 7 --severity-scale 0 --learning-rate 0.0005 --contrastive 2 --projection learnt
./xray-drift crossval --data "$real/dev" --trajectories "$real/dev/trajectories" --init "$out/student" --sources nih \
    --phantoms 400 --views 2 --seed 7 --severity-scale 0 --learning-rate 0.0005 --contrastive 2 --projection learnt --tune-rule --write-levels "$out/model"
echo "the model is in $out/model (copy model.json and weights-0000.params into the default-model resources)"
