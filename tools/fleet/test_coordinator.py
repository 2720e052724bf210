# SPDX-License-Identifier: Apache-2.0
"""The fleet coordinator against a real Ray cluster on this machine.

    <fleet python> tools/fleet/test_coordinator.py BIN

BIN is what each host runs as `$INFERBENCH_BIN host-info` and `$INFERBENCH_BIN worker CELL.json`:
tools/fleet/testdata/protocol-stand-in, or an executable that answers like it (the cells sent here
are the stand-in's, not real inferbench cells). The test starts a head with no slot and two hosts
"a" and "b" (tools/fleet/loopback_cluster.py: token auth, short health checks), drives the coordinator
through its JSON-lines protocol, kills b's raylet during a cell, and at the end kills every process
of the cluster (by process id, never by name: `ray stop` would stop every Ray node of the machine)
and checks that none is left. It prints start-up time, memory and how long a dead host took to be
reported. About 15 s on 2 cores. Exit status 0 passed, 1 failed, 2 usage, 77 skipped (no Ray in
this python).
"""
import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

from loopback_cluster import LoopbackCluster, processes, require_ray

HERE = os.path.dirname(os.path.abspath(__file__))
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
BIN = ""  # set from the command line
REPORT = []  # measurements, printed at the end


class Coordinator:
    """A coordinator process and its JSON lines."""

    def __init__(self, address: str, env: dict, log_path: str):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inferbench_fleet", "coordinator", "--address", address],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            env=dict(env, PYTHONPATH=HERE))
        self.started = time.monotonic()
        self.lines = queue.Queue()
        self.held = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def send(self, message) -> None:
        self.process.stdin.write((message if isinstance(message, str) else json.dumps(message)) + "\n")
        self.process.stdin.flush()

    def expect(self, op: str, timeout_s: float, **match) -> dict:
        """The next message with this op (and these fields); others wait their turn."""
        deadline = time.monotonic() + timeout_s
        while True:
            for message in self.held:
                if message.get("op") == op and all(message.get(k) == v for k, v in match.items()):
                    self.held.remove(message)
                    return message
            try:
                message = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no {op} {match} within {timeout_s} s; held: {self.held}; "
                                     f"log: {self.log_text()[-2000:]}") from None
            if message is None:
                raise AssertionError(f"the coordinator ended before {op} {match}: {self.log_text()[-2000:]}")
            self.held.append(message)

    def log_text(self) -> str:
        with open(self.log_path) as f:
            return f.read()

    def stop(self) -> int:
        try:
            self.send({"op": "shutdown"})
            self.process.stdin.close()
        except (BrokenPipeError, ValueError):  # it has already gone
            pass
        code = self.process.wait(timeout=40)
        self.process.stdout.close()
        self.log.close()
        return code


class FleetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_ray()  # the fleet environment is what this test checks
        cls.cluster = LoopbackCluster(hosts=["a", "b"], binary=BIN)
        cls.root, cls.address, cls.env = cls.cluster.root, cls.cluster.address, cls.cluster.env()
        try:
            timings = cls.cluster.timings
            REPORT.append(f"cluster start-up: head {timings['head_s']:.1f} s, head + 2 hosts {timings['all_s']:.1f} s")
            REPORT.append(f"idle cluster memory, RSS/PSS MB: {cls.cluster.memory()}")
            cls.coordinator = Coordinator(cls.address, cls.env, os.path.join(cls.root, "coordinator.log"))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        coordinator = getattr(cls, "coordinator", None)
        if coordinator and coordinator.process.poll() is None:
            coordinator.process.kill()
        cls.cluster.close()  # and checks that no process of the cluster is left

    # --- helpers ---------------------------------------------------------------------------------

    def bundle(self):
        folder = os.path.join(self.root, "model")
        if not os.path.isdir(folder):
            os.makedirs(folder)
            with open(os.path.join(folder, "model.xml"), "w") as f:
                f.write("<net/>\n")
            with open(os.path.join(folder, "model.bin"), "wb") as f:
                f.write(os.urandom(300_000))
        return [{"field": "artefact", "main": "model.xml",
                 "paths": [os.path.join(folder, "model.xml"), os.path.join(folder, "model.bin")]}]

    def run_cell(self, cell_id: int, host: str, iterations: int, timeout_s: float = 60, **extra):
        cell = {"backend": "stand-in", "iterations": iterations, "artefact": "/driver/x/model.xml",
                **extra.pop("cell", {})}
        self.coordinator.send({"op": "run", "id": cell_id, "host": host, "timeout_s": timeout_s,
                               "cell": cell, "files": self.bundle(),
                               "log": os.path.join(self.root, "out", f"cell-{cell_id}.log"), **extra})

    def assert_row(self, done: dict, host: str) -> dict:
        self.assertEqual((done["lost"], done["error"], done["exited"], done["exit_code"]), (False, "", True, 0), done)
        row = json.loads(done["stdout"].strip().splitlines()[-1])
        with open(os.path.join(self.root, "model", "model.xml"), "rb") as f:
            self.assertEqual(row["artefact_sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertTrue(row["artefact"].startswith(os.path.join(self.cluster.cache(host), "fleet", "")), row)
        self.assertIsNone(row["omp_num_threads"], "Ray's OMP_NUM_THREADS=1 reached the worker")
        for name in ("RAY_RAYLET_PID", "RAY_JOB_ID", "RAY_AUTH_TOKEN"):
            self.assertNotIn(name, row["ray_variables"])
        self.assertRegex(done["started_at"], TIMESTAMP)
        self.assertRegex(done["finished_at"], TIMESTAMP)
        self.assertGreaterEqual(done["wall_seconds"], row["iterations"] * 0.010)
        self.assertGreater(done["peak_rss_mb"], 1)
        with open(os.path.join(self.root, "out", f"cell-{done['id']}.log")) as f:
            self.assertIn("stand-in worker", f.read())
        self.assertIn("stand-in worker", done["stderr_tail"])
        return row

    def wait_for_worker(self, host: str) -> int:
        """The pid of the stand-in worker running on `host`, once it runs."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if workers := self.cluster.workers(host):
                return workers[0]
            time.sleep(0.1)
        self.fail(f"no worker started on host {host}")

    def assert_gone(self, pid: int, why: str):
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and processes().get(pid, (0, "Z"))[1] != "Z":
            if time.monotonic() > deadline:
                self.fail(f"worker {pid} still running: {why}")
            time.sleep(0.1)

    # --- the protocol, in order ------------------------------------------------------------------

    def test_1_ready_and_discover(self):
        ready = self.coordinator.expect("ready", 60)
        REPORT.append(f"coordinator ready {time.monotonic() - self.coordinator.started:.1f} s after its start")
        self.assertEqual(ready["ray_version"], "2.60.0")
        self.coordinator.send({"op": "discover", "timeout_s": 60})
        hosts = self.coordinator.expect("hosts", 90)["hosts"]
        self.assertEqual([h["name"] for h in hosts], ["a", "b"], hosts)
        for host in hosts:
            self.assertEqual((host["error"], host["binary"]), ("", BIN), host)
            self.assertIsInstance(host["info"], dict)
            if os.path.basename(BIN) == "protocol-stand-in":
                self.assertEqual(host["info"]["cache"], self.cluster.cache(host["name"]))

    def test_2_cells_on_both_hosts(self):
        loadgen_dir = os.path.join(self.root, "out", "loadgen-2")
        self.run_cell(1, "a", 30)
        self.run_cell(2, "b", 30, cell={"serving": {"scenario": "server"}}, loadgen_dir=loadgen_dir)
        self.assert_row(self.coordinator.expect("done", 60, id=1), "a")
        row = self.assert_row(self.coordinator.expect("done", 60, id=2), "b")
        # The worker wrote into a folder on the host; the driver sees its own folder instead.
        self.assertEqual(row["log_dir_seen"], loadgen_dir)
        self.assertTrue(os.path.isfile(os.path.join(loadgen_dir, "mlperf_log_summary.txt")))
        # A second cell on a reuses the bundle: each host got it once.
        self.run_cell(3, "a", 10)
        self.assert_row(self.coordinator.expect("done", 60, id=3), "a")
        log = self.coordinator.log_text()
        self.assertEqual((log.count("stored on a"), log.count("stored on b")), (1, 1), log)

    def test_3_bundle_kept_on_host(self):
        # A coordinator that does not know the host finds the bundle there and sends nothing.
        other = Coordinator(self.address, self.env, os.path.join(self.root, "coordinator-2.log"))
        try:
            other.expect("ready", 60)
            other.send({"op": "run", "id": 1, "host": "a", "timeout_s": 30, "files": self.bundle(),
                        "cell": {"iterations": 1, "artefact": "/driver/x/model.xml"}, "log": ""})
            done = other.expect("done", 60, id=1)
            self.assertEqual((done["exited"], done["exit_code"], done["error"]), (True, 0, ""), done)
            self.assertIn("already on a", other.log_text())
            self.assertNotIn("stored on", other.log_text())
        finally:
            self.assertEqual(other.stop(), 0)

    def test_4_timeout_and_bad_requests(self):
        self.run_cell(4, "a", 3000, timeout_s=1)
        done = self.coordinator.expect("done", 60, id=4)
        self.assertEqual((done["timed_out"], done["exited"], done["signal"], done["lost"]),
                         (True, False, signal.SIGKILL, False), done)
        self.assertLess(done["wall_seconds"], 5)
        self.run_cell(5, "nowhere", 1)
        self.assertIn("no host called nowhere", self.coordinator.expect("done", 30, id=5)["error"])
        self.coordinator.send("not json")
        self.assertIn("not JSON", self.coordinator.expect("error", 30)["message"])

    def test_5_host_lost_during_a_cell(self):
        self.run_cell(6, "b", 3000)
        worker = self.wait_for_worker("b")
        self.run_cell(7, "a", 100)
        self.cluster.kill_host("b")
        killed = time.monotonic()
        done = self.coordinator.expect("done", 60, id=6)
        REPORT.append(f"host b's raylet killed: cell reported lost after {time.monotonic() - killed:.1f} s "
                      f"({done['error']})")
        self.assertTrue(done["lost"], done)
        self.assertIn("host b lost during the cell", done["error"])
        self.assert_row(self.coordinator.expect("done", 60, id=7), "a")
        self.assert_gone(worker, "its host's raylet was killed")
        self.run_cell(8, "b", 1)
        done = self.coordinator.expect("done", 60, id=8)
        self.assertTrue(done["lost"], done)
        self.assertIn("host b lost before the cell", done["error"])

    def test_6_shutdown_kills_running_cells(self):
        self.run_cell(9, "a", 3000)
        worker = self.wait_for_worker("a")
        start = time.monotonic()
        self.coordinator.send({"op": "shutdown"})
        done = self.coordinator.expect("done", 40, id=9)
        self.assertIn("cancelled", done["error"])
        self.assertEqual(self.coordinator.stop(), 0)
        REPORT.append(f"shutdown with a cell running: {time.monotonic() - start:.1f} s")
        self.assert_gone(worker, "the coordinator shut down")


def main() -> int:
    global BIN
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} BIN  (tools/fleet/testdata/protocol-stand-in, or what answers like it)",
              file=sys.stderr)
        return 2
    BIN = os.path.abspath(sys.argv[1])
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print(f"test_coordinator: {BIN} is not an executable file", file=sys.stderr)
        return 2
    start = time.monotonic()
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    for line in REPORT + [f"total {time.monotonic() - start:.1f} s"]:
        print(f"fleet test: {line}", file=sys.stderr)
    if result.skipped and not result.failures and not result.errors:
        return 77  # CTest's SKIP_RETURN_CODE: no Ray in this python
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
