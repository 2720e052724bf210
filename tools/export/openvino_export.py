# SPDX-License-Identifier: Apache-2.0
"""OpenVINO IR exporters (xml + bin): FP32 by ov.convert_model from the torch model, INT8 by NNCF
post-training quantisation of that converted model, calibrated on the user's data (--calibration)
or on a seeded synthetic set.

The IR keeps the batch dimension dynamic (-1); the OpenVINO plugin reshapes it to the run's
batch before compiling. Weights are saved in FP32 (compress_to_fp16=False): ov.save_model
compresses them to FP16 by default, which would make the FP32 row something else.
OpenVINO and NNCF are imported here, not by export.py, so the other formats do not need them.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handoff  # noqa: E402

# NNCF's default subset size: enough samples for stable activation ranges on MobileNetV2.
CALIBRATION_SAMPLES = 300
# The calibration set has its own seed, derived from the run's, so that it never equals the
# benchmark's input (seeded with --seed itself) while still following --seed.
CALIBRATION_SEED_OFFSET = 1


def import_sdks() -> None:
    """Imports OpenVINO and NNCF, so that export.py can do it before its export timer starts."""
    import openvino  # noqa: F401
    import nncf  # noqa: F401


def import_onnx() -> None:
    """Imports torch's ONNX exporter and onnx, for the same reason as import_sdks."""
    import onnx  # noqa: F401
    import torch.onnx  # noqa: F401


def _convert(model: torch.nn.Module, shape: tuple[int, ...]):
    import openvino as ov

    example = torch.zeros((1, *shape))
    with torch.no_grad():
        ov_model = ov.convert_model(model, example_input=example,
                                    input=[ov.PartialShape([-1, *shape])])
    return ov_model


def _versions() -> dict:
    import openvino as ov

    versions = {"openvino": ov.get_version()}
    try:
        import nncf
        versions["nncf"] = nncf.__version__
    except ImportError:
        pass
    return versions


def export_openvino_ir(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str,
                       seed: int, calibration: handoff.CalibrationData | None = None) -> tuple[Path, dict]:
    """fp32: the converted model as is. int8: NNCF-quantised (see _quantise)."""
    import openvino as ov

    if precision not in ("fp32", "int8"):
        raise SystemExit(f"openvino-ir artefacts are exported in fp32 or int8, not {precision}; "
                         "the OpenVINO plugin runs bf16 from the fp32 IR (inference_precision)")
    ov_model = _convert(model, shape)
    extra: dict = {"versions": _versions()}
    if precision == "int8":
        ov_model, used = _quantise(ov_model, shape, seed, calibration)
        extra["calibration"] = used
        # Carried inside the IR as well, so the plugin can report it in the row.
        ov_model.set_rt_info(handoff.calibration_text(used), ["inferbench", "calibration"])
    path = out / "model.xml"
    ov.save_model(ov_model, str(path), compress_to_fp16=False)
    # The artefact is both files: its size is theirs together.
    extra["files"] = [path.name, path.with_suffix(".bin").name]
    extra["bytes"] = path.stat().st_size + path.with_suffix(".bin").stat().st_size
    return path, extra


def _quantise(ov_model, shape: tuple[int, ...], seed: int, data: handoff.CalibrationData | None):
    """Post-training INT8 quantisation with NNCF (default MIXED-free preset: symmetric weights,
    per-channel; activations per-tensor), calibrated on `data` (the user's: every sample once) or
    on seeded synthetic images."""
    import nncf

    method = "nncf.quantize (post-training, default preset, fast bias correction)"
    if data is not None:
        count = int(data.samples.shape[0])
        dataset = nncf.Dataset([data.samples[i:i + 1] for i in range(count)])
        quantised = nncf.quantize(ov_model, dataset, subset_size=count, fast_bias_correction=True)
        return quantised, {**data.record(count), "method": method}

    calibration_seed = seed + CALIBRATION_SEED_OFFSET
    generator = torch.Generator().manual_seed(calibration_seed)
    # No image dataset is reachable from here: the calibration images are standard-normal
    # noise, the same distribution as the benchmark's input (core/input), with another seed.
    # Activation ranges therefore fit the benchmark's data, not natural images: the row's
    # parity measures quantisation error on that data.
    samples = [torch.randn((1, *shape), generator=generator).numpy() for _ in range(CALIBRATION_SAMPLES)]
    dataset = nncf.Dataset(samples)
    quantised = nncf.quantize(ov_model, dataset, subset_size=CALIBRATION_SAMPLES,
                              fast_bias_correction=True)
    calibration = {
        "source": "synthetic: standard-normal float32 images (no dataset reachable), "
                  "the benchmark input's distribution",
        "samples": CALIBRATION_SAMPLES,
        "seed": calibration_seed,
        "method": method,
    }
    return quantised, calibration


def export_onnx(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str,
                seed: int) -> tuple[Path, dict]:
    """An ONNX file (dynamic batch) that the OpenVINO plugin reads directly with read_model."""
    if precision != "fp32":
        raise SystemExit(f"onnx artefacts are exported in fp32 only, not {precision}")
    path = out / "model.onnx"
    example = torch.zeros((1, *shape))
    with torch.no_grad():
        # The TorchScript-based exporter: no onnxscript needed, and a plain single file.
        torch.onnx.export(model, (example,), str(path), dynamo=False, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}},
                          opset_version=17)
    import onnx
    return path, {"versions": {"onnx": onnx.__version__}}
