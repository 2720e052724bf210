# SPDX-License-Identifier: Apache-2.0
"""Side by side: the same ExecuTorch .pte (MobileNetV2, XNNPACK), same threads and batch, timed by
inferbench (C++ Module API plugin) and by ExecuTorch's own Python runtime in one run, FP32 and
INT8, alternating the two sides to share the machine's drift. Prints both and the ratio
inferbench FPS / Python FPS (target >= 0.95). Runs in the ExecuTorch environment:

    <executorch venv>/bin/python bench/executorch_side_by_side.py --inferbench ./inferbench \\
        [--batch 64 --threads 2 --rounds 3 --out bench/results/executorch_side_by_side.txt]

inferbench side: `inferbench run --backends executorch` exports (or reuses) the .pte and measures
it with the study's protocol; its artefact path is what the Python side loads.
Python side: executorch.runtime.Runtime.load_program (Verification.Minimal, as Module::load) ->
load_method("forward") -> method.execute([x]) per iteration, thread pool sized first with
portable_lib._unsafe_reset_threadpool(threads) (the same libexecutorch_threadpool.so the C++
plugin sizes), the same seeded standard-normal input, 50 warm-up + 100 timed iterations,
FPS = batch / P50 (NumPy's default percentile, the definition inferbench uses). The Python call
passes the input tensor on every execute (the binding sets it, copying it into the program's
planned input) and returns the output as a new torch tensor; inferbench binds the input once.
Before timing, the script waits until the 1-minute load average is below --max-load (other users
of the machine distort both sides) and records it. Each side of each round also records how many
CPUs other programs used meanwhile (/proc/stat busy time minus our children's CPU time); a round
where either side shared the CPUs (>= --max-other) is logged as disturbed and repeated, and the
ratio compares the medians of the undisturbed rounds.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side import Log, alternate, arguments, begin, inferbench_row, python_measurement, report_ratios, timed_loop  # noqa: E402

# The study's estimate for the ExecuTorch INT8 row (an FP32 timing scaled by a published factor).
STUDY_P50_MS = 15.534
STUDY_FPS = 4120.10


def run_python(artefact: str, batch: int, threads: int, warmup: int, iters: int, seed: int) -> dict:
    from executorch.extension.pybindings import portable_lib
    from executorch.runtime import Runtime, Verification

    # Before load_method: XNNPACK binds the pool when it builds its runtime.
    portable_lib._unsafe_reset_threadpool(threads)
    start = time.perf_counter()
    program = Runtime.get().load_program(artefact, verification=Verification.Minimal)
    method = program.load_method("forward")
    compile_ms = (time.perf_counter() - start) * 1000
    shape = tuple(method.metadata.input_tensor_meta(0).sizes())
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    timing = timed_loop(lambda: method.execute([x]), warmup, iters)
    return {**timing, "fps": batch / (timing["p50"] / 1000), "compile_ms": compile_ms,
            "threads": portable_lib._threadpool_get_thread_count()}


def main() -> int:
    parser = arguments(__doc__, threads=2, precisions="fp32,int8")
    args = parser.parse_args()
    log = Log()

    from importlib.metadata import version
    begin(args, log, "executorch side-by-side: MobileNetV2 .pte (XNNPACK)",
          f"executorch {version('executorch')} | torch {torch.__version__}")

    met = True
    for precision in args.precisions.split(","):
        result = alternate(
            args.rounds, args.max_other,
            lambda: inferbench_row(args.inferbench, "executorch", precision, args.batch, args.threads,
                                   args.warmup, args.iters),
            {"python": lambda artefact: python_measurement(__file__, "run_python", artefact=artefact,
                                                           batch=args.batch, threads=args.threads,
                                                           warmup=args.warmup, iters=args.iters, seed=0)},
            lambda row: (f"threads {row['effective'].get('threads')}, compile {row['compile_ms']:.1f} ms, "
                         f"parity cos {row['parity']['cosine'] if row.get('parity') else 'n/a'}"),
            lambda py: f"threads {py['threads']}, load_program+load_method {py['compile_ms']:.1f} ms",
            precision, log)
        met = report_ratios(result, precision, log) and met
    log(f"# the study's ExecuTorch INT8 estimate (not measured there): P50 {STUDY_P50_MS} ms, {STUDY_FPS} FPS "
        f"(batch 64, Core i7-12700H)")
    log(f"# 1-minute load average after timing: {os.getloadavg()[0]:.2f}")
    log.save(args.out)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
