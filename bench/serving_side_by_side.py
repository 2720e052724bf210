# SPDX-License-Identifier: Apache-2.0
"""Side by side: what LoadGen's dispatcher costs. Each CPU configuration is measured in LoadGen's
offline scenario (every sample queued at once, the worker's dispatcher batching them onto the
request slots, each batch's samples copied into the slot, or staged into its standby input while
the slot computes the batch before) and in the async scenario (the same
request slots kept busy with the one input set before the loop: no LoadGen, no dispatcher, no
copies), alternating the two so that they share the machine's drift. Prints each run and the
ratio offline / async throughput per configuration (target >= 0.95: the system under test
costs nothing measurable).

    python3 bench/serving_side_by_side.py --inferbench ./inferbench \\
        [--batch 8 --rounds 3 --out bench/results/serving_side_by_side.txt]

Every run is its own `inferbench run` (its own worker, compile and warm-up); the default
--threads (each framework's own) and --requests (each backend's recommendation), so that both
scenarios run on the same slots. The offline test lasts at least --loadgen-seconds (3 here) and
16 batches per slot; the async loop runs --iters batches. Waiting for a quiet machine and
repeating disturbed rounds: see bench/side_by_side.py.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side import Log, OtherCpu, arguments, begin  # noqa: E402

# (--backends, --precisions) of every CPU configuration with request slots.
CONFIGURATIONS = [
    ("torch:eager", "fp32"), ("torch:aoti", "fp32"), ("torch:aoti", "bf16"),
    ("openvino", "fp32"), ("openvino", "bf16"), ("openvino", "int8"),
    ("executorch", "fp32"), ("executorch", "int8"),
    ("litert", "fp32"), ("litert", "int8"),
]


def measure(binary: str, backend: str, precision: str, scenario: str, args) -> dict:
    """One `inferbench run` of one configuration in one scenario; its row."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", "--backends", backend, "--devices", "cpu", "--precisions", precision,
               "--scenarios", scenario, "--batch", str(args.batch), "--warmup", str(args.warmup),
               "--iters", str(args.iters), "--out", out, "--no-store"]
        if scenario not in ("sync", "async"):  # LoadGen's settings, refused for the others
            cmd += ["--loadgen-seconds", str(args.loadgen_seconds), "--loadgen-samples", str(args.loadgen_samples)]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        results = Path(out) / "results.json"
        rows = json.loads(results.read_text())["rows"] if results.exists() else []
        row = next((r for r in rows if r["scenario"] == scenario and r["precision"] == precision), None)
        if row is None or row["status"] != "ok":
            raise SystemExit(f"inferbench {backend} {precision} {scenario} did not measure: "
                             f"{row['error'] if row else done.stderr.strip().splitlines()[-1:]}")
        return row


def main() -> int:
    parser = arguments(__doc__, threads=0, precisions="")
    parser.set_defaults(batch=8, rounds=3, iters=100)
    parser.add_argument("--loadgen-seconds", type=float, default=3)
    parser.add_argument("--loadgen-samples", type=int, default=0,
                        help="LoadGen's sample library (0: inferbench's default, 64 samples); one batch's worth "
                             "keeps the offline input in the caches as the async loop's one input is")
    parser.add_argument("--only", help="comma list of BACKEND/PRECISION to run, e.g. litert/int8")
    args = parser.parse_args()
    log = Log()
    begin(args, log, "LoadGen offline vs async throughput (offline / async >= 0.95), LoadGen sample library "
          f"{args.loadgen_samples or 'default (64)'}", "inferbench " + args.inferbench)
    wanted = set(args.only.split(",")) if args.only else None
    ratios = {}
    for backend, precision in CONFIGURATIONS:
        label = f"{backend}/{precision}"
        if wanted and label not in wanted:
            continue
        offline, asynchronous = [], []
        attempts = 0
        while len(offline) < args.rounds and attempts < 2 * args.rounds:
            attempts += 1
            meter = OtherCpu()
            off = measure(args.inferbench, backend, precision, "offline", args)
            on = measure(args.inferbench, backend, precision, "async", args)
            other = meter.cores()
            staged = off["effective"].get("input_staging", "")
            staged = "/".join(staged.split()[0:3:2]) if staged[:1].isdigit() else "none"
            log(f"{label} try {attempts}: offline {off['throughput']:.2f}/s (batch fill "
                f"{off['serving']['mean_batch_fill']:.2f}, x{off['serving']['requests_in_flight']}, staged {staged}, "
                f"{off['serving']['reported']['seconds']:.1f} s)  async {on['throughput']:.2f}/s "
                f"(x{on['effective'].get('requests_in_flight', '?')}, {on['wall_ms'] / 1000:.1f} s)  "
                f"ratio {off['throughput'] / on['throughput']:.3f}  (other programs {other:.2f} CPUs, "
                f"load {os.getloadavg()[0]:.2f})")
            if other >= args.max_other:
                log(f"{label} try {attempts} disturbed (other programs >= {args.max_other} CPUs): repeated")
                continue
            offline.append(off["throughput"])
            asynchronous.append(on["throughput"])
        if offline:
            ratio = statistics.median(offline) / statistics.median(asynchronous)
            ratios[label] = ratio
            log(f"{label}: median offline {statistics.median(offline):.2f}/s, async "
                f"{statistics.median(asynchronous):.2f}/s over {len(offline)} rounds: ratio {ratio:.3f}"
                f"{'' if ratio >= 0.95 else '  BELOW 0.95'}")
    log("")
    log("configuration          offline/async")
    for label, ratio in ratios.items():
        log(f"{label:<22} {ratio:.3f}")
    log.save(args.out)
    return 0 if ratios and all(r >= 0.95 for r in ratios.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
