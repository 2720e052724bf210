# SPDX-License-Identifier: Apache-2.0
"""ExecuTorch .pte exporter: torch.export, then to_edge_transform_and_lower with the XNNPACK
partitioner, in FP32 or INT8 (PT2E static quantisation with the XNNPACK quantizer, per-channel
symmetric weights, calibrated on a seeded synthetic set).

ExecuTorch pins its own torch, so this runs in the ExecuTorch environment
(tools/setup/requirements-executorch.txt), never in the main one. It has two halves:

* export_pte(), imported by export.py in the main environment: hands the built model to the
  ExecuTorch environment through handoff.hand_off() (its weights, so that the artefact computes
  exactly the model the other formats export).
* main(), run in the ExecuTorch environment: builds the same architecture (models.py), loads
  those weights, lowers it and prints its manifest fields as JSON on the last stdout line.

An ExecuTorch program has static shapes, memory-planned ahead of time: it is exported for the
run's batch (--batch), and the driver exports one per batch.
"""
from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handoff  # noqa: E402


def export_pte(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str, seed: int,
               batch: int = 1, python: str | None = None, model_name: str = "",
               calibration: handoff.CalibrationData | None = None,
               sample_shape: str | None = None) -> tuple[Path, dict]:
    """Main environment: hands the export to this file in the ExecuTorch environment."""
    return handoff.hand_off(__file__, "ExecuTorch", "INFERBENCH_EXECUTORCH_PYTHON", "pte", model, out, precision,
                            seed, batch, python, model_name, calibration, sample_shape)


# --- ExecuTorch environment --------------------------------------------------------------

def import_sdks() -> None:
    """Imports ExecuTorch, its XNNPACK backend and torchao before the export timer starts."""
    import executorch.exir  # noqa: F401
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner  # noqa: F401
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer  # noqa: F401
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e  # noqa: F401


def quantise(model: torch.nn.Module, example: torch.Tensor, seed: int,
             data: handoff.CalibrationData | None) -> tuple[torch.nn.Module, dict]:
    """PT2E static INT8 quantisation for XNNPACK: symmetric per-channel weights, activations
    per-tensor (XNNPACK's 8-bit scheme), observers calibrated on `data` (the user's) or on seeded
    synthetic images (handoff.calibrate)."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer, get_symmetric_quantization_config)
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantizer = XNNPACKQuantizer()
    quantizer.set_global(get_symmetric_quantization_config(is_per_channel=True, is_dynamic=False))
    graph = torch.export.export(model, (example,), strict=False).module()
    prepared = prepare_pt2e(graph, quantizer)
    calibration = handoff.calibrate(prepared, example, seed, data)
    converted = convert_pt2e(prepared)
    calibration["method"] = ("PT2E static quantisation, XNNPACKQuantizer symmetric per-channel weights, "
                             "per-tensor activations (torchao prepare_pt2e / convert_pt2e)")
    return converted, calibration


def delegation_summary(edge) -> dict:
    """How many operators XNNPACK took and which stayed in ExecuTorch's own kernels."""
    try:
        from executorch.devtools.backend_debug import get_delegation_info
        info = get_delegation_info(edge.exported_program().graph_module)
        outside = {name: stats.non_delegated for name, stats in info.delegation_by_operator.items()
                   if stats.non_delegated}
        return {"delegated_ops": info.num_delegated_nodes, "non_delegated_ops": info.num_non_delegated_nodes,
                "delegate_calls": info.num_delegated_subgraphs, "outside_delegate": outside}
    except Exception as error:  # the summary is information, never a reason to fail the export
        return {"unavailable": f"{type(error).__name__}: {error}"}


def lower(model: torch.nn.Module, example: torch.Tensor) -> tuple[bytes, dict]:
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import ExecutorchBackendConfig, to_edge_transform_and_lower
    from executorch.exir.passes import MemoryPlanningPass

    exported = torch.export.export(model, (example,), strict=False)
    edge = to_edge_transform_and_lower(exported, partitioner=[XnnpackPartitioner()])
    summary = delegation_summary(edge)
    # The input gets no planned buffer: the runtime then binds the caller's tensor by pointer
    # (Method::set_input), so neither inferbench nor the Python runtime copies the batch into the
    # program. Activations and the output stay memory-planned.
    config = ExecutorchBackendConfig(memory_planning_pass=MemoryPlanningPass(alloc_graph_input=False))
    program = edge.to_executorch(config)
    return program.buffer, summary


def main() -> int:
    args, model, example = handoff.child_start(__doc__, "program", import_sdks)
    start = time.perf_counter()
    calibration = None
    if args.precision == "int8":
        model, calibration = quantise(model, example, args.seed, handoff.calibration_of(args))
    buffer, summary = lower(model, example)
    path = args.out / "model.pte"
    path.write_bytes(buffer)
    export_ms = (time.perf_counter() - start) * 1000.0

    import executorch
    import torchao
    import torchvision
    from importlib.metadata import version
    result = {
        "file": path.name,
        "bytes": path.stat().st_size,
        "export_ms": export_ms,
        "batch": args.batch,
        "calibration": calibration,
        "delegation": summary,
        "backend": "XNNPACK (XnnpackPartitioner)",
        "memory_planning": "activations and output planned; input bound by the caller (alloc_graph_input=False)",
        "exporter": "tools/export/executorch_export.py (pte, ExecuTorch environment)",
        "versions": {"executorch": getattr(executorch, "__version__", None) or version("executorch"),
                     "executorch_python": platform.python_version(),
                     "executorch_torch": torch.__version__,
                     "executorch_torchvision": torchvision.__version__,
                     "torchao": torchao.__version__},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
