# SPDX-License-Identifier: Apache-2.0
"""LiteRT .tflite exporter: litert-torch converts the model in FP32, or in full-integer INT8
(PT2E static quantisation with litert-torch's PT2EQuantizer, per-channel symmetric weights,
calibrated on a seeded synthetic set).

litert-torch pins its own torch (with jax and the LiteRT converter beside it), so this runs in
the LiteRT environment (tools/setup/requirements-litert.txt), never in the main one. Like
executorch_export.py it has two halves:

* export_tflite(), imported by export.py in the main environment: hands the built model to the
  LiteRT environment through handoff.hand_off() (its weights, so that the artefact computes
  exactly the model the other formats export).
* main(), run in the LiteRT environment: builds the same architecture (models.py), loads those
  weights, converts it and prints its manifest fields as JSON on the last stdout line.

A .tflite has static shapes: it is converted for the run's batch (--batch), and the driver
exports one per batch. The input keeps PyTorch's NCHW layout and float32 type (the converter
transposes to NHWC inside the graph), so every precision takes the benchmark's input as is.
"""
from __future__ import annotations

import contextlib
import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handoff  # noqa: E402


def export_tflite(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str, seed: int,
                  batch: int = 1, python: str | None = None, model_name: str = "",
                  calibration: handoff.CalibrationData | None = None,
                  sample_shape: str | None = None) -> tuple[Path, dict]:
    """Main environment: hands the export to this file in the LiteRT environment."""
    return handoff.hand_off(__file__, "LiteRT", "INFERBENCH_LITERT_PYTHON", "tflite", model, out, precision,
                            seed, batch, python, model_name, calibration, sample_shape)


# --- LiteRT environment ------------------------------------------------------------------

def import_sdks() -> None:
    """Imports litert-torch, its PT2E quantizer, torchao and the LiteRT interpreter before the
    export timer starts."""
    import litert_torch  # noqa: F401
    from ai_edge_litert.interpreter import Interpreter  # noqa: F401
    from litert_torch.quantize.pt2e_quantizer import PT2EQuantizer  # noqa: F401
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e  # noqa: F401


def convert_int8(model: torch.nn.Module, example: torch.Tensor, seed: int, data: handoff.CalibrationData | None):
    """PT2E static INT8 quantisation for LiteRT: symmetric per-channel weights, activations
    per-tensor (histogram observers), calibrated on `data` (the user's) or on seeded synthetic
    images (handoff.calibrate), then converted with the quantizer's config so that the converter
    emits full-integer kernels."""
    import litert_torch
    from litert_torch.quantize.pt2e_quantizer import PT2EQuantizer, get_symmetric_quantization_config
    from litert_torch.quantize.quant_config import QuantConfig
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantizer = PT2EQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True, is_dynamic=False))
    # Strict (TorchDynamo) export: the quantizer finds add, mean, pooling and cat by the
    # source_fn_stack metadata that only strict export records. Without it those stay
    # unannotated and the converter keeps them in float (MobileNetV2: 9 of its 10 residual adds,
    # each between a DEQUANTIZE and a QUANTIZE).
    graph = torch.export.export(model, (example,), strict=True).module()
    prepared = prepare_pt2e(graph, quantizer)
    calibration = handoff.calibrate(prepared, example, seed, data)
    # Weights stay float with quantize nodes (fold_quantize=False): the converter folds them into
    # int8 constants itself, as litert-torch's own PT2E tests convert.
    converted = convert_pt2e(prepared, fold_quantize=False)
    # litert-torch then warns that the model "is converted in training mode": it reads the
    # .training flag, which a torch.export module cannot change (eval() raises). The graph was
    # exported from the model in eval mode: inference batch norm, no dropout.
    edge = litert_torch.convert(converted, (example,), quant_config=QuantConfig(pt2e_quantizer=quantizer))
    calibration["method"] = ("PT2E static quantisation, litert-torch PT2EQuantizer symmetric per-channel weights, "
                             "per-tensor activations (torchao prepare_pt2e / convert_pt2e, QuantConfig STATIC)")
    return edge, calibration


