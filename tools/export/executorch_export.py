# SPDX-License-Identifier: Apache-2.0
"""ExecuTorch .pte exporter: torch.export, then to_edge_transform_and_lower with the XNNPACK
partitioner, in FP32 or INT8 (PT2E static quantisation with the XNNPACK quantizer, per-channel
symmetric weights, calibrated on a seeded synthetic set).

ExecuTorch pins its own torch, so this runs in the ExecuTorch environment
(tools/setup/requirements-executorch.txt), never in the main one. It has two halves:

* export_pte(), imported by export.py in the main environment: saves the built model's weights
  (state_dict) beside the artefact, runs this file with the ExecuTorch environment's Python on
  them, deletes them, and returns the manifest fields that run printed. Passing the weights makes
  the program compute exactly the model the other formats export, whatever the two torch
  versions' random initialisation does.
* main(), run in the ExecuTorch environment: builds the same architecture (models.py), loads
  those weights, lowers it and prints its manifest fields as JSON on the last stdout line.

An ExecuTorch program has static shapes, memory-planned ahead of time: it is exported for the
run's batch (--batch), and the driver exports one per batch.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

# At least this many calibration samples (OpenVINO's NNCF set has 300 as well), in whole batches
# of the program's static batch size.
CALIBRATION_SAMPLES = 300
# The calibration set has its own seed, derived from the run's, so that it never equals the
# benchmark's input (seeded with --seed itself) while still following --seed.
CALIBRATION_SEED_OFFSET = 1
# The weights export.py hands over; deleted once the program is written.
WEIGHTS_FILE = ".executorch-weights.pt"


def export_pte(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str, seed: int,
               batch: int = 1, python: str | None = None, model_name: str = "") -> tuple[Path, dict]:
    """Main environment: hands the export to this file in the ExecuTorch environment."""
    if precision not in ("fp32", "int8"):
        raise SystemExit(f"pte artefacts are exported in fp32 or int8, not {precision}")
    python = python or os.environ.get("INFERBENCH_EXECUTORCH_PYTHON", "")
    if not python or not Path(python).exists():
        raise SystemExit(f"the ExecuTorch environment's Python '{python}' does not exist; run make setup "
                         "(tools/setup/setup.sh creates it) or set INFERBENCH_EXECUTORCH_PYTHON")
    weights = out / WEIGHTS_FILE
    torch.save(model.state_dict(), weights)
    command = [python, str(Path(__file__).resolve()), "--model", model_name, "--precision", precision,
               "--seed", str(seed), "--batch", str(batch), "--weights", str(weights), "--out", str(out)]
    try:
        # stderr passes through to the driver's export log; stdout carries the result.
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    finally:
        weights.unlink(missing_ok=True)
    if done.returncode != 0:
        raise SystemExit(f"the ExecuTorch exporter failed (exit {done.returncode}) in {python}; "
                         "its error is above")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    extra = json.loads(lines[-1])
    path = out / extra.pop("file")
    return path, extra


# --- ExecuTorch environment --------------------------------------------------------------

def import_sdks() -> None:
    """Imports ExecuTorch, its XNNPACK backend and torchao before the export timer starts."""
    import executorch.exir  # noqa: F401
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner  # noqa: F401
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer  # noqa: F401
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e  # noqa: F401


def quantise(model: torch.nn.Module, example: torch.Tensor, seed: int) -> tuple[torch.nn.Module, dict]:
    """PT2E static INT8 quantisation for XNNPACK: symmetric per-channel weights, activations
    per-tensor (XNNPACK's 8-bit scheme), observers calibrated on seeded synthetic images."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer, get_symmetric_quantization_config)
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantizer = XNNPACKQuantizer()
    quantizer.set_global(get_symmetric_quantization_config(is_per_channel=True, is_dynamic=False))
    graph = torch.export.export(model, (example,), strict=False).module()
    prepared = prepare_pt2e(graph, quantizer)
    batch = example.shape[0]
    batches = -(-CALIBRATION_SAMPLES // batch)
    calibration_seed = seed + CALIBRATION_SEED_OFFSET
    generator = torch.Generator().manual_seed(calibration_seed)
    # No image dataset is reachable from here: the calibration images are standard-normal noise,
    # the same distribution as the benchmark's input, with another seed. Activation ranges
    # therefore fit the benchmark's data, not natural images: the row's parity measures the
    # quantisation error on that data. The program's batch is static, so the set comes in whole
    # batches of it.
    with torch.no_grad():
        for _ in range(batches):
            samples = torch.cat([torch.randn((1, *example.shape[1:]), generator=generator)
                                 for _ in range(batch)])
            prepared(samples)
    converted = convert_pt2e(prepared)
    calibration = {
        "source": "synthetic: standard-normal float32 images (no dataset reachable), "
                  "the benchmark input's distribution",
        "samples": batches * batch,
        "seed": calibration_seed,
        "method": "PT2E static quantisation, XNNPACKQuantizer symmetric per-channel weights, "
                  "per-tensor activations (torchao prepare_pt2e / convert_pt2e)",
    }
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--precision", required=True, choices=["fp32", "int8"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the calibration set (offset by 1)")
    parser.add_argument("--batch", type=int, default=1, help="the program's static batch size")
    parser.add_argument("--weights", required=True, help="state_dict of the model to export")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import models

    model, shape = models.build(args.model, args.seed, args.weights)
    import_sdks()
    example = torch.zeros((args.batch, *shape))
    start = time.perf_counter()
    calibration = None
    if args.precision == "int8":
        model, calibration = quantise(model, example, args.seed)
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
