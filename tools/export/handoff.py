# SPDX-License-Identifier: Apache-2.0
"""What the exporters that run in an environment of their own share (executorch_export.py in the
ExecuTorch environment, litert_export.py in the LiteRT one): the hand-off from the main
environment, the command line and start of their second half, and the calibration set of their
INT8 quantisation (seeded synthetic, or the user's data: CalibrationData).

The hand-off: export.py builds the model in the main environment; hand_off() saves its weights
(state_dict) beside the artefact, runs the exporter file with the other environment's Python on
them, deletes them, and returns the manifest fields that run printed as JSON on its last stdout
line. Passing the weights makes the artefact compute exactly the model the other formats export,
whatever the two torch versions' random initialisation does.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

# At least this many calibration samples (OpenVINO's NNCF set has 300 as well), in whole batches
# of the artefact's static batch size.
CALIBRATION_SAMPLES = 300
# The calibration set has its own seed, derived from the run's, so that it never equals the
# benchmark's input (seeded with --seed itself) while still following --seed.
CALIBRATION_SEED_OFFSET = 1


@dataclass
class CalibrationData:
    """The user's calibration set (--calibration): float32 samples shaped (N, *sample shape), and
    what they are (input_data.load's description). The artefact cache keys on their content, not
    their path, so the record names them by their sha256 (the run records the path)."""
    samples: np.ndarray
    description: dict

    def record(self, used: int) -> dict:
        """The manifest's "calibration" for a set of `used` samples drawn from these in turn."""
        return {"source": f"user data ({self.description['source']}; preprocess: {self.description['preprocess']})",
                "samples": used, "distinct_samples": int(self.samples.shape[0]),
                "sha256": self.description["sha256"], "seed": None}


def calibration_text(calibration: dict) -> str:
    """One line for a manifest's "calibration" (a runtime's model info, say)."""
    origin = f"seed {calibration['seed']}" if calibration.get("seed") is not None else f"sha256 {calibration['sha256']}"
    return f"{calibration['source']}; {calibration['samples']} samples, {origin}; {calibration['method']}"


# An exception's line in a traceback: a (dotted) class name, a colon, the message.
EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*: \S")


def error_line(stderr: str) -> str:
    """What a failed exporter said: its last exception line ("torch...GuardOnDataDependentSymNode:
    Could not guard ..."; torch.export adds advice after it), else its last line, shortened."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    exceptions = [line for line in lines if EXCEPTION_LINE.match(line)]
    line = exceptions[-1] if exceptions else lines[-1].strip()
    return line if len(line) <= 400 else line[:400] + "..."


def hand_off(script: str, environment: str, variable: str, file_format: str, model: torch.nn.Module, out: Path,
             precision: str, seed: int, batch: int, python: str | None, model_name: str,
             calibration: CalibrationData | None = None, sample_shape: str | None = None) -> tuple[Path, dict]:
    """Main environment: runs `script` (an exporter file) with the Python of `environment`
    ($`variable` unless `python` is given) on the model's weights, and on `calibration` for INT8;
    returns (artefact, fields)."""
    if precision not in ("fp32", "int8"):
        raise SystemExit(f"{file_format} artefacts are exported in fp32 or int8, not {precision}")
    python = python or os.environ.get(variable, "")
    if not python or not Path(python).exists():
        raise SystemExit(f"the {environment} environment's Python '{python}' does not exist; run make setup "
                         f"(tools/setup/setup.sh creates it) or set {variable}")
    weights = out / f".{Path(script).stem}-weights.pt"
    torch.save(model.state_dict(), weights)
    command = [python, str(Path(script).resolve()), "--model", model_name, "--precision", precision,
               "--seed", str(seed), "--batch", str(batch), "--weights", str(weights), "--out", str(out)]
    if sample_shape:
        command += ["--sample-shape", sample_shape]
    samples = out / f".{Path(script).stem}-calibration.npy"
    description = out / f".{Path(script).stem}-calibration.json"
    if calibration is not None and precision == "int8":
        np.save(samples, calibration.samples)
        description.write_text(json.dumps(calibration.description))
        command += ["--calibration", str(samples), "--calibration-description", str(description)]
    tail: collections.deque[str] = collections.deque(maxlen=400)
    try:
        # stdout carries the result; stderr passes through to the driver's export log line by line
        # as it comes, its last lines kept for the reason of a failure (the exception's line).
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
            stdout: list[str] = []
            reader = threading.Thread(target=lambda: stdout.append(child.stdout.read()), daemon=True)
            reader.start()
            for line in child.stderr:
                sys.stderr.write(line)
                sys.stderr.flush()
                tail.append(line)
            reader.join()
            returncode = child.wait()
    finally:
        weights.unlink(missing_ok=True)
        samples.unlink(missing_ok=True)
        description.unlink(missing_ok=True)
    if returncode != 0:
        said = f": {error_line(''.join(tail))}" if "".join(tail).strip() else " without a word on stderr"
        raise SystemExit(f"the {environment} exporter failed (exit {returncode}) in {python}{said}")
    lines = [line for line in "".join(stdout).splitlines() if line.strip()]
    extra = json.loads(lines[-1])
    return out / extra.pop("file"), extra


def arguments(doc: str, what: str) -> argparse.Namespace:
    """The command line hand_off() gives the exporter's second half; `what` names the artefact."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--precision", required=True, choices=["fp32", "int8"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the calibration set (offset by 1)")
    parser.add_argument("--batch", type=int, default=1, help=f"the {what}'s static batch size")
    parser.add_argument("--weights", required=True, help="state_dict of the model to export")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--sample-shape", help="the user's FILE.py models: one sample's shape, e.g. 3x224x224")
    parser.add_argument("--calibration", type=Path, help="the user's calibration samples (.npy), for int8")
    parser.add_argument("--calibration-description", type=Path, help="what they are (JSON)")
    return parser.parse_args()


def calibration_of(args: argparse.Namespace) -> CalibrationData | None:
    """The calibration set hand_off() passed to the exporter's second half, if any."""
    if args.calibration is None:
        return None
    return CalibrationData(np.load(args.calibration), json.loads(args.calibration_description.read_text()))


def child_start(doc: str, what: str, import_sdks) -> tuple[argparse.Namespace, torch.nn.Module, torch.Tensor]:
    """The second half's start, in the converter's environment: its arguments, the model built as
    the main environment built it (with the weights handed over), the converter's SDKs imported
    (before any timer starts), and a zero input batch of the artefact's static shape."""
    args = arguments(doc, what)
    import models  # beside this file, on sys.path as this module is

    sample_shape = tuple(int(d) for d in args.sample_shape.split("x")) if args.sample_shape else None
    model, shape = models.build(args.model, args.seed, args.weights, sample_shape)
    import_sdks()
    return args, model, torch.zeros((args.batch, *shape))


def calibrate(prepared, example: torch.Tensor, seed: int, data: CalibrationData | None = None) -> dict:
    """Runs the PT2E-prepared model on the calibration set; returns what the manifest records.

    The artefact's batch is static, so the set comes in whole batches of it. With the user's data
    (--calibration), every sample once, in turn, the last batch filled from the start again.
    Otherwise no dataset is at hand: the calibration images are standard-normal noise, the same
    distribution as the benchmark's seeded input, with another seed, drawn one sample at a time.
    Activation ranges then fit that data, not natural images: the row's parity measures the
    quantisation error on it."""
    batch = example.shape[0]
    if data is not None:
        count = data.samples.shape[0]
        batches = -(-count // batch)
        with torch.no_grad():
            for b in range(batches):
                prepared(torch.from_numpy(data.samples[[(b * batch + i) % count for i in range(batch)]]))
        return data.record(batches * batch)
    batches = -(-CALIBRATION_SAMPLES // batch)
    calibration_seed = seed + CALIBRATION_SEED_OFFSET
    generator = torch.Generator().manual_seed(calibration_seed)
    with torch.no_grad():
        for _ in range(batches):
            prepared(torch.cat([torch.randn((1, *example.shape[1:]), generator=generator) for _ in range(batch)]))
    return {
        "source": "synthetic: standard-normal float32 images (no dataset reachable), "
                  "the benchmark input's distribution",
        "samples": batches * batch,
        "seed": calibration_seed,
    }
