# SPDX-License-Identifier: Apache-2.0
"""The evidence for the default protocol (issue #22): the default CPU matrix measured under
`--protocol study` and `--protocol adaptive`, alternating, in one sitting.

    python3 bench/protocol_comparison.py BUILD/inferbench OUT_DIR [PAIRS] [-- RUN FLAGS...]

Each pair runs both protocols (study first in odd pairs, adaptive first in even ones, so that drift
is shared) with `--no-store --out OUT_DIR/<protocol>-<pair>`, and the run flags given after `--`
(none: the default run, every backend at MobileNetV2 batch 64). It then compares every row measured
under both, pair by pair: whether the adaptive row's P50 lies inside the study row's 95% interval
and the study row's P50 inside the adaptive row's, and each run's wall time. The decision rule is
the issue's: adaptive becomes the default when every row agrees both ways in every pair and the
adaptive runs take at most half the study runs' time. Writes OUT_DIR/comparison.md and prints it.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def key(row: dict) -> tuple:
    return (row["model"], row["backend"], row.get("variant", ""), row["device"], row["precision"], row["scenario"],
            row["batch"], row.get("instances", 1))


def label(row: dict) -> str:
    mode = row["scenario"] if row["scenario"] == "sync" else row["scenario"] + " x" + row["effective"].get(
        "requests_in_flight", "?")
    return f"{row['framework']} {row['precision'].upper()} {mode}"


def run(binary: str, protocol: str, out: str, flags: list) -> float:
    start = time.monotonic()
    done = subprocess.run([binary, "run", "--protocol", protocol, "--no-store", "--overwrite", "--out", out, *flags],
                          capture_output=True, text=True)
    wall = time.monotonic() - start
    with open(out + ".log", "w") as log:
        log.write(done.stdout + done.stderr)
    if done.returncode not in (0, 1):  # 1: some row failed, which the comparison shows
        sys.exit(f"{protocol} run failed with exit code {done.returncode}; see {out}.log")
    return wall


def rows_of(out: str) -> dict:
    with open(os.path.join(out, "results.json")) as f:
        return {key(r): r for r in json.load(f)["rows"] if r["status"] == "ok"}


def inside(value: float, interval: dict) -> bool:
    lo, hi = interval.get("lo"), interval.get("hi")
    return lo is not None and hi is not None and lo <= value <= hi


def interval_text(row: dict) -> str:
    ci = row["p50_ci_ms"]
    lo = "?" if ci.get("lo") is None else f"{ci['lo']:.1f}"
    hi = "?" if ci.get("hi") is None else f"{ci['hi']:.1f}"
    return f"{row['latency_ms']['p50']:.1f} [{lo}–{hi}]"


def main() -> None:
    args = sys.argv[1:]
    flags = []
    if "--" in args:
        flags = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, out_dir = args[0], args[1]
    pairs = int(args[2]) if len(args) > 2 else 2
    os.makedirs(out_dir, exist_ok=True)

    walls = {"study": [], "adaptive": []}
    results = []  # (pair, {protocol: rows})
    for pair in range(1, pairs + 1):
        order = ["study", "adaptive"] if pair % 2 else ["adaptive", "study"]
        measured = {}
        for protocol in order:
            out = os.path.join(out_dir, f"{protocol}-{pair}")
            wall = run(binary, protocol, out, flags)
            walls[protocol].append(wall)
            measured[protocol] = rows_of(out)
            print(f"pair {pair}: {protocol} took {wall:.0f} s", file=sys.stderr, flush=True)
        results.append((pair, measured))

    lines = ["# Study against adaptive protocol", "",
             f"`{' '.join(['inferbench', 'run', *flags]) or 'inferbench run'}` under each protocol, {pairs} pair(s), "
             "alternating (study first in odd pairs).", "",
             "| Run | Study wall (s) | Adaptive wall (s) | Adaptive / study |", "|---|---:|---:|---:|"]
    for i in range(pairs):
        s, a = walls["study"][i], walls["adaptive"][i]
        lines.append(f"| pair {i + 1} | {s:.0f} | {a:.0f} | {a / s:.2f} |")
    lines += ["", "Per row: P50 ms [95% interval], samples, warm-up iterations; the adaptive row's stop. "
              "**A in S**: the adaptive P50 lies inside the study interval; **S in A**: the reverse.", ""]
    disagreements = 0
    compared = 0
    for pair, measured in results:
        study, adaptive = measured["study"], measured["adaptive"]
        lines += [f"## Pair {pair}", "",
                  "| Row | Study P50 [CI] | n | warm-up | Adaptive P50 [CI] | n | warm-up | stop | A in S | S in A |",
                  "|---|---|---:|---:|---|---:|---:|---|---|---|"]
        for k in sorted(set(study) & set(adaptive), key=lambda k: label(study[k])):
            s, a = study[k], adaptive[k]
            a_in_s = inside(a["latency_ms"]["p50"], s["p50_ci_ms"])
            s_in_a = inside(s["latency_ms"]["p50"], a["p50_ci_ms"])
            compared += 1
            disagreements += not (a_in_s and s_in_a)
            lines.append(f"| {label(s)} | {interval_text(s)} | {s['samples']} | {s['warmup']} | {interval_text(a)} | "
                         f"{a['samples']} | {a['warmup']} | {a['effective'].get('stop', '?')} | "
                         f"{'yes' if a_in_s else '**no**'} | {'yes' if s_in_a else '**no**'} |")
        only = set(study) ^ set(adaptive)
        if only:
            lines.append(f"\n{len(only)} row(s) measured under one protocol only.")
        lines.append("")
    # The control: each protocol against itself in another pair. Runs minutes apart on a shared
    # machine differ by its drift too, which no protocol removes; this says how much of the
    # disagreement above the machine alone explains.
    if len(results) >= 2:
        lines += ["## Control: each protocol against itself, pair 1 against pair 2", "",
                  "| Protocol | Rows agreeing both ways | Rows |", "|---|---:|---:|"]
        for protocol in ("study", "adaptive"):
            first, second = results[0][1][protocol], results[1][1][protocol]
            common = set(first) & set(second)
            agreeing = sum(inside(first[k]["latency_ms"]["p50"], second[k]["p50_ci_ms"]) and
                           inside(second[k]["latency_ms"]["p50"], first[k]["p50_ci_ms"]) for k in common)
            lines.append(f"| {protocol} | {agreeing} | {len(common)} |")
        lines.append("")
    ratio = statistics.mean(walls["adaptive"]) / statistics.mean(walls["study"])
    agree = disagreements == 0
    lines += ["## Decision", "",
              f"- Rows agreeing both ways: {compared - disagreements} of {compared}.",
              f"- Adaptive wall time over study wall time (means): {ratio:.2f} (the rule asks at most 0.50).",
              f"- Adaptive becomes the default: **{'yes' if agree and ratio <= 0.5 else 'no'}**."]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "comparison.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
