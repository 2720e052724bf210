#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Python reference for inferbench's GPU rows (issue #6): the configurations a PyTorch expert
would ship, measured from Python with the study's protocol, to set the bar the C++ rows must reach
(>= 0.97 of each counterpart, side by side in the same GPU run).

    python bench/torch_cuda_reference.py [--configs LIST] [--out DIR] [--device cuda|cpu]
    python bench/torch_cuda_reference.py --device cpu --model tiny_cnn --batch 2 --warmup 2 --iters 3 \\
        --configs eager_fp32                                   # smoke test on a machine with no GPU

Model: MobileNetV2 with inferbench's seeded random weights (tools/export/models.py, imported, so
both sides run the same network), eval mode. Input: seeded torch.randn on the host, copied to the
device once and left resident (as inferbench's set_input does). Protocol: --warmup iterations (the
first one timed separately as first_inference_ms), then --iters timed ones, each ended by
torch.cuda.synchronize(); host latency per iteration from time.perf_counter_ns around call + sync,
device time per iteration from a pair of CUDA events around the call. FPS = batch / P50 of host
latency (the study's definition); throughput = samples / wall time of the timed loop. Percentiles:
linear interpolation between closest ranks (NumPy's default, the one inferbench uses).

Configurations (--configs, comma list; default: every one marked *):
  eager_fp32 *                   eager module, FP32, contiguous input
  eager_fp16_cl *                eager module, FP16 weights and input, channels-last
  torchscript_fp16 *             torch.jit.trace of the FP16 channels-last module + freeze +
                                 optimize_for_inference (compile = those + 2 forward passes)
  cudagraph_fp16 *               the FP16 channels-last module captured once in a torch.cuda.CUDAGraph
                                 (3 warm-up passes on a side stream, then capture); one replay per
                                 iteration on the static input
  compile_reduce_overhead_fp16 * torch.compile(mode="reduce-overhead"): Inductor + CUDA graph trees
  compile_max_autotune_fp16      torch.compile(mode="max-autotune"); off by default: 236 s of
                                 compilation on the H100 of the issue
  aoti_fp16 *                    torch.export + torch._inductor.aoti_compile_and_package (export_ms),
                                 then aoti_load_package in a fresh process (compile_ms = the load);
                                 --aoti-package PATH loads that package instead of compiling one
                                 (inferbench's own, so both sides run the same file; its export_ms
                                 is read from the manifest.json beside it)
The torch.compile and AOTInductor configurations each run in a child process with a timeout, with
a fresh Inductor cache (the compile time is a cold one) and faulthandler on: a crash or hang
becomes a row with its status, the stage it died in and the child's stderr, and the rest goes on.
An AOTInductor load that crashes is retried once with LD_DEBUG=files to record the last shared
library initialised before the crash.

With --device cpu the CUDA-only configurations (every FP16 one, the CUDA graph) are skipped with a
reason, unless --cpu-dtype fp32|bf16 asks to run the FP16 ones in that dtype to exercise their
code (the rows say so); the CUDA graph is skipped on the CPU regardless.

Output: a text table on stdout (and --out DIR/reference.txt) and DIR/reference.json with the
environment fingerprint (GPU, driver, CUDA, cuDNN, torch, Triton, CPU) and one row per
configuration; the JSON is rewritten after every configuration so a run cut short keeps what it
measured.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import faulthandler
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools" / "export"))

# The issue's reference numbers (H100 80GB, driver 580, CUDA 13.0, torch 2.11, MobileNetV2, batch
# 64), P50 ms, printed beside ours for a sanity check; not used for any pass/fail.
ISSUE_P50_MS = {
    "eager_fp32": 5.60,
    "eager_fp16_cl": 3.33,
    "torchscript_fp16": 2.76,
    "cudagraph_fp16": 2.64,
    "compile_max_autotune_fp16": 2.01,
    "compile_reduce_overhead_fp16": 2.09,
}


@dataclasses.dataclass(frozen=True)
class Config:
    name: str
    label: str
    kind: str          # eager | torchscript | cudagraph | compile | aoti
    half: bool         # FP16 (or --cpu-dtype on the CPU) and channels-last
    default: bool
    isolated: bool     # runs in a child process
    compile_mode: str | None = None


CONFIGS = {c.name: c for c in [
    Config("eager_fp32", "eager FP32", "eager", False, True, False),
    Config("eager_fp16_cl", "eager FP16 channels-last", "eager", True, True, False),
    Config("torchscript_fp16", "frozen TorchScript FP16 channels-last", "torchscript", True, True, False),
    Config("cudagraph_fp16", "CUDA graph replay, FP16 channels-last", "cudagraph", True, True, False),
    Config("compile_reduce_overhead_fp16", "torch.compile reduce-overhead FP16 channels-last", "compile",
           True, True, True, "reduce-overhead"),
    Config("compile_max_autotune_fp16", "torch.compile max-autotune FP16 channels-last", "compile",
           True, False, True, "max-autotune"),
    Config("aoti_fp16", "AOTInductor package FP16 channels-last", "aoti", True, True, True),
]}

DEFINITIONS = {
    "compile_ms": "eager: move + convert the module; torchscript: trace + freeze + optimize_for_inference "
                  "+ 2 forward passes; cudagraph: 3 side-stream warm-up passes + capture; compile: "
                  "torch.compile + the first 3 calls (Dynamo, Inductor, autotuning, CUDA-graph recording); "
                  "aoti: aoti_load_package in a fresh process (the C++ loader's work; the Python-only part, "
                  "imports and the device probe, is done before and reported as python_only_load_ms)",
    "export_ms": "aoti only: torch.export.export + aoti_compile_and_package, in its own process",
    "first_inference_ms": "the first warm-up iteration after compile, call + sync",
    "latency_ms": "host time per timed iteration: call + torch.cuda.synchronize(), perf_counter_ns",
    "device_ms": "CUDA-event time per timed iteration (events recorded around the call on the current stream)",
    "fps": "batch / latency_ms.p50 (the study's definition)",
    "throughput": "batch * iters / wall time of the timed loop",
    "peak_device_mb": "torch.cuda.max_memory_allocated() after the measurement (allocator peak, this process)",
    "parity": "vs the eager FP32 output of the same model and input on the same device: max |a-b|, cosine "
              "of the flattened outputs, share of samples with the same top-1 class",
    "percentiles": "linear interpolation between closest ranks (NumPy default, R type 7)",
}


def stage(name: str) -> None:
    """Marks progress on stderr, so that a crash names the stage it happened in.

    TORCH_REF_FAULT_AT=<stage> makes a child crash there with a real SIGSEGV (faulthandler's
    _sigsegv), to test that a crash becomes a row with its stage and traceback."""
    print(f"[stage] {name}", file=sys.stderr, flush=True)
    if os.environ.get("TORCH_REF_FAULT_AT") == name:
        faulthandler._sigsegv()


def quantile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default, R type 7); p in [0, 1]."""
    n = len(sorted_values)
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def summarise(values: list[float]) -> dict:
    s = sorted(values)
    mean = sum(s) / len(s)
    std = math.sqrt(sum((v - mean) ** 2 for v in s) / (len(s) - 1)) if len(s) > 1 else 0.0
    return {"p50": quantile(s, 0.5), "p90": quantile(s, 0.9), "p95": quantile(s, 0.95),
            "p99": quantile(s, 0.99), "min": s[0], "max": s[-1], "mean": mean, "std": std}


# ---------------------------------------------------------------------------------------------
def memory_traffic(model_name: str, seed: int) -> dict:
    """What one sample of the model moves through device memory if every convolution and linear
    layer reads its input and writes its output there once (element-wise layers fused into them,
    no reuse of a layer's output from cache by the next): their input + output activations, counted
    with forward hooks in one CPU pass, and their weights (read once per batch). gpu_compare.py
    turns these element counts into bytes per image at each row's precision and, over the copy
    bandwidth device_limits measured, a memory-traffic FPS bound beside the multiply-add one. An
    estimate of the traffic an unfused runtime causes, not a hard floor: a runtime that keeps a
    layer's output in cache for the next layer moves less."""
    import models
    model, shape = models.build(model_name, seed, None)
    return {"method": "convolution and linear layers: input + output activations per sample, weights once "
                      "per batch (forward hooks, one CPU pass; tools/export/models.py layer_traffic)",
            **models.layer_traffic(model, shape)}


# Everything below that touches torch imports it lazily, so that --help works anywhere.

def resolve_device(args):
    import torch
    if args.device == "cuda" and not torch.cuda.is_available():
        return None
    return torch.device(args.device)


def build_inputs(args, device):
    """The FP32 model and input on the device, and the compute dtype of the 'half' configs."""
    import torch
    import models
    model, shape = models.build(args.model, args.seed, None)
    x = torch.randn((args.batch, *shape), generator=torch.Generator().manual_seed(args.seed))
    if device.type == "cuda":
        half_dtype = torch.float16
    else:
        half_dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.cpu_dtype] if args.cpu_dtype else None
    return model.to(device), x.to(device), half_dtype


def half_model(model, x, dtype):
    import copy
    import torch
    m = copy.deepcopy(model).to(dtype=dtype, memory_format=torch.channels_last)
    return m, x.to(dtype=dtype, memory_format=torch.channels_last)


def reference_output(model, x):
    import torch
    with torch.inference_mode():
        return model(x).float()


def parity(out, ref) -> dict:
    import torch
    a, b = out.float().flatten(1), ref.float().flatten(1)
    cos = torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0).item()
    return {"max_abs_err": (a - b).abs().max().item(), "cosine": cos,
            "top1_agreement": (a.argmax(1) == b.argmax(1)).float().mean().item()}


