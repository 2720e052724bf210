# SPDX-License-Identifier: Apache-2.0
"""What the side-by-side scripts share: waiting for a quiet machine, measuring how much CPU other
programs took meanwhile, one inferbench row, one measurement of a framework's own Python runtime
in a fresh process, and the alternating rounds whose undisturbed medians are compared.

A script imports this module (it lives beside them) and supplies only what differs: the backend,
the Python-side function and how to print it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


def arguments(doc: str, threads: int, precisions: str) -> argparse.ArgumentParser:
    """The flags every side-by-side script takes; a script may add its own before parsing."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inferbench", default="./inferbench")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=threads)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternations of the sides; the ratios compare their medians")
    parser.add_argument("--precisions", default=precisions)
    parser.add_argument("--max-load", type=float, default=0.8, help="wait for a 1-minute load below this")
    parser.add_argument("--max-wait", type=float, default=900, help="seconds to wait for it at most")
    parser.add_argument("--max-other", type=float, default=0.15,
                        help="a round where other programs used this many CPUs or more is repeated")
    parser.add_argument("--out", type=Path, help="also write the output to this file")
    return parser


class Log:
    """Prints each line and keeps it, to write the whole output to --out at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)

    def save(self, path: Path | None) -> None:
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(self.lines) + "\n")


def begin(args, log, what: str, versions: str) -> None:
    """The header every side-by-side output starts with (what is compared, the protocol, the host
    and framework versions), then the wait for a quiet machine, whose load average it records."""
    log(f"# {what}, batch {args.batch}, {args.threads} threads, {args.warmup} warm-up + {args.iters} timed, "
        f"{args.rounds} alternating rounds")
    log(f"# host: {platform.node()} | {platform.processor() or platform.machine()} | {os.cpu_count()} CPUs | "
        f"{versions}")
    load = wait_for_quiet(args.max_load, args.max_wait, log)
    log(f"# 1-minute load average before timing: {load:.2f} (threshold {args.max_load})")


def wait_for_quiet(max_load: float, max_wait_s: float, log) -> float:
    """Polls the 1-minute load average every 30 s until it is below max_load (or time is up)."""
    deadline = time.monotonic() + max_wait_s
    load = os.getloadavg()[0]
    while load >= max_load and time.monotonic() < deadline:
        log(f"# waiting: 1-minute load {load:.2f} >= {max_load}")
        time.sleep(30)
        load = os.getloadavg()[0]
    return load


class OtherCpu:
    """CPU time that programs other than this script's children used since construction, in
    CPUs (busy time from /proc/stat minus the children's own user + system time, over the wall
    time). Our own side keeps its threads busy, so this isolates interference by others."""

    def __init__(self) -> None:
        self.start = (self._busy_s(), self._children_s(), time.monotonic())

    @staticmethod
    def _busy_s() -> float:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _children_s() -> float:
        t = os.times()
        return t.children_user + t.children_system

    def cores(self) -> float:
        busy, own, wall = self._busy_s(), self._children_s(), time.monotonic()
        return max(0.0, (busy - self.start[0]) - (own - self.start[1])) / max(wall - self.start[2], 1e-9)


def inferbench_row(binary: str, backend: str, precision: str, batch: int, threads: int, warmup: int,
                   iters: int) -> dict:
    """One `inferbench run` of one backend and precision; returns its row (exits unless measured)."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", "--backends", backend, "--devices", "cpu", "--precisions", precision,
               "--batch", str(batch), "--threads", str(threads), "--warmup", str(warmup),
               "--iters", str(iters), "--out", out, "--no-store"]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        results = Path(out) / "results.json"
        rows = json.loads(results.read_text())["rows"] if results.exists() else []
        row = next((r for r in rows if r["backend"] == backend), None)
        if row is None or row["status"] != "ok":
            raise SystemExit(f"inferbench {backend} {precision} did not measure: "
                             f"{row['error'] if row else done.stderr.strip().splitlines()[-1:]}")
        return row


