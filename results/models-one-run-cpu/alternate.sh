#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The check in README.md: MobileNetV3-Small's OpenVINO FP32 and BF16 sync cells, three times as a
# one-model run and three times as the second model of a two-model run, alternating, 1000 timed
# iterations each. Prints each run's two throughputs (inputs/s). Run from the repository root.
set -euo pipefail
out=${1:-/tmp/inferbench-alternate}
for i in 1 2 3; do
  for mode in single multi; do
    models=mobilenet_v3_small
    [ "$mode" = multi ] && models=tiny_cnn,mobilenet_v3_small
    CI=true ./inferbench run --model "$models" --backends openvino --devices cpu --precisions fp32,bf16 \
      --scenarios sync --batch 1 --iters 1000 --no-store --out "$out/$mode-$i" >/dev/null 2>&1
    python3 - "$out/$mode-$i/results.json" "$mode $i" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
print(sys.argv[2], " ".join(f"{r['precision']} {r['throughput']:.0f}" for r in rows
                            if r["status"] == "ok" and r["model"] == "mobilenet_v3_small"))
PY
  done
done
