# SPDX-License-Identifier: Apache-2.0
"""One table across models: each model's run (a results.json written by `inferbench run --out`) is
a column, each configuration (framework, precision, mode) a line, the cell its measured throughput
(inputs/s), the fastest of the column in bold; the parity cosine of the BF16 and INT8 configurations (their
agreement with the FP32 reference); then, per model, the fastest FP32 and the fastest overall row
with how far ahead of the next configuration it is (each model's guide.md judges that lead against
the noise), and the row with the lowest P99 latency.

    python tools/results/model_table.py results/models-cpu/*/results.json
    python tools/results/model_table.py results/models-one-run-cpu/results.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def configuration(row: dict) -> str:
    mode = "async" if row["scenario"] == "async" else "sync"
    return f"{row['framework']} {row['precision'].upper()} {mode}"


def load(paths: list[Path]) -> list[tuple[str, dict, dict[str, dict]]]:
    """(model, run record, configuration -> ok row) per model of each results.json (a run of
    several models, `--model a,b`, gives one entry per model), in the order given."""
    runs = []
    for path in paths:
        results = json.loads(path.read_text())
        models: dict[str, dict[str, dict]] = {}
        for r in results["rows"]:
            rows = models.setdefault(r["model"], {})
            if r["status"] == "ok":
                rows[configuration(r)] = r
        for model, rows in models.items():
            if not rows:
                raise SystemExit(f"{path}: no ok row of {model}")
            runs.append((model, results["run"], rows))
    return runs


def markdown(runs) -> str:
    configurations: list[str] = sorted({c for _, _, rows in runs for c in rows})
    best = {model: max(rows.values(), key=lambda r: r["throughput"])["throughput"] for model, _, rows in runs}
    lines = ["| configuration | " + " | ".join(model for model, _, _ in runs) + " |",
             "|---|" + "---:|" * len(runs),
             "| *multiply-adds per sample (M)* | "
             + " | ".join(f"{next(iter(rows.values()))['macs_per_sample'] / 1e6:.1f}" for _, _, rows in runs) + " |"]
    for c in configurations:
        cells = []
        for model, _, rows in runs:
            row = rows.get(c)
            if row is None:
                cells.append("—")
            else:
                text = f"{row['throughput']:.0f}"
                cells.append(f"**{text}**" if row["throughput"] == best[model] else text)
        lines.append(f"| {c} | " + " | ".join(cells) + " |")

    # What the lower precisions cost in agreement with the FP32 reference, per model.
    reduced = [c for c in configurations if " FP32 " not in c]
    lines += ["", "| parity cosine | " + " | ".join(model for model, _, _ in runs) + " |",
              "|---|" + "---:|" * len(runs)]
    for c in reduced:
        cells = []
        for _, _, rows in runs:
            parity = rows[c].get("parity") if c in rows else None
            cells.append(f"{parity['cosine']:.6f}" if parity else "—")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")

    lines += ["", "| model | fastest FP32 (inputs/s) | fastest overall (inputs/s) | lead over the next configuration "
                  "| lowest P99 (ms) |",
              "|---|---|---|---:|---|"]
    for model, _, rows in runs:
        ranked = sorted(rows.values(), key=lambda r: r["throughput"], reverse=True)
        fp32 = next(r for r in ranked if r["precision"] == "fp32")
        best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
        lead = f"{(best['throughput'] / second['throughput'] - 1) * 100:.1f}% over {configuration(second)}" if second else "—"
        tail = min(rows.values(), key=lambda r: r["latency_ms"]["p99"])
        lines.append(f"| {model} | {configuration(fp32)} ({fp32['throughput']:.0f}) | "
                     f"{configuration(best)} ({best['throughput']:.0f}) | {lead} | "
                     f"{configuration(tail)} ({tail['latency_ms']['p99']:.2f}) |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+", type=Path, help="results.json files, one per model")
    args = parser.parse_args()
    print(markdown(load(args.results)), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
