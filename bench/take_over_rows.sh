#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A staged batch taken over by an idle slot, on a real row: LiteRT INT8, batch 8, two request slots
# (each stages its next batch while it computes), LoadGen's server at QPS, with two builds of
# inferbench alternating, ROUNDS rounds. Each build is copied in turn over build/inferbench (the
# plugins beside it are the same for both); NEW is copied back at the end.
#
#   bench/take_over_rows.sh OLD_BINARY NEW_BINARY [QPS] [ROUNDS]
#
# OLD_BINARY: build/inferbench built with worker/serving/serving_sut.{cc,h} and serving_run.cc of
# 158d721 (before the take-over), copied aside; NEW_BINARY: the current build/inferbench, copied
# aside. Prints per run LoadGen's verdict, the completed rate, P99, the batch fill and
# effective.input_staging (how many batches were staged, and taken over).
set -euo pipefail
old=$1 new=$2 qps=${3:-400} rounds=${4:-2}
cd "$(dirname "$0")/.."
trap 'cp "$new" build/inferbench' EXIT
for round in $(seq 1 "$rounds"); do
  for v in old new; do
    binary=$old; [ "$v" = new ] && binary=$new
    cp "$binary" build/inferbench
    out=$(mktemp -d /tmp/take-over-XXXX)
    ./build/inferbench run --backends litert --precisions int8 --scenarios server --target-qps "$qps" --requests 2 \
      --batch 8 --no-store --out "$out" > "$out.log" 2>&1 || true
    python3 - "$v" "$round" "$out/results.json" <<'PY'
import json, sys
v, rnd, path = sys.argv[1:]
for r in json.load(open(path))['rows']:
    if r['status'] != 'ok':
        print(v, rnd, r['status'], r.get('error')); continue
    s = r['serving']; t = s['reported']
    print(f"{v} round {rnd}: {'VALID' if s['valid'] else 'INVALID'}, completed {s['value']:.1f}/s, "
          f"LoadGen P99 {t['latency_ms']:.2f} ms, "
          f"row P50/P99 {r['latency_ms']['p50']:.2f}/{r['latency_ms']['p99']:.2f} ms, fill {s['mean_batch_fill']:.3f}; "
          f"{r['effective'].get('input_staging')}")
PY
    rm -rf "$out" "$out.log"
  done
done