def measure(step, device, batch: int, warmup: int, iters: int) -> dict:
    """The study's protocol around step() (one inference of the whole batch)."""
    import torch
    cuda = device.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    t0 = time.perf_counter_ns()
    step()
    sync()
    first_ms = (time.perf_counter_ns() - t0) / 1e6
    for _ in range(max(warmup - 1, 0)):
        step()
        sync()
    events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
              for _ in range(iters)] if cuda else []
    host = [0.0] * iters
    wall0 = time.perf_counter_ns()
    for i in range(iters):
        t0 = time.perf_counter_ns()
        if cuda:
            events[i][0].record()
        step()
        if cuda:
            events[i][1].record()
        sync()
        host[i] = (time.perf_counter_ns() - t0) / 1e6
    wall_s = (time.perf_counter_ns() - wall0) / 1e9
    latency = summarise(host)
    result = {"first_inference_ms": first_ms, "latency_ms": latency,
              "fps": batch / (latency["p50"] / 1000), "throughput": batch * iters / wall_s,
              "samples": iters, "samples_ms": host}
    if cuda:
        dev = [s.elapsed_time(e) for s, e in events]
        result["device_ms"] = summarise(dev)
        result["device_samples_ms"] = dev
    return result


def prepare(config: Config, model, x, half_dtype, device):
    """Builds the configuration; returns (step, compile_ms, notes). step() returns the output."""
    import torch
    notes = []
    t0 = time.perf_counter()
    if config.half:
        model, x = half_model(model, x, half_dtype)
    if config.kind == "eager":
        def step():
            return model(x)
    elif config.kind == "torchscript":
        with torch.no_grad():
            traced = torch.jit.trace(model, x, check_trace=False)
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
        with torch.inference_mode():
            frozen(x)
            frozen(x)

        def step():
            return frozen(x)
    elif config.kind == "cudagraph":
        static_x = x.clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.inference_mode():
            with torch.cuda.stream(side):
                for _ in range(3):
                    model(static_x)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                static_y = model(static_x)

        def step():
            graph.replay()
            return static_y
    elif config.kind == "compile":
        compiled = torch.compile(model, mode=config.compile_mode)
        mark = getattr(torch.compiler, "cudagraph_mark_step_begin", None) if device.type == "cuda" else None

        def step():
            if mark:
                mark()  # a new inference step: CUDA graph trees may reuse the last output's memory
            return compiled(x)
        with torch.inference_mode():
            for _ in range(3):
                step()
    else:
        raise AssertionError(config.kind)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return step, (time.perf_counter() - t0) * 1000, notes


