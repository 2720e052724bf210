# SPDX-License-Identifier: Apache-2.0
"""What the parity pass (--input, --eval-samples) costs a run: the same three MobileNetV2 rows
(torch FP32, OpenVINO FP32 and INT8, sync, batch 64, 5 warm-up + 10 timed) run with 1000
seeded standard-normal samples as --input, once with --eval-samples 64 (one batch, what parity
compared before the pass existed) and once with 1000, alternating; the wall time of each whole
`inferbench run` (artefacts cached by a first, untimed run) and the parity sample count of its
rows.

    python bench/parity_pass_cost.py [--rounds 2] [--out bench/results/parity_pass_cost.txt]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from side_by_side import Log, wait_for_quiet

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["run", "--backends", "torch:eager,openvino", "--precisions", "fp32,int8", "--scenarios", "sync",
           "--devices", "cpu", "--warmup", "5", "--iters", "10", "--no-store"]


def timed_run(data: Path, eval_samples: int, out: Path) -> tuple[float, list[int]]:
    start = time.perf_counter()
    subprocess.run([str(ROOT / "inferbench"), *COMMAND, "--input", str(data), "--eval-samples", str(eval_samples),
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    rows = json.loads((out / "results.json").read_text())["rows"]
    return wall, [row["parity"]["samples"] for row in rows if row["status"] == "ok"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    log = Log()
    log(f"# parity pass cost: inferbench {' '.join(COMMAND)} --input <1000 samples> --eval-samples 64 | 1000")
    log(f"# host: {os.uname().nodename} | {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "samples.npy"
        np.save(data, np.random.default_rng(0).standard_normal((1000, 3, 224, 224)).astype(np.float32))
        timed_run(data, 64, Path(work) / "warm")  # exports (or finds) the artefacts, untimed
        log(f"# 1-minute load average before timing: {wait_for_quiet(0.8, 120, log):.2f}")
        for round_ in range(1, args.rounds + 1):
            for samples in (64, 1000):
                wall, counted = timed_run(data, samples, Path(work) / f"r{round_}-{samples}")
                log(f"round {round_}: --eval-samples {samples:4d}: {wall:6.1f} s wall, parity samples per row {counted}")
    log.save(args.out)


if __name__ == "__main__":
    main()
