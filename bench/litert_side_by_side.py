# SPDX-License-Identifier: Apache-2.0
"""Side by side: the same .tflite (MobileNetV2 from litert-torch), same threads and batch, timed by
inferbench (the litert plugin: LiteRT's C compiled-model API in libLiteRt.so, CPU accelerator =
XNNPACK) and by the ai-edge-litert wheel's own Python runtime in one run, FP32 and INT8,
alternating the sides to share the machine's drift. Prints each side and the ratios inferbench
FPS / Python FPS (target >= 0.95). Runs in the LiteRT environment:

    <litert venv>/bin/python bench/litert_side_by_side.py --inferbench ./inferbench \\
        [--batch 64 --rounds 3 --out bench/results/litert_side_by_side.txt]

Threads: the same --threads on every side (default 2, this machine's cores). The plugin passes
them to LiteRT's CPU accelerator as its "xnnpack" options (TOML "num_threads = N", what the
Python binding writes too); each Python side also reports how many CPUs its process kept busy
while timing, which shows the count took effect.

inferbench side: `inferbench run --backends litert --threads 1` exports (or reuses) the .tflite
and measures it with the study's protocol; its artefact path is what the Python sides load.
Python sides, each in a fresh process, the same seeded standard-normal NCHW input, 50 warm-up +
100 timed iterations, FPS = batch / P50:
  - compiled_model: ai_edge_litert.compiled_model.CompiledModel.from_file (CPU accelerator,
    CpuOptions(num_threads)), input written into its tensor buffer once, run_by_index per
    iteration — the same runtime path as the plugin, through the wheel's Python bindings;
  - interpreter: ai_edge_litert.interpreter.Interpreter(num_threads) (the classic TFLite
    interpreter with its default XNNPACK delegate), set_tensor once, invoke() per iteration.
Waiting for a quiet machine and repeating disturbed rounds: see bench/side_by_side.py.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side import Log, alternate, arguments, begin, inferbench_row, python_measurement, report_ratios, timed_loop  # noqa: E402

# The study's TFLite row was an estimate, not a measurement.
STUDY_P50_MS = 15.6
STUDY_FPS = 4113


def seeded_input(shape, seed: int, dtype=None, quantization=(0.0, 0)):
    """The seeded standard-normal batch; quantised with the tensor's scale and zero point when
    the model takes integers (as the plugin's set_input does)."""
    import numpy as np
    x = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
    if dtype is None or np.dtype(dtype) == np.float32:
        return x
    scale, zero_point = quantization
    info = np.iinfo(dtype)
    return np.clip(np.rint(x / scale) + zero_point, info.min, info.max).astype(dtype)


def run_compiled_model(artefact: str, batch: int, threads: int, warmup: int, iters: int, seed: int) -> dict:
    from ai_edge_litert.compiled_model import CompiledModel
    from ai_edge_litert.hardware_accelerator import HardwareAccelerator
    from ai_edge_litert.options import CpuOptions, Options

    start = time.perf_counter()
    model = CompiledModel.from_file(artefact, options=Options(hardware_accelerators=HardwareAccelerator.CPU,
                                                              cpu_options=CpuOptions(num_threads=threads)))
    inputs = model.create_input_buffers(0)
    outputs = model.create_output_buffers(0)
    compile_ms = (time.perf_counter() - start) * 1000
    details = model.get_input_tensor_details(model.get_signature_by_index(0)["key"])
    detail = next(iter(details.values()))
    x = seeded_input(tuple(detail["shape"]), seed)
    if str(detail.get("dtype", "float32")).endswith("float32"):
        inputs[0].write(x)
    else:
        raise SystemExit(f"compiled_model side: input dtype {detail.get('dtype')} is not float32")
    timing = timed_loop(lambda: model.run_by_index(0, inputs, outputs), warmup, iters)
    return {**timing, "fps": batch / (timing["p50"] / 1000), "compile_ms": compile_ms, "threads": threads,
            "fully_accelerated": model.is_fully_accelerated()}


def run_interpreter(artefact: str, batch: int, threads: int, warmup: int, iters: int, seed: int) -> dict:
    from ai_edge_litert.interpreter import Interpreter

    start = time.perf_counter()
    interpreter = Interpreter(model_path=artefact, num_threads=threads)
    interpreter.allocate_tensors()
    compile_ms = (time.perf_counter() - start) * 1000
    detail = interpreter.get_input_details()[0]
    x = seeded_input(tuple(detail["shape"]), seed, detail["dtype"], detail["quantization"])
    interpreter.set_tensor(detail["index"], x)
    timing = timed_loop(interpreter.invoke, warmup, iters)
    return {**timing, "fps": batch / (timing["p50"] / 1000), "compile_ms": compile_ms, "threads": threads}


def main() -> int:
    parser = arguments(__doc__, threads=2, precisions="fp32,int8")
    args = parser.parse_args()
    log = Log()

    from importlib.metadata import version
    begin(args, log, "litert side-by-side: MobileNetV2 .tflite (CPU accelerator, XNNPACK)",
          f"ai-edge-litert {version('ai-edge-litert')} | litert-torch {version('litert-torch')}")

    def python_side(function: str, threads: int):
        return lambda artefact: python_measurement(__file__, function, artefact=artefact, batch=args.batch,
                                                   threads=threads, warmup=args.warmup, iters=args.iters, seed=0)

    met = True
    for precision in args.precisions.split(","):
        result = alternate(
            args.rounds, args.max_other,
            lambda: inferbench_row(args.inferbench, "litert", precision, args.batch, args.threads,
                                   args.warmup, args.iters),
            {"compiled_model": python_side("run_compiled_model", args.threads),
             "interpreter": python_side("run_interpreter", args.threads)},
            lambda row: (f"threads {row['effective'].get('threads')} ({row['effective'].get('cpu_options')}), fully accelerated "
                         f"{row['effective'].get('fully_accelerated')}, input {row['effective'].get('model_input')}, "
                         f"compile {row['compile_ms']:.1f} ms, "
                         f"parity cos {row['parity']['cosine'] if row.get('parity') else 'n/a'}"),
            lambda py: f"threads {py['threads']}, busy CPUs {py['cpus']:.2f}, load+compile {py['compile_ms']:.1f} ms",
            precision, log)
        met = report_ratios(result, precision, log) and met
    log(f"# the study's TFLite INT8 row was estimated, not measured: P50 {STUDY_P50_MS} ms, {STUDY_FPS} FPS "
        f"(batch 64, Core i7-12700H)")
    log(f"# 1-minute load average after timing: {os.getloadavg()[0]:.2f}")
    log.save(args.out)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
