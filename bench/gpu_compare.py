#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue #6's checks on one GPU run: each inferbench CUDA row against its Python counterpart
(bench/torch_cuda_reference.py, measured in the same run), the best inferbench GPU row against the
fastest Python configuration, and the compiled-FP16 / eager-FP32 ratio beside the study's 1.78x.

    python bench/gpu_compare.py RESULTS.json REFERENCE.json [--bar-fps 31800 --bar-label "..."]

Both sides use the study's FPS = batch / P50 of the host latency per iteration (each iteration
ends with a synchronisation). Pairs (inferbench variant, precision -> reference configuration):

    eager fp32            -> eager_fp32                    (TorchScript frozen vs the eager nn.Module)
    eager fp16            -> torchscript_fp16              (both frozen TorchScript, FP16 channels-last)
    cuda_graph fp16       -> cudagraph_fp16                (both one CUDA-graph replay per iteration)
    aoti fp16             -> aoti_fp16                     (the same kind of package, loaded from Python)
    aoti_cuda_graph fp16  -> compile_reduce_overhead_fp16  (Inductor code replayed in CUDA graphs)

A package compiled with max-autotune (torch option aoti_autotune=max; the row's
effective.inductor_mode) is held to compile_max_autotune_fp16 instead, its own Python counterpart.
Where a counterpart gave no number (aoti_fp16: Python's aoti_load_package crashed on the H100
image), the pair is held to a stand-in instead, said in the pair (stand_in, and why): for the
AOTInductor packages, torch.compile of the same mode in CUDA graphs, Inductor's code with the
launch overhead taken away, so a stricter bar than the package alone.
A pair passes at a ratio of at least --min-ratio (0.97). The best inferbench row is held to the
fastest ok Python row of the run and, with --bar-fps, to a quoted number (the issue's
max-autotune 31.8k FPS, which this run may not measure: it costs minutes of compilation). It also
sets each row's multiply-adds per second (results.json macs_per_sample x FPS) against the matrix
product rate of its precision that the reference measured on the device (device_limits), and
each row's bytes per image (the reference's memory_traffic count at the row's precision) x FPS
against the device's copy bandwidth: a second, memory-traffic bound. Prints
a text report; --json FILE writes the same as JSON. Exit status 0 whatever the ratios (it reports,
the note decides), 2 when a file cannot be read.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PAIRS = [
    ("eager", "fp32", "eager_fp32"),
    ("eager", "fp16", "torchscript_fp16"),
    ("cuda_graph", "fp16", "cudagraph_fp16"),
    ("aoti", "fp16", "aoti_fp16"),
    ("aoti_cuda_graph", "fp16", "compile_reduce_overhead_fp16"),
]
# A counterpart that gave no number -> the configuration held up instead.
STAND_INS = {"aoti_fp16": "compile_reduce_overhead_fp16",
             "compile_max_autotune_fp16": "compile_reduce_overhead_fp16"}
BYTES_PER_ELEMENT = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
STUDY_COMPILED_OVER_EAGER = 1.78  # TensorRT FP16 2919 FPS / PyTorch FP32 1637 FPS, RTX 3060 laptop


