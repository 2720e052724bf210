# SPDX-License-Identifier: Apache-2.0
"""Which operators of a .tflite XNNPACK leaves to TFLite's built-in kernels, as the ai-edge-litert
wheel's Python Interpreter delegates the graph (the same XNNPACK delegate the litert plugin's
compiled model applies; the plugin itself only learns whether the graph is fully accelerated).

The litert exporter records the same reading in each artefact's manifest (xnnpack.outside) and the
row's effective.delegation repeats it; this reads any .tflite, yours included
(litert_export.operators_outside says how). Run it with the LiteRT environment's Python:

    ~/.cache/inferbench/litert-venv-*/bin/python tools/results/tflite_partitions.py MODEL.tflite...
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
import litert_export  # noqa: E402  (the exporter's own reading of the partitions)


def partitions(path: Path) -> tuple[int, int, list[str]]:
    """(XNNPACK partitions, operators in the model, names of the operators left outside)."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    nodes = interpreter._get_ops_details()  # the only listing the wheel offers
    graph_inputs = {d["index"] for d in interpreter.get_input_details()}
    graph_outputs = {d["index"] for d in interpreter.get_output_details()}
    delegates = [n for n in nodes if n["op_name"] == "DELEGATE"]
    operators = [n for n in nodes if n["op_name"] != "DELEGATE"]
    return len(delegates), len(operators), litert_export.operators_outside(nodes, graph_inputs, graph_outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", type=Path, help=".tflite files")
    args = parser.parse_args()
    for path in args.models:
        count, operators, outside = partitions(path)
        names = ", ".join(f"{n} x{c}" for n, c in collections.Counter(outside).items()) or "none"
        print(f"{path}: {operators} operators, {count} XNNPACK partition(s); outside XNNPACK: {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
