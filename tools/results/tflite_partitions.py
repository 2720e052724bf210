# SPDX-License-Identifier: Apache-2.0
"""Which operators of a .tflite XNNPACK leaves to TFLite's built-in kernels, as the ai-edge-litert
wheel's Python Interpreter delegates the graph (the same XNNPACK delegate the litert plugin's
compiled model applies; the plugin itself only learns whether the graph is fully accelerated).

After delegation the Interpreter lists the model's operators and one DELEGATE node per XNNPACK
partition. An operator left outside is one the execution plan runs between partitions: every input
it reads comes from a graph input, a partition's output or another such operator, and an output of
it feeds a partition or the graph's output. Run it with the LiteRT environment's Python:

    ~/.cache/inferbench/litert-venv-*/bin/python tools/results/tflite_partitions.py MODEL.tflite...
"""
from __future__ import annotations

import argparse
import collections
from pathlib import Path


def partitions(path: Path) -> tuple[int, int, list[str]]:
    """(XNNPACK partitions, operators in the model, names of the operators left outside)."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    nodes = interpreter._get_ops_details()  # the only listing the wheel offers
    delegates = [n for n in nodes if n["op_name"] == "DELEGATE"]
    operators = [n for n in nodes if n["op_name"] != "DELEGATE"]
    graph_inputs = {d["index"] for d in interpreter.get_input_details()}
    graph_outputs = {d["index"] for d in interpreter.get_output_details()}
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
    return len(delegates), len(operators), outside


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