def float_interface(path: Path) -> dict:
    """Gives a full-integer model float32 inputs and outputs, as the FP32 model and the other
    formats' INT8 artefacts have: a QUANTIZE op before each int8 input and a DEQUANTIZE op after
    each int8 output, with the scale and zero point the converter chose. Returns those, for the
    manifest.

    In STATIC mode litert-torch turns the graph's boundary quantize/dequantize nodes into int8
    input and output tensors and has no option to keep them float. The benchmark hands every
    backend the same float32 batch and times run() only, so an int8 interface would move the
    input's quantisation out of the timed path for this backend alone. The added ops are
    XNNPACK-delegated like the rest of the graph, as they are in TensorFlow's own converter
    output for a float-interface INT8 model."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(path.read_bytes(), 0)
    if len(model.subgraphs) != 1:
        raise SystemExit(f"expected one subgraph in the converted model, found {len(model.subgraphs)}")
    if any(buffer.offset > 1 for buffer in model.buffers or []):
        # Weights stored after the flatbuffer (models over 2 GB) would not survive repacking.
        raise SystemExit("the converted model keeps its weights outside the flatbuffer; "
                         "litert_export.py cannot repack it")
    graph = model.subgraphs[0]

    def opcode(builtin: int) -> int:
        for index, code in enumerate(model.operatorCodes):
            if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin:
                return index
        code = schema.OperatorCodeT()
        code.builtinCode = code.deprecatedBuiltinCode = builtin
        code.version = 1
        model.operatorCodes.append(code)
        return len(model.operatorCodes) - 1

    renamed: dict[int, int] = {}  # int8 boundary tensor -> its float32 twin
    boundary: dict[str, list] = {"inputs": [], "outputs": []}

    def float_side(indices, side: str, builtin: int) -> list[int]:
        """Swaps each int8 tensor of `indices` for a float32 twin that takes over its name (and
        so the signature's), linked to it by a `builtin` op; returns the new indices."""
        result = []
        for index in (int(i) for i in indices):
            tensor = graph.tensors[index]
            if tensor.type != schema.TensorType.INT8:
                result.append(index)
                continue
            boundary[side].append({"name": tensor.name.decode(), "scale": float(tensor.quantization.scale[0]),
                                   "zero_point": int(tensor.quantization.zeroPoint[0])})
            twin = schema.TensorT()
            twin.name, twin.shape, twin.shapeSignature = tensor.name, tensor.shape, tensor.shapeSignature
            twin.type, twin.buffer = schema.TensorType.FLOAT32, 0
            tensor.name += b"_int8"
            graph.tensors.append(twin)
            renamed[index] = len(graph.tensors) - 1
            op = schema.OperatorT()
            op.opcodeIndex = opcode(builtin)
            op.inputs, op.outputs = ([renamed[index]], [index]) if side == "inputs" else ([index], [renamed[index]])
            graph.operators = [op] + graph.operators if side == "inputs" else graph.operators + [op]
            result.append(renamed[index])
        return result

    graph.operators = list(graph.operators)
    graph.inputs = float_side(graph.inputs, "inputs", schema.BuiltinOperator.QUANTIZE)
    graph.outputs = float_side(graph.outputs, "outputs", schema.BuiltinOperator.DEQUANTIZE)
    for signature in model.signatureDefs or []:
        for entry in list(signature.inputs) + list(signature.outputs):
            entry.tensorIndex = renamed.get(entry.tensorIndex, entry.tensorIndex)
    builder = flatbuffers.Builder(path.stat().st_size + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path.write_bytes(builder.Output())
    return {**boundary, "added_ops": "QUANTIZE before each input, DEQUANTIZE after each output (litert_export.py)"}


def tensor_details(details: dict) -> dict:
    """One input or output as the LiteRT interpreter reports it. The converter keeps PyTorch's
    signature: images in NCHW, logits as (batch, classes)."""
    scale, zero_point = details["quantization"]
    return {"name": details["name"], "dtype": details["dtype"].__name__, "shape": details["shape"].tolist(),
            "layout": {4: "NCHW", 2: "NC"}.get(len(details["shape"])),
            "quantisation": {"scale": scale, "zero_point": zero_point} if scale else None}


def operators_outside(ops: list[dict], graph_inputs: set[int], graph_outputs: set[int]) -> list[str]:
    """The names of the operators XNNPACK left to TFLite's built-in kernels, in the model's order,
    from the interpreter's node list after delegation (the model's operators, then one DELEGATE
    node per XNNPACK partition). An operator outside is one the execution plan runs between
    partitions: every input it reads comes from a graph input, a partition's output or another
    such operator, and an output of it feeds a partition or the graph's output."""
    delegates = [n for n in ops if n["op_name"] == "DELEGATE"]
    operators = [n for n in ops if n["op_name"] != "DELEGATE"]
    computed = {t for n in operators for t in n["outputs"]}
    into_partitions = {t for d in delegates for t in d["inputs"]}
    available = graph_inputs | {t for d in delegates for t in d["outputs"]}
    outside = []
    for node in operators:  # in the model's (topological) order
        reads = [t for t in node["inputs"] if t >= 0 and (t in computed or t in graph_inputs)]
        if all(t in available for t in reads) and any(t in into_partitions or t in graph_outputs
                                                      for t in node["outputs"]):
            outside.append(node["op_name"])
            available.update(node["outputs"])
    return outside


def inspect(path: Path) -> dict:
    """The .tflite's interface, its operators, and how the ai-edge-litert interpreter's default
    CPU delegate (XNNPACK) partitions it: information for the row's reader; the litert plugin
    sets up its own runtime."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    inputs = interpreter.get_input_details()
    summary = {"inputs": [tensor_details(d) for d in inputs],
               "outputs": [tensor_details(d) for d in interpreter.get_output_details()]}
    try:
        ops = interpreter._get_ops_details()  # no public API lists the nodes after delegation
        operators: dict[str, int] = {}
        for op in ops:
            if op["op_name"] != "DELEGATE":
                operators[op["op_name"]] = operators.get(op["op_name"], 0) + 1
        delegates = [op for op in ops if op["op_name"] == "DELEGATE"]
        graph_inputs = {d["index"] for d in inputs}
        graph_outputs = {d["index"] for d in interpreter.get_output_details()}
        summary["operators"] = operators
        outside: dict[str, int] = {}
        for name in operators_outside(ops, graph_inputs, graph_outputs):
            outside[name] = outside.get(name, 0) + 1
        summary["xnnpack"] = {
            "partitions": len(delegates),
            # One partition reading the graph's inputs and writing its outputs: nothing runs
            # outside the delegate.
            "whole_graph": len(delegates) == 1 and graph_inputs <= set(delegates[0]["inputs"].tolist())
                           and graph_outputs == set(delegates[0]["outputs"].tolist()),
            "delegated_ops": sum(operators.values()) - sum(outside.values()),
            "outside": outside,
        }
    except Exception as error:  # the summary is information, never a reason to fail the export
        summary["xnnpack"] = {"unavailable": f"{type(error).__name__}: {error}"}
    return summary


def main() -> int:
    args, model, example = handoff.child_start(__doc__, "model", import_sdks)
    import litert_torch

    path = args.out / "model.tflite"
    # litert-torch prints its progress on stdout, which carries only the result line here: the
    # progress goes to stderr, the driver's export log.
    with contextlib.redirect_stdout(sys.stderr):
        start = time.perf_counter()
        calibration = boundary = None
        if args.precision == "int8":
            edge, calibration = convert_int8(model, example, args.seed, handoff.calibration_of(args))
        else:
            edge = litert_torch.convert(model, (example,))
        edge.export(str(path))
        if args.precision == "int8":
            boundary = float_interface(path)
        export_ms = (time.perf_counter() - start) * 1000.0
        interface = inspect(path)

    import torchao
    import torchvision
    from importlib.metadata import version
    result = {
        "file": path.name,
        "bytes": path.stat().st_size,
        "export_ms": export_ms,
        "batch": args.batch,
        "calibration": calibration,
        **interface,
        # INT8: the int8 graph's own input and output quantisation, behind the float interface.
        "quantised_boundary": boundary,
        "converter": "litert_torch.convert" + (" (QuantConfig with the PT2E quantizer)" if calibration else ""),
        "exporter": "tools/export/litert_export.py (tflite, LiteRT environment)",
        "versions": {"litert_torch": litert_torch.__version__,
                     "ai_edge_litert": version("ai-edge-litert"),
                     "litert_converter": version("litert-converter"),
                     "litert_env_python": platform.python_version(),
                     "litert_env_torch": torch.__version__,
                     "litert_env_torchvision": torchvision.__version__,
                     "litert_env_torchao": torchao.__version__},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