def load(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        print(f"gpu_compare: cannot read {path}: {error}", file=sys.stderr)
        raise SystemExit(2) from error


def fps_of(row: dict | None) -> float | None:
    if not row or row.get("status") != "ok":
        return None
    return row.get("fps")


def compare(results: dict, reference: dict, min_ratio: float, bar_fps: float | None, bar_label: str,
            device: str = "cuda") -> dict:
    cuda_rows = [r for r in results.get("rows", []) if r.get("device") == device]
    by_variant = {(r.get("variant"), r.get("precision")): r for r in cuda_rows if r.get("scenario", "sync") == "sync"}
    ref_rows = {r["config"]: r for r in reference.get("rows", [])}
    pairs = []
    for variant, precision, config in PAIRS:
        ours = by_variant.get((variant, precision))
        if ours and (ours.get("effective") or {}).get("inductor_mode") == "max-autotune":
            config = "compile_max_autotune_fp16"
        theirs = ref_rows.get(config)
        a, b = fps_of(ours), fps_of(theirs)
        why = None
        if ours is None:
            why = "no inferbench row"
        elif a is None:
            why = f"inferbench row {ours.get('status')}: {ours.get('error', '')}"
        elif theirs is None:
            why = "not in the reference run"
        elif b is None:
            why = f"Python {theirs.get('status')}: {theirs.get('error', '')}"
        stand_in = STAND_INS.get(config)
        if a and b is None and fps_of(ref_rows.get(stand_in)):
            theirs, b = ref_rows[stand_in], fps_of(ref_rows[stand_in])
            why = f"{config} gave no number ({why}); held to {stand_in} instead"
        else:
            stand_in = None
        ratio = a / b if a and b else None
        pairs.append({
            "row": f"{ours['framework'] if ours else variant} {precision}", "variant": variant,
            "precision": precision, "fps": a, "p50_ms": ((ours or {}).get("latency_ms") or {}).get("p50"),
            "device_p50_ms": ((ours or {}).get("device_time_ms") or {}).get("p50"),
            "reference": config, "stand_in": stand_in, "reference_fps": b,
            "reference_p50_ms": ((theirs or {}).get("latency_ms") or {}).get("p50"),
            "ratio": ratio, "pass": None if ratio is None else ratio >= min_ratio, "why_no_ratio": why,
        })
    ok_ours = [r for r in cuda_rows if fps_of(r)]
    best = max(ok_ours, key=lambda r: r["fps"], default=None)
    ok_python = [r for r in reference.get("rows", []) if fps_of(r)]
    fastest = max(ok_python, key=lambda r: r["fps"], default=None)
    summary = {"device": device, "min_ratio": min_ratio, "pairs": pairs}
    if best:
        summary["best"] = {"row": f"{best['framework']} {best['precision']}", "fps": best["fps"]}
        if fastest:
            summary["best"]["vs_fastest_python"] = {"config": fastest["config"], "fps": fastest["fps"],
                                                   "ratio": best["fps"] / fastest["fps"],
                                                   "pass": best["fps"] / fastest["fps"] >= min_ratio}
        if bar_fps:
            summary["best"]["vs_bar"] = {"label": bar_label, "fps": bar_fps, "ratio": best["fps"] / bar_fps,
                                         "pass": best["fps"] / bar_fps >= min_ratio}
    # Physical limits: each ok row's multiply-adds per second (the exporter's count per sample x FPS)
    # against the matrix-product rate of its precision that the reference measured on this device.
    device_limits = reference.get("device_limits") or {}
    limits = []
    for r in sorted(ok_ours, key=lambda r: -r["fps"]):
        peak = device_limits.get(f"matmul_{r.get('precision')}_tmacs")
        macs = r.get("macs_per_sample")
        if not peak or not macs:
            continue
        achieved = macs * r["fps"] / 1e12
        limits.append({"row": f"{r['framework']} {r['precision']}", "achieved_tmacs": achieved, "peak_tmacs": peak,
                       "utilisation": achieved / peak, "fps_bound": peak * 1e12 / macs})
    summary["limits"] = {"rows": limits, "device": device_limits}
    # The second bound: bytes per image if every convolution / linear layer's input and output go
    # through device memory once (the reference's memory_traffic counts), over the measured copy
    # bandwidth (read + write).
    traffic = reference.get("memory_traffic") or {}
    bandwidth = device_limits.get("copy_gb_per_s")
    activations = traffic.get("activation_elements_per_sample")
    memory = []
    for r in sorted(ok_ours, key=lambda r: -r["fps"]):
        size = BYTES_PER_ELEMENT.get(r.get("precision"))
        if not bandwidth or not activations or not size or not r.get("batch"):
            continue
        image_bytes = size * (activations + traffic.get("weight_elements", 0) / r["batch"])
        achieved = image_bytes * r["fps"] / 1e9
        memory.append({"row": f"{r['framework']} {r['precision']}", "mb_per_image": image_bytes / 1e6,
                       "achieved_gb_per_s": achieved, "bandwidth_gb_per_s": bandwidth,
                       "utilisation": achieved / bandwidth, "fps_bound": bandwidth * 1e9 / image_bytes})
    summary["memory_traffic"] = {"rows": memory, "counts": traffic}
    eager32 = fps_of(by_variant.get(("eager", "fp32")))
    compiled = [(v, fps_of(by_variant.get((v, "fp16")))) for v in ("aoti", "aoti_cuda_graph")]
    compiled = [(v, f) for v, f in compiled if f]
    if eager32 and compiled:
        summary["compiled_over_eager_fp32"] = {
            v: f / eager32 for v, f in compiled} | {"study": STUDY_COMPILED_OVER_EAGER}
    return summary


def fmt(value, spec=".1f") -> str:
    return "-" if value is None else format(value, spec)


def render(summary: dict) -> str:
    lines = [f"# inferbench {summary['device']} rows vs their Python counterparts (FPS = batch / host P50; "
             f"pass at >= {summary['min_ratio']:.2f})",
             f"{'inferbench row':<44} {'P50 ms':>8} {'dev P50':>8} {'FPS':>9}   {'Python counterpart':<30} "
             f"{'P50 ms':>8} {'FPS':>9} {'ratio':>6}  pass"]
    lines.append("-" * len(lines[-1]))
    for p in summary["pairs"]:
        verdict = "-" if p["pass"] is None else ("yes" if p["pass"] else "NO")
        counterpart = p["stand_in"] + "*" if p.get("stand_in") else p["reference"]
        lines.append(f"{p['row']:<44} {fmt(p['p50_ms'], '.3f'):>8} {fmt(p['device_p50_ms'], '.3f'):>8} "
                     f"{fmt(p['fps']):>9}   {counterpart:<30} {fmt(p['reference_p50_ms'], '.3f'):>8} "
                     f"{fmt(p['reference_fps']):>9} {fmt(p['ratio'], '.3f'):>6}  {verdict}")
        if p["why_no_ratio"]:
            label = "* stand-in" if p.get("stand_in") else "no ratio"
            lines.append(f"    {label}: {p['why_no_ratio'][:300]}")
    best = summary.get("best")
    if best:
        lines.append(f"best inferbench {summary['device']} row: {best['row']}, {best['fps']:.1f} FPS")
        if "vs_fastest_python" in best:
            f = best["vs_fastest_python"]
            lines.append(f"  vs the fastest Python configuration of this run ({f['config']}, {f['fps']:.1f} FPS): "
                         f"{f['ratio']:.3f} {'pass' if f['pass'] else 'FAIL'}")
        if "vs_bar" in best:
            f = best["vs_bar"]
            lines.append(f"  vs {f['label']} ({f['fps']:.1f} FPS, quoted, not measured here): {f['ratio']:.3f} "
                         f"{'pass' if f['pass'] else 'FAIL'}")
    else:
        lines.append(f"no inferbench {summary['device']} row is ok")
    limits = summary.get("limits") or {}
    if limits.get("rows"):
        lines.append("physical limits: the model's multiply-adds at the row's FPS against the matrix-product rate "
                     "of its precision measured by the reference on this device "
                     f"({limits['device'].get('method', '')})")
        for x in limits["rows"]:
            lines.append(f"  {x['row']:<44} {x['achieved_tmacs']:8.2f} of {x['peak_tmacs']:8.2f} TMAC/s "
                         f"({100 * x['utilisation']:5.1f}%), FPS bound {x['fps_bound']:.0f}")
    if "copy_gb_per_s" in limits.get("device", {}):
        lines.append(f"device copy bandwidth (read + write): {limits['device']['copy_gb_per_s']:.1f} GB/s")
    traffic = summary.get("memory_traffic") or {}
    if traffic.get("rows"):
        counts = traffic["counts"]
        lines.append(f"memory traffic: bytes per image if each of the {counts.get('layers')} convolution / linear "
                     f"layers reads its input and writes its output in device memory once ("
                     f"{counts['activation_elements_per_sample'] / 1e6:.2f} M activation elements per sample, "
                     f"{counts.get('weight_elements', 0) / 1e6:.2f} M weights per batch), against the copy "
                     "bandwidth; an estimate, not a floor: fusion and cache reuse move less")
        for x in traffic["rows"]:
            lines.append(f"  {x['row']:<44} {x['mb_per_image']:6.2f} MB/image, {x['achieved_gb_per_s']:8.1f} of "
                         f"{x['bandwidth_gb_per_s']:8.1f} GB/s ({100 * x['utilisation']:5.1f}%), "
                         f"FPS bound {x['fps_bound']:.0f}")
    ratios = summary.get("compiled_over_eager_fp32")
    if ratios:
        shown = ", ".join(f"{v} {r:.2f}x" for v, r in ratios.items() if v != "study")
        lines.append(f"compiled FP16 / eager FP32 (FPS): {shown}; the study's TensorRT FP16 / PyTorch FP32: "
                     f"{ratios['study']:.2f}x")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="inferbench's results.json")
    parser.add_argument("reference", help="bench/torch_cuda_reference.py's reference.json")
    parser.add_argument("--min-ratio", type=float, default=0.97)
    parser.add_argument("--bar-fps", type=float, help="a quoted FPS the best row is also held to")
    parser.add_argument("--bar-label", default="the quoted bar")
    parser.add_argument("--device", default="cuda",
                        help="the device of the rows compared (cpu: to try this script where no GPU is)")
    parser.add_argument("--json", help="also write the comparison as JSON here")
    args = parser.parse_args()
    summary = compare(load(args.results), load(args.reference), args.min_ratio, args.bar_fps, args.bar_label,
                      args.device)
    print(render(summary))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
