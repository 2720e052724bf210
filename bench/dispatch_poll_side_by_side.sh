#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Side by side: what --dispatch-poll does to real rows. The same cells run without polling and
# with --dispatch-poll 10000, alternating in one sitting so that both share the machine's drift:
#   - OpenVINO INT8 and LiteRT INT8 (MobileNetV2, batch 8, each backend's request slots), server
#     at 300 QPS (LoadGen's P99) and offline (samples/s): does polling change a measured row?
#   - LiteRT INT8, server at 50 QPS (a light load): what the polling thread costs in CPU
#     (cpus_used over the reported test).
#
#   bench/dispatch_poll_side_by_side.sh [./build/inferbench] [rounds, default 3]
#
# Each run is its own `inferbench run` (own worker, compile and warm-up), --no-store.
set -euo pipefail

binary=${1:-./build/inferbench}
rounds=${2:-3}
work=$(mktemp -d /tmp/dispatch-poll-XXXX)
trap 'rm -rf "$work"' EXIT

# One run's rows, one line each: round, poll, backend, scenario and what is compared.
rows() {
  python3 - "$1/results.json" "$2" "$3" <<'PY'
import json, sys
path, round_, poll = sys.argv[1:]
for row in json.load(open(path))["rows"]:
    if row["status"] != "ok":
        continue
    serving, cpus = row["serving"], row["effective"].get("cpus_used", "-")
    if row["scenario"] == "offline":
        what = f"{serving['value']:8.1f} samples/s"
    else:
        what = f"P99 {serving['reported']['latency_ms']:7.2f} ms at {serving['reported']['achieved_qps']:6.1f} QPS"
    print(f"round {round_}  poll {poll:>5}  {row['backend']:9} {row['scenario']:8} {what}  cpus_used {cpus}")
PY
}

echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $binary, $rounds rounds"
echo "## server at 300 QPS and offline, OpenVINO INT8 and LiteRT INT8, batch 8"
for round in $(seq "$rounds"); do
  for poll in 0 10000; do
    out=$work/r$round-p$poll
    "$binary" run --backends openvino,litert --devices cpu --precisions int8 --scenarios server,offline \
      --target-qps 300 --latency-bound 100 --batch 8 --dispatch-poll "$poll" --out "$out" --no-store >/dev/null
    rows "$out" "$round" "$poll"
  done
done
echo "## light load: LiteRT INT8, server at 50 QPS, batch 8"
for round in $(seq "$rounds"); do
  for poll in 0 10000; do
    out=$work/light-r$round-p$poll
    "$binary" run --backends litert --devices cpu --precisions int8 --scenarios server --target-qps 50 \
      --latency-bound 100 --batch 8 --dispatch-poll "$poll" --out "$out" --no-store >/dev/null
    rows "$out" "$round" "$poll"
  done
done