def run_in_process(config: Config, args, device) -> dict:
    import torch
    model, x, half_dtype = build_inputs(args, device)
    ref = reference_output(model, x)
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    step, compile_ms, notes = prepare(config, model, x, half_dtype, device)
    with torch.inference_mode():
        row = measure(step, device, args.batch, args.warmup, args.iters)
        out = step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        row["parity"] = parity(out, ref)
    row.update(status="ok", compile_ms=compile_ms, notes=notes)
    if device.type == "cuda":
        row["peak_device_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return row


# ---------------------------------------------------------------------------------------------
# AOTInductor, in two child processes: compile (export + package), then load + measure.

def aoti_compile_child(args, device) -> dict:
    import torch
    model, x, half_dtype = build_inputs(args, device)
    model, x = half_model(model, x, half_dtype)
    stage("export")
    t0 = time.perf_counter()
    with torch.no_grad():
        exported = torch.export.export(model, (x,))
        stage("aoti_compile_and_package")
        path = torch._inductor.aoti_compile_and_package(exported, package_path=args.package)
    export_ms = (time.perf_counter() - t0) * 1000
    row = {"export_ms": export_ms, "package": str(path), "package_bytes": os.path.getsize(path)}
    with zipfile.ZipFile(path) as z:
        row["package_files"] = sorted(([i.filename, i.file_size] for i in z.infolist()),
                                      key=lambda f: -f[1])[:20]
    return row


def aoti_load_child(args, device) -> dict:
    import torch
    model, x, half_dtype = build_inputs(args, device)
    ref = reference_output(model, x)
    _, x = half_model(model, x, half_dtype)
    del model
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    # The issue's crash was inside torch/export/pt2_archive/_package.py:_load_aoti, which calls
    # AOTIModelPackageLoader.load_metadata_from_package and then the AOTIModelPackageLoader
    # constructor (the C++ loader inferbench uses). Doing the first here on its own tells which.
    # Python-only work of aoti_load_package is done first and timed apart, since the C++ loader
    # does none of it: importing the Inductor modules, and get_device_information(), which probes
    # the CPU's vector ISA by compiling small test programs (seconds; cached per process).
    stage("python imports + get_device_information")
    t0 = time.perf_counter()
    import torch._inductor.codecache
    import torch._inductor.package  # noqa: F401
    torch._inductor.codecache.get_device_information(device.type)
    import_ms = (time.perf_counter() - t0) * 1000
    stage("load_metadata_from_package")
    meta = torch._C._aoti.AOTIModelPackageLoader.load_metadata_from_package(args.package, "model")
    # A package computes garbage from an input in another layout than it was compiled for (it does
    # not check strides): one from inferbench's exporter says its layout in the metadata.
    if dict(meta).get("inferbench_memory_format") == "contiguous":
        x = x.contiguous()
    stage("aoti_load_package")
    t0 = time.perf_counter()
    runner = torch._inductor.aoti_load_package(args.package)
    if device.type == "cuda":
        torch.cuda.synchronize()
    compile_ms = (time.perf_counter() - t0) * 1000
    stage("first_run")

    def step():
        return runner(x)
    with torch.inference_mode():
        row = measure(step, device, args.batch, args.warmup, args.iters)
        stage("parity")
        out = step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        row["parity"] = parity(out, ref)
    row.update(compile_ms=compile_ms, python_only_load_ms=import_ms,
               metadata={k: str(v) for k, v in dict(meta).items()})
    if device.type == "cuda":
        row["peak_device_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return row


def child_main(args) -> int:
    """Entry point of a child process: one configuration or one AOTInductor stage."""
    faulthandler.enable(all_threads=True)
    import torch
    stage(f"child {args.child} start (torch {torch.__version__})")
    device = resolve_device(args)
    if args.child == "aoti-compile":
        row = aoti_compile_child(args, device)
    elif args.child == "aoti-load":
        row = aoti_load_child(args, device)
    else:
        row = run_in_process(CONFIGS[args.child], args, device)
    Path(args.child_result).write_text(json.dumps(row))
    stage("done")
    return 0


def child_command(args, child: str, result: Path, package: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-X", "faulthandler", str(Path(__file__).resolve()), "--child", child,
           "--child-result", str(result), "--device", args.device, "--model", args.model,
           "--batch", str(args.batch), "--warmup", str(args.warmup), "--iters", str(args.iters),
           "--seed", str(args.seed)]
    if args.cpu_dtype:
        cmd += ["--cpu-dtype", args.cpu_dtype]
    if package:
        cmd += ["--package", str(package)]
    if args.cudnn_benchmark:
        cmd += ["--cudnn-benchmark"]
    if args.inductor_freezing:
        cmd += ["--inductor-freezing"]
    return cmd


ACTIVE_CHILDREN: set[int] = set()


def end_children(signum, _frame) -> None:
    """SIGTERM/SIGINT: end the children's process groups (they are in sessions of their own)."""
    for pid in list(ACTIVE_CHILDREN):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    sys.exit(128 + signum)


def run_child(args, child: str, workdir: Path, timeout_s: float, package: Path | None = None,
              extra_env: dict | None = None) -> tuple[str, dict, dict]:
    """Runs one child; returns (status, its result row or {}, diagnostics)."""
    result = workdir / f"{child}.json"
    log = workdir / f"{child}{'-lddebug' if extra_env else ''}.stderr"
    env = dict(os.environ)
    # A fresh Inductor/Triton cache per configuration (the AOTI load shares its compile's): the
    # compile time recorded is a cold one, not helped by kernels another configuration built.
    cache = workdir / f"inductor-cache-{'aoti' if child.startswith('aoti') else child}"
    env.setdefault("TORCHINDUCTOR_CACHE_DIR", str(cache))
    env.setdefault("TRITON_CACHE_DIR", str(cache / "triton"))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra_env or {})
    result.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with open(log, "w") as err:
        # Its own process group, so that a timeout also ends the compile workers Inductor starts;
        # if this process is itself terminated, the handler in main() ends the group first.
        proc = subprocess.Popen(child_command(args, child, result, package), stdout=err,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        ACTIVE_CHILDREN.add(proc.pid)
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
        finally:
            ACTIVE_CHILDREN.discard(proc.pid)
    elapsed = time.perf_counter() - t0
    text = log.read_text(errors="replace")
    stages = [line[len("[stage] "):] for line in text.splitlines() if line.startswith("[stage] ")]
    diag = {"child": child, "returncode": rc, "seconds": round(elapsed, 1),
            "last_stage": stages[-1] if stages else None, "log": str(log)}
    if rc == 0 and result.exists():
        return "ok", json.loads(result.read_text()), diag
    if rc is None:
        status, diag["error"] = "timeout", f"{child}: no result after {timeout_s:.0f} s (stage {diag['last_stage']})"
    elif rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        status, diag["error"] = "crashed", f"{child}: killed by {name} in stage {diag['last_stage']}"
    else:
        status, diag["error"] = "failed", f"{child}: exit {rc} in stage {diag['last_stage']}"
    fatal = text.find("Fatal Python error")
    diag["faulthandler"] = text[fatal:][-6000:] if fatal >= 0 else None
    diag["stderr_tail"] = text[-4000:]
    return status, {}, diag


def run_isolated(config: Config, args, workdir: Path) -> dict:
    if config.kind == "compile":
        status, row, diag = run_child(args, config.name, workdir, args.compile_timeout)
        row = dict(row, status=status, children=[diag])
        if status != "ok":
            row["error"] = diag["error"]
        return row
    # AOTInductor: compile in one process, load + measure in a fresh one (as the C++ side does).
    if args.aoti_package:
        # A package made elsewhere (inferbench's exporter, in the same GPU run): the compile is
        # not repeated, and the export time is the one its exporter recorded.
        package = Path(args.aoti_package).resolve()
        manifest = package.parent / "manifest.json"
        row = {"children": [], "package": str(package), "package_bytes": package.stat().st_size,
               "notes": [f"package given with --aoti-package, not compiled here: {package}"]}
        if manifest.exists():
            recorded = json.loads(manifest.read_text())
            row["export_ms"] = recorded.get("export_ms")
            row["notes"].append("export_ms from its manifest.json (inferbench's exporter: torch.export + "
                                "aoti_compile_and_package, inductor configs "
                                f"{recorded.get('inductor_configs')})")
    else:
        package = workdir / "mobilenet_aoti.pt2"
        status, compiled, diag_c = run_child(args, "aoti-compile", workdir, args.compile_timeout, package)
        row = {"children": [diag_c], **compiled}
        if status != "ok":
            return dict(row, status=status, error=diag_c["error"])
    status, loaded, diag_l = run_child(args, "aoti-load", workdir, args.load_timeout, package)
    row["children"].append(diag_l)
    row.update(loaded)
    row["status"] = status
    if status != "ok":
        row["error"] = diag_l["error"]
        if status == "crashed" and not args.no_ld_debug:
            # The same load once more with the dynamic loader's trace: the tail names the last
            # library opened or initialised before the crash.
            _, _, diag_dbg = run_child(args, "aoti-load", workdir, args.load_timeout, package,
                                       extra_env={"LD_DEBUG": "files"})
            log_text = Path(diag_dbg["log"]).read_text(errors="replace").splitlines()
            diag_dbg["ld_debug_tail"] = [line for line in log_text if "calling init" in line
                                         or "file=" in line][-25:]
            row["children"].append(diag_dbg)
    return row


# ---------------------------------------------------------------------------------------------

def capture(cmd: list[str]) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def environment(args, device) -> dict:
    import torch
    env = {
        "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(), "platform": platform.platform(), "python": platform.python_version(),
        "python_executable": sys.executable, "torch": torch.__version__,
        "torch_cuda": torch.version.cuda, "torch_git": torch.version.git_version,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "inductor_freezing": args.inductor_freezing,
        "torch_threads": torch.get_num_threads(),
        "inferbench_revision": capture(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"]),
        "inferbench_dirty": bool(capture(["git", "-C", str(REPO), "status", "--porcelain",
                                          "--untracked-files=no"])),
    }
    for name in ("torchvision", "triton", "numpy"):
        try:
            env[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - an optional package may be missing or broken
            env[name] = None
    try:
        env["cpu"] = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                          if line.startswith("model name"))
    except (OSError, StopIteration):
        env["cpu"] = platform.processor()
    env["cpu_count"] = os.cpu_count()
    if device is not None and device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        env.update(gpu=p.name, gpu_capability=f"{p.major}.{p.minor}", gpu_sms=p.multi_processor_count,
                   gpu_memory_mb=p.total_memory // 2**20,
                   gpu_l2_mb=getattr(p, "L2_cache_size", 0) / 2**20 or None)
        smi = capture(["nvidia-smi", "--query-gpu=driver_version,name,memory.total,clocks.sm,clocks.max.sm,"
                       "clocks.mem,power.limit,temperature.gpu,pstate", "--format=csv,noheader"])
        env["nvidia_smi"] = smi
        if smi:
            env["driver"] = smi.split(",")[0].strip()
    env["env_vars"] = {k: v for k, v in os.environ.items()
                       if k.startswith(("CUDA_", "TORCH", "TRITON", "NVIDIA_", "OMP_", "PYTORCH_"))}
    return env


def fmt(value, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def table(doc: dict) -> str:
    env, rows = doc["environment"], doc["rows"]
    a = doc["arguments"]
    lines = [
        f"# torch reference: {a['model']}, batch {a['batch']}, {a['warmup']} warm-up + {a['iters']} timed, "
        f"sync after each; FPS = batch / host P50; device {a['device']}",
        f"# env: {env.get('gpu') or env.get('cpu')} | driver {env.get('driver', '-')} | CUDA {env.get('torch_cuda')} "
        f"| cuDNN {env.get('cudnn')} | torch {env.get('torch')} | triton {env.get('triton')} | "
        f"python {env.get('python')} | cudnn.benchmark {env.get('cudnn_benchmark')}",
    ]
    base = next((r for r in rows if r["config"] == "eager_fp32" and r.get("status") == "ok"), None)
    header = (f"{'config':<30} {'status':<8} {'export ms':>10} {'compile ms':>10} {'first ms':>9} "
              f"{'P50 ms':>8} {'P99 ms':>8} {'dev P50':>8} {'FPS':>9} {'thru/s':>9} {'x fp32':>6} "
              f"{'peak MB':>8} {'max|err|':>9} {'top1':>5} {'issue P50':>9}")
    lines += [header, "-" * len(header)]
    for r in rows:
        lat = r.get("latency_ms") or {}
        dev = r.get("device_ms") or {}
        par = r.get("parity") or {}
        ratio = r["fps"] / base["fps"] if base and r.get("fps") else None
        issue = ISSUE_P50_MS.get(r["config"]) if a["model"] == "mobilenet_v2" and a["batch"] == 64 else None
        lines.append(
            f"{r['config']:<30} {r.get('status', '?'):<8} {fmt(r.get('export_ms'), '.0f'):>10} "
            f"{fmt(r.get('compile_ms'), '.0f'):>10} {fmt(r.get('first_inference_ms'), '.2f'):>9} "
            f"{fmt(lat.get('p50')):>8} {fmt(lat.get('p99')):>8} {fmt(dev.get('p50')):>8} "
            f"{fmt(r.get('fps'), '.1f'):>9} {fmt(r.get('throughput'), '.1f'):>9} {fmt(ratio, '.2f'):>6} "
            f"{fmt(r.get('peak_device_mb'), '.0f'):>8} {fmt(par.get('max_abs_err'), '.2e'):>9} "
            f"{fmt(par.get('top1_agreement'), '.2f'):>5} {fmt(issue, '.2f'):>9}")
    for r in rows:
        for note in r.get("notes") or []:
            lines.append(f"note {r['config']}: {note}")
        if r.get("error"):
            lines.append(f"{r['status']} {r['config']}: {r['error']}")
        shown = False
        for child in r.get("children") or []:
            if child.get("faulthandler") and not shown:
                shown = True
                lines.append(f"  faulthandler ({child['child']}):")
                lines += ["    " + line[:300] for line in child["faulthandler"].splitlines()[:30]]
            if child.get("ld_debug_tail"):
                lines.append(f"  LD_DEBUG=files tail ({child['child']}):")
                lines += ["    " + line.strip() for line in child["ld_debug_tail"][-12:]]
    limits = doc.get("device_limits")
    if limits:
        measured = ", ".join(f"{key} {value:.2f}" for key, value in limits.items() if isinstance(value, float))
        lines.append(f"device limits ({limits.get('method', '')}): {measured or limits.get('error', 'none')}")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=",".join(c.name for c in CONFIGS.values() if c.default),
                        help="comma list of configurations, or 'all' (default: all but max-autotune)")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--model", default="mobilenet_v2", help="a model of tools/export/models.py")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and of the input")
    parser.add_argument("--cpu-dtype", choices=["fp32", "bf16"],
                        help="on --device cpu, run the FP16 configurations in this dtype (code-path check)")
    parser.add_argument("--cudnn-benchmark", action="store_true",
                        help="torch.backends.cudnn.benchmark = True (PyTorch's default, and LibTorch's, is off)")
    parser.add_argument("--inductor-freezing", action="store_true",
                        help="torch._inductor.config.freezing = True for torch.compile and AOTInductor")
    parser.add_argument("--compile-timeout", type=float, default=420,
                        help="seconds for one torch.compile configuration or one AOTInductor compile")
    parser.add_argument("--load-timeout", type=float, default=120, help="seconds for the AOTInductor load + measure")
    parser.add_argument("--no-ld-debug", action="store_true", help="do not retry a crashed AOTI load with LD_DEBUG")
    parser.add_argument("--aoti-package", help="aoti_fp16 loads this .pt2 instead of compiling its own "
                                               "(same model, batch, dtype and layout)")
    parser.add_argument("--out", help="folder for reference.json and reference.txt (and the children's logs)")
    parser.add_argument("--render", metavar="JSON", help="print the table of a reference.json and exit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-result", help=argparse.SUPPRESS)
    parser.add_argument("--package", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = list(CONFIGS) if args.configs == "all" else [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; known: {', '.join(CONFIGS)}")
    args.config_names = names
    if min(args.batch, args.iters) < 1 or args.warmup < 1:
        parser.error("--batch and --iters must be >= 1 and --warmup >= 1 (the first inference is a warm-up)")
    return args


def device_limits(device) -> dict:
    """The device's practical ceilings, measured here: the rate of a large matrix product (cuBLAS
    on a GPU) in FP16 and in FP32 (TF32 off), in 1e12 multiply-adds per second, and the
    device-to-device copy bandwidth (bytes read + written per second). gpu_compare.py sets each
    inferbench row's multiply-adds per second against the product rate of its precision."""
    import torch
    cuda = device.type == "cuda"
    n = 8192 if cuda else 1024
    reps = 10 if cuda else 3
    copy_bytes = (1 << 30) if cuda else (64 << 20)

    def timed(step) -> float:
        """Seconds for `reps` calls of step() after 3 untimed ones (CUDA events on a GPU)."""
        for _ in range(3):
            step()
        if cuda:
            torch.cuda.synchronize()
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(reps):
                step()
            stop.record()
            stop.synchronize()
            return start.elapsed_time(stop) / 1000.0
        t0 = time.perf_counter()
        for _ in range(reps):
            step()
        return time.perf_counter() - t0

    limits = {"method": f"{n}x{n}x{n} matrix product, {reps} timed after 3 untimed; copy of "
                        f"{copy_bytes >> 20} MiB, {reps} timed; " + ("CUDA events" if cuda else "perf_counter")}
    tf32 = torch.backends.cuda.matmul.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        for name, dtype in (("fp16", torch.float16), ("fp32", torch.float32)):
            if not cuda and dtype == torch.float16:
                continue  # no FP16 product worth the name on the CPU
            a = torch.randn(n, n, device=device, dtype=dtype)
            b = torch.randn(n, n, device=device, dtype=dtype)
            limits[f"matmul_{name}_tmacs"] = n ** 3 * reps / timed(lambda: torch.mm(a, b)) / 1e12
            del a, b
        src = torch.empty(copy_bytes, dtype=torch.uint8, device=device)
        dst = torch.empty_like(src)
        limits["copy_gb_per_s"] = 2 * copy_bytes * reps / timed(lambda: dst.copy_(src)) / 1e9
        del src, dst
    except Exception as error:  # noqa: BLE001 - a failed measurement is reported, not fatal
        limits["error"] = f"{type(error).__name__}: {error}"[:500]
    finally:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        if cuda:
            torch.cuda.empty_cache()
    return limits


def apply_settings(args) -> None:
    import torch
    torch.backends.cudnn.benchmark = bool(args.cudnn_benchmark)
    if args.inductor_freezing:
        import torch._inductor.config as inductor_config
        inductor_config.freezing = True


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render:
        print(table(json.loads(Path(args.render).read_text())))
        return 0
    if args.child:
        apply_settings(args)
        return child_main(args)
    signal.signal(signal.SIGTERM, end_children)
    signal.signal(signal.SIGINT, end_children)
    import torch
    apply_settings(args)
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="torch-ref-", dir=out))
    device = resolve_device(args)
    doc = {"tool": "bench/torch_cuda_reference.py", "arguments": {k: v for k, v in vars(args).items()
           if not k.startswith("child") and k != "package"},
           "definitions": DEFINITIONS, "environment": environment(args, device), "rows": []}

    def save() -> None:
        if out:
            (out / "reference.json").write_text(json.dumps(doc, indent=1))

    print(f"# torch {torch.__version__}, device {args.device}"
          f"{' (' + doc['environment'].get('gpu', '') + ')' if device is not None and device.type == 'cuda' else ''}"
          f", configs: {', '.join(args.config_names)}", flush=True)
    for name in args.config_names:
        config = CONFIGS[name]
        base = {"config": name, "label": config.label, "device": args.device, "batch": args.batch,
                "warmup": args.warmup, "iters": args.iters,
                "dtype": ("fp16" if config.half else "fp32"), "channels_last": config.half}
        skip = None
        if device is None:
            skip = "no CUDA device visible to torch (torch.cuda.is_available() is False)"
        elif device.type == "cpu" and config.kind == "cudagraph":
            skip = "CUDA graphs need a CUDA device"
        elif device.type == "cpu" and config.half and not args.cpu_dtype:
            skip = "FP16 configuration of the GPU reference; on the CPU use --cpu-dtype fp32|bf16 to run its code path"
        if not skip and device.type == "cpu" and config.half and args.cpu_dtype:
            base["dtype"] = args.cpu_dtype
            base["notes"] = [f"run in {args.cpu_dtype} on the CPU (--cpu-dtype) to exercise the code path, not FP16"]
        t0 = time.perf_counter()
        if skip:
            row = dict(base, status="skipped", error=skip)
        else:
            print(f"## {name}: {config.label} ...", flush=True)
            try:
                result = (run_isolated(config, args, workdir) if config.isolated
                          else run_in_process(config, args, device))
                row = dict(base, **result)
                row["notes"] = base.get("notes", []) + (result.get("notes") or [])
            except Exception as error:  # noqa: BLE001 - a failed configuration is a row, not an abort
                row = dict(base, status="failed", error=f"{type(error).__name__}: {error}"[:2000])
            finally:
                if device.type == "cuda":
                    torch.cuda.empty_cache()
        row["seconds"] = round(time.perf_counter() - t0, 1)
        lat = row.get("latency_ms") or {}
        print(f"   {row['status']} in {row['seconds']} s"
              + (f": P50 {lat['p50']:.3f} ms, FPS {row['fps']:.1f}" if lat else "")
              + (f" ({row['error']})" if row.get("error") else ""), flush=True)
        doc["rows"].append(row)
        save()
    if device is not None:
        stage("device_limits")
        doc["device_limits"] = device_limits(device)
        try:
            doc["memory_traffic"] = memory_traffic(args.model, args.seed)
        except Exception as error:  # noqa: BLE001 - a count that fails is reported, not fatal
            doc["memory_traffic"] = {"error": f"{type(error).__name__}: {error}"[:500]}
        save()
    text = table(doc)
    print(text)
    if out:
        (out / "reference.txt").write_text(text + "\n")
        # Keep the children's logs; drop compile caches and packages (large, rebuilt every run).
        for path in workdir.iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.suffix == ".pt2":
                path.unlink()
        if not any(workdir.iterdir()):
            workdir.rmdir()
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(r["status"] in ("ok", "skipped") for r in doc["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
