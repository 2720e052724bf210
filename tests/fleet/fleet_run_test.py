# SPDX-License-Identifier: Apache-2.0
"""`inferbench run --cluster` end to end, on a Ray cluster of two hosts on this machine.

    <fleet python> tests/fleet/fleet_run_test.py BUILD/inferbench

A head with no slot and hosts "a" and "b" (tools/fleet/loopback_cluster.py), all running the real
inferbench of this build. Checks:
- noop and tiny-model torch cells on both hosts: every cell once on each host, no two timed windows
  overlapping on one host, parity against the FP32 reference computed on this machine, one
  results.json and one stored run holding both hosts;
- host b's raylet killed during its second cell: that cell a failed row naming b, b's remaining cell
  "not run", both marked lost, while a finishes; b joined again, `--resume RUN` runs exactly those
  two and puts them in place in the same run;
- bad requests are one line before anything runs; Ctrl-C keeps the finished rows and leaves no
  worker on a host;
- an AOTInductor package (compiled for the machine that runs it) is built on the host, within the
  cell, into the host's cache, and the row says so.
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "tools", "fleet"))
BIN = ""  # set from the command line


def identity(row: dict) -> tuple:
    return (row["model"], row["backend"], row["variant"], row["device"], row["precision"], row["scenario"],
            row["batch"], json.dumps(row["requested"], sort_keys=True))


class FleetRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from loopback_cluster import LoopbackCluster, require_ray
        require_ray()
        cls.cluster = LoopbackCluster(hosts=["a", "b"], binary=BIN)
        cls.work = tempfile.mkdtemp(prefix="inferbench-fleet-test-")
        cls.db = os.path.join(cls.work, "store.sqlite")
        print(f"fleet test: cluster up in {cls.cluster.timings['all_s']:.1f} s; memory RSS/PSS MB: "
              f"{cls.cluster.memory()}", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def inferbench(self, *args, wait=True):
        command = [BIN, "run", *args] + ([] if "--no-store" in args else ["--db", self.db])
        process = subprocess.Popen(command, env=self.cluster.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        if not wait:
            return process
        out, err = process.communicate(timeout=600)
        return process.returncode, out, err

    def rows(self, out_dir: str) -> list:
        with open(os.path.join(out_dir, "results.json")) as f:
            return json.load(f)["rows"]

    def assert_windows_apart(self, rows: list) -> None:
        for host in {r["host"]["name"] for r in rows}:
            windows = sorted((r["window_started_at"], r["window_finished_at"]) for r in rows
                             if r["host"]["name"] == host and r["window_started_at"])
            for (_, end), (start, _) in zip(windows, windows[1:]):
                self.assertLessEqual(end, start, f"two timed windows overlap on host {host}: {windows}")

    def stored(self, run_id: str) -> list:
        with sqlite3.connect(self.db) as store:
            return store.execute("SELECT host, status FROM run_rows WHERE run_id = ? ORDER BY row_index",
                                 (run_id,)).fetchall()

    def test_1_cells_on_both_hosts(self):
        out = os.path.join(self.work, "both")
        code, stdout, stderr = self.inferbench(
            "--cluster", self.cluster.address, "--backends", "noop,torch:eager", "--model", "tiny_cnn",
            "--batch", "2", "--devices", "cpu", "--precisions", "fp32", "--scenarios", "sync", "--warmup", "3",
            "--iters", "30",
            "--out", out)
        self.assertEqual(code, 0, stderr[-3000:])
        rows = self.rows(out)
        by_host = {}
        for row in rows:
            self.assertEqual(row["status"], "ok", row["error"])
            self.assertFalse(row["host"]["lost"])
            self.assertTrue(row["host"]["env"], "the host's environment record")
            self.assertFalse([w for w in row["warnings"] if "niceness" in w], "cells run at normal CPU priority")
            by_host.setdefault(row["host"]["name"], []).append(identity(row))
        self.assertEqual(sorted(by_host), ["a", "b"])
        for host, cells in by_host.items():
            self.assertEqual(len(cells), len(set(cells)), f"a cell ran twice on {host}")
        self.assertEqual(sorted(by_host["a"]), sorted(by_host["b"]))
        self.assertEqual(len(by_host["a"]), 2)  # noop and torch:eager
        for row in rows:
            if row["backend"] == "torch":
                self.assertIsNotNone(row["parity"], "the reference travelled to the host")
                self.assertGreater(row["parity"]["cosine"], 0.9999)
        self.assert_windows_apart(rows)
        with open(os.path.join(out, "results.json")) as f:
            run_id = json.load(f)["run"]["id"]
        stored = self.stored(run_id)
        self.assertEqual(len(stored), len(rows))
        self.assertEqual(sorted({host for host, _ in stored}), ["a", "b"])
        self.assertIn("Host", stdout, "Table B names the host when there are several")

    def test_2_a_host_lost_then_resumed(self):
        out = os.path.join(self.work, "lost")
        # Three cells per host, each about 5 s (50 timed iterations of a 100 ms noop request): the kill
        # lands well inside b's second cell, which Ray reports lost about 2 s later.
        process = self.inferbench(
            "--cluster", self.cluster.address, "--backends", "noop", "--model", "tiny_cnn", "--scenarios", "sync",
            "--batch", "1,2,4", "--warmup", "1",
            "--iters", "50", "--backend-option", "noop:service_us=100000", "--out", out, wait=False)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                rows = self.rows(out)
            except (OSError, ValueError):
                continue
            if any(r["host"]["name"] == "b" and r["status"] == "ok" for r in rows):
                break
            if process.poll() is not None:
                self.fail(f"the run ended before host b finished a cell: {process.communicate()[1][-3000:]}")
        else:
            process.kill()
            self.fail("host b never finished a cell")
        time.sleep(0.5)  # into b's second cell
        self.cluster.kill_host("b")
        _, stderr = process.communicate(timeout=300)
        self.assertEqual(process.returncode, 1, stderr[-3000:])  # some rows failed, the others written
        rows = self.rows(out)
        a = [r for r in rows if r["host"]["name"] == "a"]
        b = [r for r in rows if r["host"]["name"] == "b"]
        self.assertEqual([r["status"] for r in a], ["ok"] * 3, [r["error"] for r in a])
        self.assertEqual(len(b), 3)
        self.assertEqual(b[0]["status"], "ok")
        self.assertIn("host b lost during the cell", b[1]["error"])
        self.assertIn("not run: host b gone", b[2]["error"])
        self.assertTrue(b[1]["host"]["lost"] and b[2]["host"]["lost"] and not b[0]["host"]["lost"])
        self.assert_windows_apart(rows)
        with open(os.path.join(out, "results.json")) as f:
            run_id = json.load(f)["run"]["id"]

        self.cluster.join("b")
        code, stdout, stderr = self.inferbench("--resume", run_id)
        self.assertEqual(code, 0, stderr[-3000:])
        resumed = self.rows(out)
        self.assertEqual(len(resumed), 6)
        self.assertEqual([r["status"] for r in resumed], ["ok"] * 6, [r["error"] for r in resumed])
        self.assertFalse(any(r["host"]["lost"] for r in resumed))
        # Exactly the two cells b lost ran again, each in its own place; the rest are as they were.
        self.assertEqual([identity(r) for r in resumed], [identity(r) for r in rows])
        for before, after in zip(rows, resumed):
            if not before["host"]["lost"]:
                self.assertEqual(before["latency_samples_ms"], after["latency_samples_ms"])
        self.assert_windows_apart(resumed)
        self.assertEqual([status for _, status in self.stored(run_id)], ["ok"] * 6)

    def test_3_bad_requests_are_one_line_before_anything_runs(self):
        # The plan, per host, with nothing run.
        code, stdout, stderr = self.inferbench("--cluster", self.cluster.address, "--backends", "noop", "--model",
                                               "tiny_cnn", "--scenarios", "sync", "--batch", "2", "--dry-run")
        self.assertEqual(code, 0, stderr[-3000:])
        self.assertIn("host a: ", stdout)
        self.assertIn("host b: ", stdout)
        checks = [
            (["--hosts", "a,gpu01"], 2, "inferbench: --hosts names 'gpu01', which is not a host of the cluster"),
            (["--backends", "tensorrt"], 3, "inferbench: no host of the cluster can run any cell asked: host a says"),
            (["--instances", "2"], 2, "inferbench: --instances above 1 runs on one machine only, not with --cluster"),
        ]
        for extra, expected_code, line in checks:
            code, _, stderr = self.inferbench("--cluster", self.cluster.address, "--model", "tiny_cnn", *extra,
                                              "--no-store")
            self.assertEqual(code, expected_code, stderr[-3000:])
            self.assertTrue(stderr.strip().splitlines()[-1].startswith(line), stderr[-3000:])
        # A cluster that is not there: one line, within the coordinator's 30 s bound.
        started = time.monotonic()
        code, _, stderr = self.inferbench("--cluster", "127.0.0.1:9", "--backends", "noop", "--no-store")
        self.assertEqual(code, 3, stderr[-3000:])
        self.assertIn("inferbench: cannot reach the Ray cluster at 127.0.0.1:9", stderr)
        self.assertLess(time.monotonic() - started, 90)

    def test_4_interrupted_run_keeps_its_rows_and_leaves_no_worker(self):
        out = os.path.join(self.work, "interrupted")
        process = self.inferbench(
            "--cluster", self.cluster.address, "--backends", "noop", "--model", "tiny_cnn", "--scenarios", "sync",
            "--batch", "1,2,4", "--warmup", "1", "--iters", "25", "--backend-option", "noop:service_us=100000",
            "--out", out, wait=False)
        deadline = time.monotonic() + 300
        rows = []
        while time.monotonic() < deadline and not rows and process.poll() is None:
            time.sleep(0.2)
            try:
                rows = [r for r in self.rows(out) if r["status"] == "ok"]
            except (OSError, ValueError):
                pass
        self.assertTrue(rows, "no row finished")
        time.sleep(0.5)  # both hosts inside their next cell
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
        self.assertGreaterEqual(len([r for r in self.rows(out) if r["status"] == "ok"]), len(rows))

        def workers():
            from loopback_cluster import processes
            return [pid for pid, (_, state, _, cmdline, _) in processes().items()
                    if state != "Z" and cmdline[:2] == [BIN, "worker"]]
        deadline = time.monotonic() + 30
        while workers() and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertEqual(workers(), [], "a host's worker outlived the interrupted run")

    def test_5_a_package_compiled_for_its_machine_is_built_on_the_host(self):
        matrix = ["--cluster", self.cluster.address, "--hosts", "a", "--backends", "torch:aoti", "--model", "tiny_cnn",
                  "--devices", "cpu", "--precisions", "fp32", "--scenarios", "sync", "--batch", "2", "--warmup", "2",
                  "--iters", "20"]
        code, stdout, stderr = self.inferbench(*matrix, "--dry-run")
        self.assertEqual(code, 0, stderr[-3000:])
        self.assertIn("(built on host a)", stdout)
        out = os.path.join(self.work, "aoti")
        code, _, stderr = self.inferbench(*matrix, "--out", out)
        self.assertEqual(code, 0, stderr[-3000:])
        [row] = self.rows(out)
        self.assertEqual(row["status"], "ok", row["error"])
        self.assertEqual(row["host"]["name"], "a")
        self.assertTrue(row["effective"]["artefact_built_on"].startswith("a ("), row["effective"])
        self.assertTrue(row["artefact"].startswith(self.cluster.cache("a")), row["artefact"])
        self.assertIsNotNone(row["export_ms"])
        self.assertGreater(row["parity"]["cosine"], 0.9999)


def main() -> int:
    global BIN
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} BUILD/inferbench", file=sys.stderr)
        return 2
    BIN = os.path.abspath(sys.argv[1])
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    if result.skipped and not result.failures and not result.errors:
        return 77  # CTest's SKIP_RETURN_CODE
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
