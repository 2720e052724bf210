# SPDX-License-Identifier: Apache-2.0
"""Issue #23's sanity check of a run's energy rows (run_h100.sh --energy prints it in its summary).

    python3 tools/gpu/energy_check.py RESULTS.json [--power-limit WATTS]

For each ok row: its energy source, J per sample, average and idle power, the window, and two
checks:
  - the average power lies above the idle power and, for a GPU board (nvml), at or below the
    board's power limit (given, or read per GPU from `nvidia-smi --query-gpu=index,power.limit`;
    a CPU package's limit is not the GPU's, so rapl rows get the idle check alone);
  - energy = average power x window, with the average power measured independently of the energy
    counter: NVML's board power readings over the same window (the row's sampled_power_w), which
    must agree with the counter's energy_j / window_s within 15% (a reading is an average over up
    to a second, so it lags a change of load). Where the row has no independent reading (RAPL; NVML
    without the counter, whose energy *is* the readings' integral) the check says so.
A row with source none prints its reason. Exit status 1 when a row with a number fails a check, 0
otherwise.
"""
import argparse
import json
import re
import subprocess
import sys

TOLERANCE = 0.15


def power_limits(given):
    """{GPU index: limit W}; {None: given} when --power-limit is given; {} when unknown."""
    if given is not None:
        return {None: given}
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index,power.limit", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    limits = {}
    for line in out.splitlines():
        parts = [p.strip() for p in line.split(",")]
        try:
            limits[int(parts[0])] = float(parts[1])
        except (IndexError, ValueError):
            continue
    return limits


def limit_for(energy, limits):
    """The power limit of the GPU an nvml row's scope names ("GPU 0 board (...)"); None if unknown."""
    if None in limits:
        return limits[None]
    match = re.match(r"GPU (\d+) board", energy.get("scope", ""))
    if match:
        return limits.get(int(match.group(1)))
    return next(iter(limits.values())) if len(limits) == 1 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results")
    parser.add_argument("--power-limit", type=float, help="the board's power limit, W (default: nvidia-smi's, per GPU)")
    args = parser.parse_args()
    with open(args.results) as f:
        rows = [r for r in json.load(f)["rows"] if r["status"] == "ok"]
    limits = power_limits(args.power_limit)
    shown = ", ".join(f"GPU {k}: {v:g} W" if k is not None else f"{v:g} W" for k, v in limits.items())
    print(f"power limit: {shown or 'unknown'}")
    print(f"{'row':44} {'source':6} {'J/sample':>9} {'avg W':>7} {'read W':>7} {'idle W':>7} {'window s':>8}  checks")
    failed = 0
    for r in rows:
        name = f"{r['framework']} {r['device']} {r['precision']} {r['scenario']} b{r['batch']}"
        e = r.get("energy") or {}
        if e.get("energy_j") is None:
            print(f"{name:44} {e.get('source', '-'):6} no number: {e.get('reason', 'no energy record')}")
            continue
        checks = []
        idle, avg = e.get("idle_power_w"), e["avg_power_w"]
        limit = limit_for(e, limits) if e["source"] == "nvml" else None
        within = (idle is None or avg > idle) and (limit is None or avg <= limit)
        bound = f"<= limit {limit:g}" if limit is not None else ("(no GPU limit: CPU)" if e["source"] != "nvml"
                                                                 else "(limit unknown)")
        checks.append(f"idle < avg {bound}: {'yes' if within else 'NO'}")
        sampled = e.get("sampled_power_w")
        agree = True
        if sampled is not None:
            off = sampled / avg - 1
            agree = abs(off) <= TOLERANCE
            checks.append(f"E = P x t with P read apart ({sampled * e['window_s']:.1f} J vs {e['energy_j']:.1f} J, "
                          f"{off:+.1%}): {'yes' if agree else 'NO'}")
        else:
            checks.append("E = P x t: no independent power reading for this source")
        failed += not (within and agree)
        idle_text = f"{idle:7.1f}" if idle is not None else "      -"
        read_text = f"{sampled:7.1f}" if sampled is not None else "      -"
        print(f"{name:44} {e['source']:6} {e['j_per_sample']:9.4f} {avg:7.1f} {read_text} {idle_text} "
              f"{e['window_s']:8.2f}  " + "; ".join(checks))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
