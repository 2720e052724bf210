# SPDX-License-Identifier: Apache-2.0
"""What going through Ray costs: the same MobileNetV2 cells measured on this machine directly and
through a one-host Ray cluster on this machine, alternating, in one sitting.

    <fleet python> bench/fleet_overhead.py BUILD/inferbench [PAIRS]

For each pair (local first, then fleet, then the other order in the next pair, so that drift is
shared): each cell's FPS through Ray over its FPS locally, and the run's wall time. The added wall
time per cell is the fleet run's wall time less the local run's, less the fixed cost of connecting
to the cluster and asking the host what it can run (the difference of the two `--dry-run`s),
divided by the cells. Target (issue #21): every cell's FPS ratio >= 0.97.
"""
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SOURCE, "tools", "fleet"))
from loopback_cluster import LoopbackCluster  # noqa: E402

MATRIX = ["--model", "mobilenet_v2", "--backends", "openvino,litert,executorch", "--devices", "cpu",
          "--precisions", "fp32,int8", "--scenarios", "sync", "--batch", "8", "--iters", "300", "--no-store"]


def label(row: dict) -> str:
    return f"{row['framework']} {row['precision'].upper()}"


def own_cpu_seconds(pids) -> float:
    """CPU time the processes used themselves (utime + stime, without their reaped children: a host's
    Ray worker reaps the cell's inferbench worker, whose time is the measurement)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def run(binary: str, env: dict, extra: list, out: str, cluster=None):
    """(wall s, {cell: FPS}, CPU s the cluster's processes used meanwhile). A host's Ray workers
    start with the first cell: the CPU of processes that appear during the run counts from their
    start."""
    before = {pid: own_cpu_seconds([pid]) for pid in cluster.ours()} if cluster else {}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run([binary, "run", *MATRIX, *extra, "--out", out], env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    ray_cpu = sum(own_cpu_seconds([pid]) - before.get(pid, 0) for pid in cluster.ours()) if cluster else 0
    if cluster:  # the driver and the coordinator it started (a fleet run's workers are the hosts')
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        ray_cpu += after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    if done.returncode not in (0, 1):
        sys.exit(f"inferbench exited {done.returncode}: {done.stderr[-2000:]}")
    if "--dry-run" in extra:
        return wall, {}, ray_cpu
    with open(os.path.join(out, "results.json")) as f:
        rows = json.load(f)["rows"]
    return wall, {label(r): r["fps"] for r in rows if r["status"] == "ok"}, ray_cpu


def main() -> int:
    binary = os.path.abspath(sys.argv[1])
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    work = tempfile.mkdtemp(prefix="inferbench-fleet-overhead-")
    # Ray's own health checks (a test's quicker ones poll more), as a real host has them.
    with LoopbackCluster(hosts=["h1"], binary=binary, quick_failure=False) as cluster:
        env = cluster.env()
        fleet = ["--cluster", cluster.address]
        print(f"one-host Ray cluster on this machine (head without a slot + host h1), up in "
              f"{cluster.timings['all_s']:.1f} s; its idle memory RSS/PSS MB: {cluster.memory()}")
        print(f"cells: {' '.join(MATRIX)} (50 warm-up iterations; 300 timed, because at the study's 100 one "
              f"cell's FPS moves by 5-10% between two local runs here, more than the 3% asked about)")
        local_dry, _, _ = run(binary, env, ["--dry-run"], os.path.join(work, "dry-local"))
        fleet_dry, _, _ = run(binary, env, ["--dry-run", *fleet], os.path.join(work, "dry-fleet"))
        print(f"--dry-run: local {local_dry:.1f} s, through Ray {fleet_dry:.1f} s (connect, discovery, plan): "
              f"fixed cost {fleet_dry - local_dry:.1f} s")
        ratios, added = {}, []
        for pair in range(1, pairs + 1):
            order = [("local", []), ("fleet", fleet)]
            if pair % 2 == 0:
                order.reverse()
            measured = {}
            for name, extra in order:
                measured[name] = run(binary, env, extra, os.path.join(work, f"{name}-{pair}"),
                                     cluster if name == "fleet" else None)
            (local_wall, local_fps, _), (fleet_wall, fleet_fps, ray_cpu) = measured["local"], measured["fleet"]
            cells = sorted(set(local_fps) & set(fleet_fps))
            per_cell = (fleet_wall - local_wall - (fleet_dry - local_dry)) / max(1, len(cells))
            added.append(per_cell)
            print(f"\npair {pair} ({' then '.join(n for n, _ in order)}): wall local {local_wall:.1f} s, "
                  f"through Ray {fleet_wall:.1f} s; added per cell {per_cell:+.2f} s; Ray's processes, the driver "
                  f"and the coordinator used {ray_cpu:.2f} CPU s meanwhile ({100 * ray_cpu / fleet_wall:.1f}% of one core)")
            print(f"  {'cell':<34} {'local FPS':>10} {'Ray FPS':>10} {'ratio':>7}")
            for cell in cells:
                ratio = fleet_fps[cell] / local_fps[cell]
                ratios.setdefault(cell, []).append(ratio)
                print(f"  {cell:<34} {local_fps[cell]:>10.1f} {fleet_fps[cell]:>10.1f} {ratio:>7.3f}")
        print("\nper cell, FPS through Ray / FPS locally over the pairs: median (min..max)")
        for cell, values in sorted(ratios.items()):
            print(f"  {cell:<34} {statistics.median(values):.3f} ({min(values):.3f}..{max(values):.3f})")
        medians = [statistics.median(v) for v in ratios.values()]
        print(f"lowest per-cell median ratio {min(medians):.3f} (target >= 0.97); added wall time per cell "
              f"{statistics.median(added):+.2f} s median ({min(added):+.2f}..{max(added):+.2f})")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
