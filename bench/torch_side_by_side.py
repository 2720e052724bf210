# SPDX-License-Identifier: Apache-2.0
"""Side by side: the same TorchScript MobileNetV2, same threads and batch, timed by inferbench
(C++ LibTorch plugin) and by plain Python torch in one run, alternating to share the machine's
drift. Prints both and the ratio inferbench FPS / Python FPS (target >= 0.97).

    python bench/torch_side_by_side.py --inferbench ./inferbench [--batch 64 --threads 2 --rounds 2]

Python side: torch.jit.load -> eval -> torch.jit.freeze -> torch.jit.optimize_for_inference,
inference_mode, the study's 50 warm-up + 100 timed iterations, FPS = batch / P50 (NumPy's
default percentile, the same definition inferbench uses).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def run_inferbench(binary: str, batch: int, threads: int, warmup: int, iters: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", "--backends", "torch:eager", "--devices", "cpu", "--precisions", "fp32",
               "--batch", str(batch), "--threads", str(threads), "--warmup", str(warmup),
               "--iters", str(iters), "--out", out, "--no-store"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows = json.loads((Path(out) / "results.json").read_text())["rows"]
        row = next(r for r in rows if r["backend"] == "torch" and r["status"] == "ok")
        return row


def run_python(artefact: str, batch: int, threads: int, warmup: int, iters: int, seed: int) -> dict:
    torch.set_num_threads(threads)
    start = time.perf_counter()
    module = torch.jit.load(artefact, map_location="cpu").eval()
    module = torch.jit.freeze(module)
    module = torch.jit.optimize_for_inference(module)
    compile_ms = (time.perf_counter() - start) * 1000
    x = torch.randn(batch, 3, 224, 224, generator=torch.Generator().manual_seed(seed))
    samples = []
    with torch.inference_mode():
        for _ in range(warmup):
            module(x)
        for _ in range(iters):
            t0 = time.perf_counter()
            module(x)
            samples.append((time.perf_counter() - t0) * 1000)
    p50 = float(np.percentile(samples, 50))
    return {"p50": p50, "p99": float(np.percentile(samples, 99)), "fps": batch / (p50 / 1000),
            "compile_ms": compile_ms, "threads": torch.get_num_threads()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inferbench", default="./inferbench")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the two sides")
    args = parser.parse_args()

    print(f"# torch side-by-side: MobileNetV2 TorchScript, batch {args.batch}, {args.threads} threads, "
          f"{args.warmup} warm-up + {args.iters} timed, {args.rounds} alternating rounds")
    print(f"# host: {platform.node()} | {platform.processor() or platform.machine()} | torch {torch.__version__}")
    ib_fps, py_fps = [], []
    artefact = None
    for round_index in range(args.rounds):
        row = run_inferbench(args.inferbench, args.batch, args.threads, args.warmup, args.iters)
        artefact = row["artefact"]
        ib_fps.append(row["fps"])
        print(f"round {round_index + 1} inferbench: P50 {row['latency_ms']['p50']:.3f} ms  "
              f"P99 {row['latency_ms']['p99']:.3f} ms  FPS {row['fps']:.2f}  "
              f"(threads {row['effective'].get('threads')}, compile {row['compile_ms']:.1f} ms)", flush=True)
        py = run_python(artefact, args.batch, args.threads, args.warmup, args.iters, seed=round_index)
        py_fps.append(py["fps"])
        print(f"round {round_index + 1} python:     P50 {py['p50']:.3f} ms  P99 {py['p99']:.3f} ms  "
              f"FPS {py['fps']:.2f}  (threads {py['threads']}, load+freeze+optimize {py['compile_ms']:.1f} ms)",
              flush=True)
    ratio = statistics.median(ib_fps) / statistics.median(py_fps)
    print(f"artefact: {artefact}")
    print(f"median FPS: inferbench {statistics.median(ib_fps):.2f}, python {statistics.median(py_fps):.2f}")
    print(f"ratio inferbench / python = {ratio:.3f} (target >= 0.97: {'met' if ratio >= 0.97 else 'NOT met'})")
    return 0 if ratio >= 0.97 else 1


if __name__ == "__main__":
    sys.exit(main())
