# SPDX-License-Identifier: Apache-2.0
"""A Ray cluster of several inferbench hosts on this one machine, for tests and benchmarks.

    with LoopbackCluster(hosts=["a", "b"], binary=BIN) as cluster:
        cluster.address            # "127.0.0.1:PORT", for --cluster
        cluster.workers("b")       # pids of the workers running on b now
        cluster.kill_host("b")     # its raylet killed: the host is gone
        cluster.join("b")          # back again, under the same name

Nodes are started through tools/fleet/inferbench-host, each in a session of its own, with token
authentication and short health checks (a dead node is noticed in about 2 s). Each host keeps its
shipped files under its own INFERBENCH_CACHE in the cluster's temporary folder. close() kills every
process of the cluster by process id (`ray stop` would stop every Ray node of the machine, not
only these) and checks that none is left.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HOST_SCRIPT = os.path.join(HERE, "inferbench-host")


def processes() -> dict:
    """{pid: (session id, state, name, cmdline, environ)} of every process readable here."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace").split("\0")
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        found[int(pid)] = (int(rest[3]), rest[0], name, cmdline, environ)
    return found


def memory_mb(pid: int):
    """(RSS, PSS) of a process: PSS shares the pages of Ray's Python processes out fairly."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        fields = dict(line.split()[:2] for line in f if line.split()[0] in ("Rss:", "Pss:"))
    return int(fields["Rss:"]) / 1024, int(fields["Pss:"]) / 1024


def require_ray() -> None:
    """Skips the calling test (unittest.SkipTest; the test scripts exit 77 then, CTest's skip) when
    this python has no Ray: the hosts run the `ray` of the fleet environment, which must run them."""
    try:
        import ray  # noqa: F401
    except ImportError as e:
        raise unittest.SkipTest(f"no Ray in {sys.executable} (run it with the fleet environment's python): {e}")


class LoopbackCluster:
    def __init__(self, hosts, binary: str, head_host: str = "", python: str = sys.executable,
                 quick_failure: bool = True, node_env: dict = None, start_flags: list = ()):
        """A head (a benchmark host too when head_host names it) and one joined node per name in
        `hosts`; `binary` is the inferbench the hosts run (INFERBENCH_BIN), `python` the fleet
        environment's."""
        self.root = tempfile.mkdtemp(prefix="ibf-", dir="/tmp")  # short: Ray's socket paths are bounded
        self.sessions = []
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        base = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        # The environment of every node, and of whatever connects to the cluster (env()).
        self.base_env = dict(base, INFERBENCH_BIN=os.path.abspath(binary), INFERBENCH_FLEET_PYTHON=python,
                             RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32), **(node_env or {}))
        if quick_failure:  # a dead node noticed in about 2 s rather than Ray's 20 to 60, for tests
            self.base_env.update(RAY_health_check_initial_delay_ms="1000", RAY_health_check_period_ms="500",
                                 RAY_health_check_timeout_ms="1000", RAY_health_check_failure_threshold="3")
        self.start_flags = list(start_flags)
        self.timings = {}
        try:
            start = time.monotonic()
            head = ["--port", str(self.port), "--node-ip-address", "127.0.0.1"]
            self._start("head", head + (["--host", head_host] if head_host else []), head_host or "head")
            self.timings["head_s"] = time.monotonic() - start
            for name in hosts:
                self.join(name)
            self.timings["all_s"] = time.monotonic() - start
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def env(self, **extra) -> dict:
        """The environment a process connecting to the cluster needs (its token)."""
        return dict(self.base_env, **extra)

    def join(self, name: str) -> None:
        self._start("join", [self.address, "--host", name], name)

    def cache(self, name: str) -> str:
        """Host `name`'s INFERBENCH_CACHE: where the files shipped to it are kept."""
        return os.path.join(self.root, f"cache-{name}")

    def _start(self, command: str, arguments: list, name: str) -> None:
        """`inferbench-host head|join ...` in a session of its own: Ray's daemons stay in it."""
        env = dict(self.base_env, INFERBENCH_CACHE=self.cache(name))
        # A fresh --temp-dir for each start, so that a host joined again is told apart.
        temp = os.path.join(self.root, f"{name}-{len(self.sessions)}")
        flags = ["--", "--temp-dir", temp, "--object-store-memory", str(100 * 2**20), *self.start_flags]
        started = subprocess.Popen([HOST_SCRIPT, command, *arguments, *flags], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.sessions.append(started.pid)
        output, _ = started.communicate(timeout=120)
        if started.returncode != 0:
            raise RuntimeError(f"inferbench-host {command} {name} failed:\n{output[-3000:]}")
        self.temp_dirs = getattr(self, "temp_dirs", {})
        self.temp_dirs[name] = temp

    def ours(self) -> dict:
        """{pid: (name, cmdline)} of every process of the cluster: in a session it started, or a
        host's worker (whose environment names a host cache of this cluster)."""
        mine = {}
        for pid, (sid, state, name, cmdline, environ) in processes().items():
            cached_here = any(e.startswith(f"INFERBENCH_CACHE={self.root}") for e in environ)
            if state != "Z" and (sid in self.sessions or cached_here) and pid != os.getpid():
                mine[pid] = (name, cmdline)
        return mine

    def workers(self, name: str) -> list:
        """The pids of the workers (`$INFERBENCH_BIN worker ...`) running on host `name` now."""
        cache = f"INFERBENCH_CACHE={self.cache(name)}"
        return [pid for pid, (_, state, _, cmdline, environ) in processes().items()
                if state != "Z" and "worker" in cmdline and cache in environ]

    def kill_host(self, name: str) -> None:
        """SIGKILL to host `name`'s raylet: the node dies, as when its machine goes away."""
        temp = self.temp_dirs[name]
        raylet = next(pid for pid, (process, cmdline) in self.ours().items()
                      if process == "raylet" and any(f"{temp}/" in c for c in cmdline))
        os.kill(raylet, signal.SIGKILL)

    def memory(self) -> str:
        """The cluster's memory by kind of process, RSS/PSS MB."""
        by_kind = {}
        for pid, (name, cmdline) in self.ours().items():
            script = next((os.path.basename(c) for c in cmdline if c.endswith(".py")), "")
            try:
                by_kind.setdefault(script or name, []).append(memory_mb(pid))
            except OSError:
                pass
        parts = [f"{kind} {len(v)}x {sum(r for r, _ in v):.0f}/{sum(p for _, p in v):.0f}"
                 for kind, v in sorted(by_kind.items())]
        rss, pss = (sum(m[i] for v in by_kind.values() for m in v) for i in (0, 1))
        return f"{'; '.join(parts)}; total {rss:.0f}/{pss:.0f}"

    def close(self) -> None:
        deadline = time.monotonic() + 15
        while (left := self.ours()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.5)
        shutil.rmtree(self.root, ignore_errors=True)
        if left:
            raise AssertionError(f"processes of the test's cluster still running: {left}")
