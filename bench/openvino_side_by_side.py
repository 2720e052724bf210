# SPDX-License-Identifier: Apache-2.0
"""Side by side: the same OpenVINO IR, batch, inference precision, threads and performance hint,
timed by inferbench (C++ OpenVINO plugin) and by OpenVINO's own benchmark_app (the Python tool
shipped in the openvino wheel), alternating in one run to share the machine's drift. Prints
both sides and the ratios inferbench / benchmark_app (target >= 0.95) for

  sync  -- LATENCY hint, one infer request, synchronous infer() per iteration
           (inferbench --scenarios sync; benchmark_app -hint latency -api sync);
  async -- THROUGHPUT hint, optimal_number_of_infer_requests requests in flight
           (inferbench --scenarios async; benchmark_app -hint throughput -api async).

    python bench/openvino_side_by_side.py --inferbench ./inferbench [--batch 64 --precision fp32
                                          --iters 100 --rounds 3 --threads 0]

Both sides run the protocol benchmark_app has: one first inference, untimed, then --iters timed
iterations (inferbench --warmup 1: its first inference is that one), inputs filled once.
Compared: sync -- FPS as batch / median latency and the measured throughput (batch x iterations
/ wall time, which is what benchmark_app prints as "Throughput" in sync mode); async -- the
measured throughput. benchmark_app's latencies come from OpenVINO's own per-request timer,
inferbench's from its monotonic clock around run() (sync) or submission to completion (async).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET = 0.95
# inferbench precision -> benchmark_app -infer_precision (the INT8 IR runs its quantised
# operations in int8 and the rest in f32, as the inferbench plugin compiles it).
INFER_PRECISION = {"fp32": "f32", "bf16": "bf16", "int8": "f32"}


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def run_inferbench(binary: str, model: str, precision: str, scenario: str, batch: int, warmup: int,
                   iters: int, threads: int, sample_shape: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", "--model", model, "--backends", "openvino", "--devices", "cpu",
               "--precisions", precision, "--scenarios", scenario, "--batch", str(batch),
               "--warmup", str(warmup), "--iters", str(iters), "--threads", str(threads),
               "--out", out, "--no-store"]
        if sample_shape:
            cmd += ["--input-shape", sample_shape]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        results = Path(out) / "results.json"
        rows = json.loads(results.read_text())["rows"] if results.exists() else []
        row = next((r for r in rows if r["backend"] == "openvino" and r["status"] == "ok"), None)
        if row is None:
            raise SystemExit(f"inferbench produced no ok openvino row:\n{done.stdout[-3000:]}")
        return row


def run_benchmark_app(tool: str, ir: str, precision: str, hint: str, batch: int, iters: int,
                      threads: int, sample_shape: list[int]) -> dict:
    cmd = [tool, "-m", ir, "-d", "CPU", "-shape", str([batch, *sample_shape]).replace(" ", ""),
           "-hint", hint, "-api", "sync" if hint == "latency" else "async", "-niter", str(iters),
           "-infer_precision", INFER_PRECISION[precision]]
    if threads > 0:
        cmd += ["-nthreads", str(threads)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = done.stdout
    if done.returncode != 0:
        raise SystemExit(f"benchmark_app failed ({' '.join(cmd)}):\n{text[-3000:]}")

    def number(pattern: str) -> float:
        match = re.search(pattern, text)
        if not match:
            raise SystemExit(f"cannot find /{pattern}/ in benchmark_app's output:\n{text[-3000:]}")
        return float(match.group(1))

    def setting(key: str) -> str:
        match = re.search(rf"^\[ INFO \]\s+{key}: (.+)$", text, re.MULTILINE)
        return match.group(1).strip() if match else "?"

    def duration_ms(label: str) -> float:
        # benchmark_app prints short durations in us and long ones in ms or s.
        match = re.search(rf"{label}\s+([0-9.]+) (us|ms|s)\b", text)
        if not match:
            raise SystemExit(f"cannot find '{label}' in benchmark_app's output:\n{text[-3000:]}")
        return float(match.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[match.group(2)]

    count = int(number(r"Count:\s+([0-9]+) iterations"))
    return {
        "median": duration_ms("Median:"),
        "mean": duration_ms("Average:"),
        "min": duration_ms("Min:"),
        "max": duration_ms("Max:"),
        "throughput": number(r"Throughput:\s+([0-9.]+) FPS"),
        "count": count,
        "duration_ms": duration_ms("Duration:"),
        "compile_ms": duration_ms("Compile model took"),
        "first_ms": duration_ms("First inference took"),
        "threads": setting("INFERENCE_NUM_THREADS"),
        "streams": setting("NUM_STREAMS"),
        # Printed as "<Type: 'float32'>": keep the type's name.
        "precision": re.sub(r"<Type: '(.+)'>", r"\1", setting("INFERENCE_PRECISION_HINT")),
        "requests": setting("OPTIMAL_NUMBER_OF_INFER_REQUESTS"),
        "command": " ".join(cmd),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inferbench", default="./inferbench")
    parser.add_argument("--benchmark-app", default=None,
                        help="benchmark_app to run (default: the one beside this Python, from the openvino wheel)")
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--precision", default="fp32", choices=sorted(INFER_PRECISION))
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--threads", type=int, default=0, help="0 = OpenVINO's default on both sides")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the two sides, per mode")
    args = parser.parse_args()

    tool = args.benchmark_app or str(Path(sys.executable).with_name("benchmark_app"))
    if not Path(tool).exists():
        tool = shutil.which("benchmark_app") or tool
    import openvino

    # The IR inferbench exports (or has cached) for this model and precision; both sides load it.
    probe = run_inferbench(args.inferbench, args.model, args.precision, "sync", 1, 0, 1, args.threads)
    ir = probe["artefact"]
    manifest = json.loads((Path(ir).parent / "manifest.json").read_text())
    sample_shape = manifest["sample_shape"]
    shape_text = "x".join(str(d) for d in sample_shape)

    print(f"# OpenVINO side-by-side: {args.model} IR, batch {args.batch}, {args.precision} "
          f"(inference precision {INFER_PRECISION[args.precision]}), threads "
          f"{args.threads or 'default'}, 1 untimed first inference + {args.iters} timed, "
          f"{args.rounds} alternating rounds per mode")
    print(f"# host: {platform.node()} | {probe['target_hardware']} | {os.cpu_count()} CPUs | "
          f"openvino {openvino.__version__} | load average at start {load_average()}")
    print(f"# IR: {ir}")
    print(f"# benchmark_app: {tool}")

    ratios = {}
    for scenario, hint in (("sync", "latency"), ("async", "throughput")):
        ib_fps, ib_thr, ba_fps, ba_thr = [], [], [], []
        for round_index in range(args.rounds):
            row = run_inferbench(args.inferbench, ir, args.precision, scenario, args.batch, 1, args.iters,
                                 args.threads, shape_text)
            eff = row["effective"]
            lat = row["latency_ms"]
            ib_fps.append(args.batch / (lat["p50"] / 1000))
            ib_thr.append(row["throughput"])
            print(f"{scenario} round {round_index + 1} inferbench:    P50 {lat['p50']:.3f} ms  mean {lat['mean']:.3f}  "
                  f"min {lat['min']:.3f}  max {lat['max']:.3f}  batch/P50 {ib_fps[-1]:.2f} FPS  "
                  f"throughput {row['throughput']:.2f} FPS  ({row['samples']} iterations; {eff.get('hint')}, "
                  f"{eff.get('inference_precision')}, threads {eff.get('threads')}, streams {eff.get('streams')}, "
                  f"requests {eff.get('requests')}, compile {row['compile_ms']:.1f} ms, load {load_average()})",
                  flush=True)
            ba = run_benchmark_app(tool, ir, args.precision, hint, args.batch, args.iters, args.threads,
                                   sample_shape)
            ba_fps.append(args.batch / (ba["median"] / 1000))
            ba_thr.append(ba["throughput"])
            print(f"{scenario} round {round_index + 1} benchmark_app: median {ba['median']:.3f} ms  mean {ba['mean']:.3f}  "
                  f"min {ba['min']:.3f}  max {ba['max']:.3f}  batch/median {ba_fps[-1]:.2f} FPS  "
                  f"throughput {ba['throughput']:.2f} FPS  ({ba['count']} iterations; {hint}, {ba['precision']}, "
                  f"threads {ba['threads']}, streams {ba['streams']}, requests {ba['requests']}, "
                  f"compile {ba['compile_ms']:.1f} ms, load {load_average()})", flush=True)
        if scenario == "sync":
            ratios["sync batch/P50 (latency)"] = statistics.median(ib_fps) / statistics.median(ba_fps)
            ratios["sync throughput"] = statistics.median(ib_thr) / statistics.median(ba_thr)
        else:
            ratios["async throughput"] = statistics.median(ib_thr) / statistics.median(ba_thr)
        paired = [f"{a / b:.3f}" for a, b in zip(ib_fps if scenario == "sync" else ib_thr,
                                                  ba_fps if scenario == "sync" else ba_thr)]
        print(f"{scenario} per-round ratios ({'batch/P50' if scenario == 'sync' else 'throughput'}): "
              f"{', '.join(paired)}")
        print(f"{scenario} median over rounds: inferbench batch/P50 {statistics.median(ib_fps):.2f} FPS, "
              f"throughput {statistics.median(ib_thr):.2f} FPS | benchmark_app batch/median "
              f"{statistics.median(ba_fps):.2f} FPS, throughput {statistics.median(ba_thr):.2f} FPS", flush=True)

    print(f"# benchmark_app command (last): {ba['command']}")
    met = True
    for name, ratio in ratios.items():
        ok = ratio >= TARGET
        met = met and ok
        print(f"ratio inferbench / benchmark_app, {name} = {ratio:.3f} "
              f"(target >= {TARGET}: {'met' if ok else 'NOT met'})")
    print(f"# load average at end {load_average()}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
