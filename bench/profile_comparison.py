# SPDX-License-Identifier: Apache-2.0
"""The evidence for --profile (issue #24): the same matrix run without and with --profile, in one
sitting, set side by side.

    python3 bench/profile_comparison.py A_DIR B_DIR [A_NAME B_NAME] > comparison.md

A_DIR and B_DIR are two `inferbench run --out` folders of the same matrix, by default the first
without --profile and the second with it (A_NAME and B_NAME say otherwise: two runs without it,
the control for the machine's own noise). Prints Markdown: every row's timed P50 and measured throughput in both runs (the
profiling pass runs after the timed window, so they should differ only by the machine's noise; each
P50 is checked against the other run's 95% interval), each run's wall time from its timed windows,
then each profiled row's profile: operators, convolutions (operators in the three convolution
categories), coverage, the categories with 5% or more of the operator time, and the longest
operators.
"""
import datetime
import json
import os
import statistics
import sys

CONVOLUTIONS = ("convolution", "depthwise_convolution", "pointwise_convolution")
LABELS = {"convolution": "conv", "depthwise_convolution": "depthwise", "pointwise_convolution": "1x1 conv",
          "matmul": "matmul", "activation": "activation", "pooling": "pooling", "elementwise": "elementwise",
          "layout": "layout", "quantize": "quantize", "other": "other"}


def key(row: dict) -> tuple:
    return (row["model"], row["backend"], row.get("variant", ""), row["device"], row["precision"], row["scenario"],
            row["batch"])


def label(row: dict) -> str:
    mode = row["scenario"] if row["scenario"] == "sync" else row["scenario"] + " x" + row["effective"].get(
        "requests_in_flight", row["effective"].get("requests", "?"))
    return f"{row['framework']} {row['precision'].upper()} {mode}"


def load(folder: str) -> tuple:
    with open(os.path.join(folder, "results.json")) as f:
        result = json.load(f)
    rows = {key(r): r for r in result["rows"] if r["status"] == "ok"}
    return result, rows


def when(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def span_s(result: dict) -> float:
    """From the run's start to the end of its last timed window: what the run took, less the
    reports written after it."""
    ends = [when(r["window_finished_at"]) for r in result["rows"] if r.get("window_finished_at")]
    return (max(ends) - when(result["run"]["started_at"])).total_seconds() if ends else float("nan")


def inside(value: float, interval: dict) -> bool:
    lo, hi = (interval or {}).get("lo"), (interval or {}).get("hi")
    return lo is not None and hi is not None and lo <= value <= hi


def main() -> None:
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    a_name, b_name = sys.argv[3:5] if len(sys.argv) == 5 else ("without --profile", "with --profile")
    plain_result, plain = load(sys.argv[1])
    profiled_result, profiled = load(sys.argv[2])
    common = [k for k in plain if k in profiled]
    print(f"## Timed rows: {a_name} (A) and {b_name} (B)\n")
    print("| Row | P50 ms A | P50 ms B | B / A | P50 in the other's 95% interval | "
          "throughput A | throughput B | B / A |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    ratios, throughput_ratios, agree = [], [], 0
    for k in common:
        a, b = plain[k], profiled[k]
        pa, pb = a["latency_ms"]["p50"], b["latency_ms"]["p50"]
        both = inside(pa, b["p50_ci_ms"]) and inside(pb, a["p50_ci_ms"])
        agree += both
        ratios.append(pb / pa)
        throughput_ratios.append(b["throughput"] / a["throughput"])
        print(f"| {label(a)} | {pa:.1f} | {pb:.1f} | {pb / pa:.3f} | {'both ways' if both else 'no'} | "
              f"{a['throughput']:.1f} | {b['throughput']:.1f} | {b['throughput'] / a['throughput']:.3f} |")
    if common:
        print(f"\n{len(common)} rows. P50 B / A: median {statistics.median(ratios):.3f}, "
              f"from {min(ratios):.3f} to {max(ratios):.3f}; throughput B / A: median "
              f"{statistics.median(throughput_ratios):.3f}, from {min(throughput_ratios):.3f} to "
              f"{max(throughput_ratios):.3f}. The P50s agree both ways in {agree} of {len(common)} rows.")
    print(f"\nRun time (start to the last timed window's end, exports included): A {span_s(plain_result):.0f} s, "
          f"B {span_s(profiled_result):.0f} s.\n")
    if not any((r.get("profile") or {}).get("available") for r in profiled.values()):
        return

    print(f"## The profiles of {b_name}\n")
    print("| Row | Ops | Convolutions | Op time ms | Of the pass's latency | Pass s | Categories (5% or more) | "
          "Longest operators |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    passes = []
    for k, row in profiled.items():
        p = row.get("profile") or {}
        if not p.get("available"):
            print(f"| {label(row)} | | | | | | none: {p.get('reason', 'no profile')} | |")
            continue
        convolutions = sum(c["ops"] for c in p["categories"] if c["category"] in CONVOLUTIONS)
        shares = ", ".join(f"{LABELS.get(c['category'], c['category'])} {100 * c['share']:.0f}%"
                           for c in p["categories"] if c["share"] >= 0.05)
        longest = ", ".join(f"{o['name'] or o['op_type']} {100 * o['share']:.1f}%" for o in p["ops"][:3])
        passes.append(p.get("pass_s", 0))
        print(f"| {label(row)} | {p['op_count']} | {convolutions} | {p['op_ms']:.1f} | "
              f"{100 * p['coverage']:.0f}% | {p.get('pass_s', 0):.1f} | {shares} | {longest} |")
    if passes:
        print(f"\nThe profiling passes took {sum(passes):.0f} s together (each: prepare, warm-up, "
              f"{next(iter(profiled.values()))['profile']['runs']} profiled runs, destroy).")


if __name__ == "__main__":
    main()