def python_measurement(script: str, function: str, **kwargs) -> dict:
    """Calls `function(**kwargs)` of the side-by-side script `script` (a file beside this one) in
    a fresh Python process, like inferbench's worker per cell, and returns the dict it returns."""
    module = Path(script).stem
    code = (f"import json, sys; sys.path.insert(0, {str(Path(script).resolve().parent)!r}); "
            f"import {module} as s; print(json.dumps(s.{function}(**{kwargs!r})))")
    done = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the Python runtime failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_loop(step: Callable[[], object], warmup: int, iters: int) -> dict:
    """The study's protocol on the Python side: `warmup` untimed calls, then `iters` timed ones.
    Returns P50/P99 in ms (NumPy's default percentile, the definition inferbench uses) and the
    CPUs the process kept busy while timing (process CPU time over wall time)."""
    import numpy as np

    for _ in range(warmup):
        step()
    samples = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
    cpus = (time.process_time() - cpu0) / max(time.perf_counter() - wall0, 1e-9)
    return {"p50": float(np.percentile(samples, 50)), "p99": float(np.percentile(samples, 99)), "cpus": cpus}


@dataclass
class Rounds:
    """The undisturbed rounds of one comparison: inferbench FPS and P50 per round, and the same
    for each Python-side variant (by name)."""
    ib_fps: list[float] = field(default_factory=list)
    ib_p50: list[float] = field(default_factory=list)
    py_fps: dict[str, list[float]] = field(default_factory=dict)
    py_p50: dict[str, list[float]] = field(default_factory=dict)
    artefact: str | None = None


def alternate(rounds: int, max_other: float, measure_inferbench: Callable[[], dict],
              measure_python: dict[str, Callable[[str], dict]], describe_row: Callable[[dict], str],
              describe_python: Callable[[dict], str], label: str, log) -> Rounds:
    """Alternates inferbench and each Python variant until `rounds` rounds in which no side shared
    the CPUs with another program (< max_other CPUs, see OtherCpu); a disturbed round is logged
    and repeated, up to twice as many attempts as rounds. measure_python maps a variant name to a
    function of the artefact path returning at least {"p50", "fps"}."""
    result = Rounds()
    attempts = 0
    while len(result.ib_fps) < rounds and attempts < 2 * rounds:
        attempts += 1
        meter = OtherCpu()
        row = measure_inferbench()
        others = [meter.cores()]
        result.artefact = row["artefact"]
        log(f"{label} try {attempts} inferbench: P50 {row['latency_ms']['p50']:.3f} ms  "
            f"P99 {row['latency_ms']['p99']:.3f} ms  FPS {row['fps']:.2f}  ({describe_row(row)}; "
            f"other programs {others[0]:.2f} CPUs, load {os.getloadavg()[0]:.2f})")
        measured = {}
        for name, measure in measure_python.items():
            meter = OtherCpu()
            py = measure(result.artefact)
            others.append(meter.cores())
            measured[name] = py
            log(f"{label} try {attempts} {name}: P50 {py['p50']:.3f} ms  P99 {py['p99']:.3f} ms  "
                f"FPS {py['fps']:.2f}  ({describe_python(py)}; other programs {others[-1]:.2f} CPUs, "
                f"load {os.getloadavg()[0]:.2f})")
        if max(others) >= max_other:
            log(f"{label} try {attempts} disturbed (other programs >= {max_other} CPUs): repeated")
            continue
        result.ib_fps.append(row["fps"])
        result.ib_p50.append(row["latency_ms"]["p50"])
        for name, py in measured.items():
            result.py_fps.setdefault(name, []).append(py["fps"])
            result.py_p50.setdefault(name, []).append(py["p50"])
    return result


def report_ratios(result: Rounds, label: str, log, target: float = 0.95) -> bool:
    """Logs the medians and the ratio inferbench / each Python variant; True when all meet target."""
    if not result.ib_fps:
        log(f"{label}: no undisturbed round; rerun on a quieter machine")
        return False
    med = statistics.median
    log(f"{label} artefact: {result.artefact}")
    log(f"{label} median of {len(result.ib_fps)} undisturbed rounds: inferbench P50 {med(result.ib_p50):.3f} ms / "
        f"{med(result.ib_fps):.2f} FPS")
    met = True
    for name, fps in result.py_fps.items():
        ratio = med(result.ib_fps) / med(fps)
        met = met and ratio >= target
        log(f"{label} {name}: P50 {med(result.py_p50[name]):.3f} ms / {med(fps):.2f} FPS; "
            f"ratio inferbench / {name} = {ratio:.3f} (target >= {target}: {'met' if ratio >= target else 'NOT met'})")
    return met
