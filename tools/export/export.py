# SPDX-License-Identifier: Apache-2.0
"""Exports a model to one artefact format and writes manifest.json beside it.

    python export.py --model mobilenet_v2 --format torchscript --precision fp32 --seed 0 --out DIR

The driver calls this once per (model, format, precision) and caches DIR by a content key.
Formats: torchscript (traced with a batch-1 example; the graph is batch-generic), openvino-ir
(OpenVINO IR, fp32 or NNCF int8; openvino_export.py), onnx (read by the OpenVINO plugin), pte
(ExecuTorch with XNNPACK, fp32 or PT2E int8, for one --batch; executorch_export.py, which hands
the lowering to the ExecuTorch environment's Python, --executorch-python), tflite (LiteRT,
fp32 or PT2E full-integer int8, for one --batch; litert_export.py, which hands the conversion to
the LiteRT environment's Python, --litert-python) and aoti (AOTInductor package: cpu fp32/bf16,
cuda fp16 channels-last, for one --batch and one --device; aoti_export.py).
An exporter may add manifest fields (for INT8: "calibration", what the calibration set was).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch

import aoti_export
import executorch_export
import handoff
import input_data
import litert_export
import models
import openvino_export


def export_torchscript(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str,
                       seed: int) -> tuple[Path, dict]:
    if precision != "fp32":
        raise SystemExit(f"torchscript artefacts are exported in fp32 only, not {precision}; "
                         "the LibTorch plugin converts precision itself")
    example = torch.zeros((1, *shape))
    with torch.no_grad():
        traced = torch.jit.trace(model, example, check_trace=False)
    path = out / "model.pt"
    traced.save(str(path))
    return path, {}


# format -> exporter(model, per-sample shape, out folder, precision, seed) -> (main file, extra
# manifest fields such as "calibration" for INT8). One entry per artefact format.
EXPORTERS = {
    "torchscript": export_torchscript,
    "openvino-ir": openvino_export.export_openvino_ir,
    "onnx": openvino_export.export_onnx,
    "pte": executorch_export.export_pte,
    "tflite": litert_export.export_tflite,
    "aoti": aoti_export.export_aoti,
}

# format -> the extra keyword arguments its exporter takes from the command line. ExecuTorch
# programs and LiteRT models have static shapes (exported for one batch) and are converted in
# environments of their own.
OPTIONS = {
    "pte": lambda args: {"batch": args.batch, "python": args.executorch_python, "model_name": args.model,
                         "sample_shape": args.sample_shape},
    "tflite": lambda args: {"batch": args.batch, "python": args.litert_python, "model_name": args.model,
                            "sample_shape": args.sample_shape},
    "aoti": lambda args: {"batch": args.batch, "device": args.device, "autotune": args.aoti_autotune,
                          "markers": args.aoti_markers},
}

# Formats whose int8 artefacts are calibrated: their exporter takes `calibration` (the user's
# data, or None for the seeded synthetic set).
CALIBRATED = {"openvino-ir", "pte", "tflite"}

# format -> function importing the SDK the exporter needs. It runs before the export timer: the
# export time is the conversion, as for torchscript, not Python's first import of an SDK.
PRELOADS = {"openvino-ir": openvino_export.import_sdks, "onnx": openvino_export.import_onnx}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True,
                        help=f"one of {', '.join(sorted(models.MODELS))}, or the user's FILE.py[:NAME]")
    parser.add_argument("--sample-shape", help="FILE.py models: one sample's shape, e.g. 3x224x224")
    parser.add_argument("--format", required=True, choices=sorted(EXPORTERS))
    parser.add_argument("--precision", required=True, choices=["fp32", "fp16", "bf16", "int8"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    parser.add_argument("--weights", help="checkpoint (state_dict) instead of random weights")
    parser.add_argument("--out", required=True, type=Path, help="folder to create")
    parser.add_argument("--batch", type=int, default=1,
                        help="batch of formats with a static shape (pte, tflite, aoti); the others are batch-generic")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                        help="device of formats compiled for one device (aoti); the others run anywhere")
    parser.add_argument("--aoti-autotune", default="off", choices=["off", "max"],
                        help="aoti: compile with Inductor's max-autotune (benchmarks kernel choices on the "
                             "device: minutes on a GPU); off = Inductor's default choices")
    parser.add_argument("--aoti-markers", default="off", choices=["off", "profile"],
                        help="aoti: profile = a profiling package, every kernel and ATen call wrapped in a "
                             "profiler marker (Inductor's cpp.enable_kernel_profile) for the per-operator "
                             "profile; never timed as a row, since the markers cost a little on every call")
    parser.add_argument("--executorch-python", default=os.environ.get("INFERBENCH_EXECUTORCH_PYTHON", ""),
                        help="Python of the ExecuTorch environment, which lowers pte artefacts")
    parser.add_argument("--litert-python", default=os.environ.get("INFERBENCH_LITERT_PYTHON", ""),
                        help="Python of the LiteRT environment, which converts tflite artefacts")
    parser.add_argument("--calibration", type=Path,
                        help="int8: calibrate on this data (a .npy array or a folder of images, as "
                             "input_data.py reads them) instead of the seeded synthetic set")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    # The export is timed from a built model to a written file, as the study timed conversion.
    sample_shape = tuple(int(d) for d in args.sample_shape.split("x")) if args.sample_shape else None
    model, shape = models.build(args.model, args.seed, args.weights, sample_shape)
    macs = models.multiply_adds(model, shape)  # before any exporter converts the model
    calibration = None
    if args.calibration is not None and args.precision == "int8" and args.format in CALIBRATED:
        try:
            samples, described = input_data.load(args.calibration, shape)
        except input_data.InputError as error:
            raise SystemExit(f"calibration data: {error}") from error
        calibration = handoff.CalibrationData(samples, described)
    if args.format in PRELOADS:
        PRELOADS[args.format]()
    start = time.perf_counter()
    options = OPTIONS[args.format](args) if args.format in OPTIONS else {}
    if args.format in CALIBRATED:
        options["calibration"] = calibration
    path, extra = EXPORTERS[args.format](model, shape, args.out, args.precision, args.seed, **options)
    export_ms = (time.perf_counter() - start) * 1000.0

    import torchvision  # only for its version in the manifest
    manifest = {
        "model": args.model,
        "format": args.format,
        "precision": args.precision,
        "file": path.name,
        "bytes": path.stat().st_size,
        "sample_shape": list(shape),
        "params": models.parameter_count(model),
        "macs_per_sample": macs,
        "export_ms": export_ms,
        "seed": args.seed,
        "weights": os.path.abspath(args.weights) if args.weights else "random (seeded)",
        "calibration": None,
        "exporter": f"tools/export/export.py ({args.format})",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "torchvision": torchvision.__version__},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    # An exporter's "versions" (its SDKs) join the common ones instead of replacing them.
    manifest["versions"].update(extra.pop("versions", {}))
    manifest.update(extra)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
