# SPDX-License-Identifier: Apache-2.0
"""Issue #23's sanity check of a run's energy rows (run_h100.sh --energy prints it in its summary).

    python3 tools/gpu/energy_check.py RESULTS.json [--power-limit WATTS]

For each ok row: its energy source, J per sample, average and idle power, the window, and two
checks: the average power lies between the idle power and the board's power limit (given, or read
from `nvidia-smi --query-gpu=power.limit`), and energy_j equals avg_power_w x window_s within 1%
(the row's fields agree). A row with source none prints its reason. Exit status 1 when a row with a
number fails a check, 0 otherwise.
"""
import argparse
import json
import subprocess
import sys


def power_limit(given):
    if given is not None:
        return given
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=power.limit", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=20).stdout.split()
        return float(out[0]) if out else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results")
    parser.add_argument("--power-limit", type=float, help="the board's power limit, W (default: nvidia-smi's)")
    args = parser.parse_args()
    with open(args.results) as f:
        rows = [r for r in json.load(f)["rows"] if r["status"] == "ok"]
    limit = power_limit(args.power_limit)
    print(f"power limit: {limit if limit is not None else 'unknown'} W")
    print(f"{'row':44} {'source':6} {'J/sample':>9} {'avg W':>7} {'idle W':>7} {'window s':>8}  checks")
    failed = 0
    for r in rows:
        name = f"{r['framework']} {r['device']} {r['precision']} {r['scenario']} b{r['batch']}"
        e = r.get("energy") or {}
        if e.get("energy_j") is None:
            print(f"{name:44} {e.get('source', '-'):6} no number: {e.get('reason', 'no energy record')}")
            continue
        checks = []
        idle, avg = e.get("idle_power_w"), e["avg_power_w"]
        within = (idle is None or avg > idle) and (limit is None or avg <= limit)
        checks.append(f"idle < avg <= limit: {'yes' if within else 'NO'}")
        product = avg * e["window_s"]
        agree = abs(product - e["energy_j"]) <= 0.01 * e["energy_j"]
        checks.append(f"E = P x t: {'yes' if agree else 'NO'}")
        failed += not (within and agree)
        idle_text = f"{idle:7.1f}" if idle is not None else "      -"
        print(f"{name:44} {e['source']:6} {e['j_per_sample']:9.4f} {avg:7.1f} {idle_text} {e['window_s']:8.2f}  "
              + "; ".join(checks))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
