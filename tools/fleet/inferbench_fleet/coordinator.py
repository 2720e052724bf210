# SPDX-License-Identifier: Apache-2.0
"""The fleet coordinator: runs the C++ driver's cells on the hosts of a Ray cluster.

It speaks the driver <-> coordinator protocol (v1, docs/fleet.md): one JSON object per line on
stdin (requests) and stdout (replies); stderr is free text for the driver's log. The main thread
reads stdin; each request runs on a thread of its own, which blocks on its Ray tasks, so replies
come back in the order cells finish. Shutdown (the request, EOF or SIGINT/SIGTERM) cancels every
task still out and waits for the last replies.
"""
import json
import os
import platform
import signal
import sys
import threading
import time

import ray
from ray import exceptions as rx
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from inferbench_fleet import host_tasks

SLOT = "inferbench_slot"  # the custom resource a benchmark host offers once
HOST_LABEL = "inferbench/host"
CONNECT_TIMEOUT_S = 30
DEFAULT_DISCOVER_TIMEOUT_S = 180
# A task that has not answered within its time limit plus this is given up (ray.cancel) and its
# host reported lost.
ANSWER_GRACE_S = 120
# How often a waiting request asks Ray whether its host is still alive, and how long it then
# waits for Ray's own error (which names the cause) before giving the task up. Ray raises
# NodeDiedError at once for a killed raylet, but for a frozen host (no answer at all) the node is
# marked dead and the task's ref still does not fail.
LIVENESS_PERIOD_S = 2.0
DEATH_GRACE_S = 2.0
SHUTDOWN_WAIT_S = 15.0
# Ray errors meaning the host (its node, or the worker process running the task) went away.
HOST_GONE = (rx.NodeDiedError, rx.WorkerCrashedError, rx.TaskUnschedulableError,
             rx.ActorDiedError, rx.OwnerDiedError, rx.ObjectLostError)

# The host tasks travel by value: the hosts need Ray, not this checkout on their Python path.
ray.cloudpickle.register_pickle_by_value(host_tasks)
_host_info = ray.remote(host_tasks.host_info)
_find_bundle = ray.remote(host_tasks.find_bundle)
_store_bundle = ray.remote(host_tasks.store_bundle)
_run_cell = ray.remote(host_tasks.run_cell)


class BadRequest(Exception):
    """A request that cannot be carried out as written."""


class Cancelled(Exception):
    """The coordinator is shutting down."""


class HostLost(Exception):
    """The host went away; `before` when no cell task of it had started."""

    def __init__(self, why: str, before: bool = False):
        super().__init__(why)
        self.before = before


class NoAnswer(Exception):
    """A task gave no answer in time."""


def log(message: str) -> None:
    print(f"fleet: {message}", file=sys.stderr, flush=True)


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else "(no message)"


def describe(error: BaseException) -> str:
    """"Type: first line" of an error, of the task's own exception when Ray wraps one."""
    cause = getattr(error, "cause", None) if isinstance(error, rx.RayTaskError) else None
    error = cause if isinstance(cause, BaseException) else error
    return f"{type(error).__name__}: {first_line(error)}"


def host_gone(error: BaseException):
    """The Ray error in `error` that means its host went away, or None."""
    for candidate in (error, getattr(error, "cause", None)):
        if isinstance(candidate, HOST_GONE):
            return candidate
    return None


def host_name(node: dict) -> str:
    return node.get("Labels", {}).get(HOST_LABEL) or node.get("NodeManagerHostname", "")


def slot_nodes() -> list:
    """Every node, alive or dead, that offers a benchmark slot."""
    return [n for n in ray.nodes() if n.get("Resources", {}).get(SLOT, 0) > 0]


def pinned(node_id: str, slot: bool) -> dict:
    """Task options: on that node only, no CPU claimed, never retried; with the host's slot."""
    options = {"scheduling_strategy": NodeAffinitySchedulingStrategy(node_id, soft=False),
               "num_cpus": 0, "max_retries": 0}
    if slot:
        options["resources"] = {SLOT: 1}
    return options


def positive_number(request: dict, key: str, default=None) -> float:
    value = request.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise BadRequest(f'"{key}" must be a positive number of seconds, not {json.dumps(value)}')
    return float(value)


class Coordinator:
    def __init__(self, out):
        self._out = out
        self._out_lock = threading.Lock()
        self._lock = threading.Lock()  # guards the fields below
        self._stopping = False
        self._tasks = set()       # ObjectRefs of every task still out
        self._threads = []
        self._bundles = {}        # (node id, bundle digest) -> the bundle's folder on that host
        self._digests = {}        # (path, size, mtime_ns) -> sha256 of the file

    # --- replies and requests -------------------------------------------------------------------

    def reply(self, message: dict) -> None:
        line = json.dumps(message, separators=(",", ":")) + "\n"
        with self._out_lock:
            try:
                self._out.write(line)
                self._out.flush()
            except OSError as e:  # the driver is gone; shutdown follows from EOF on stdin
                log(f"cannot write a reply ({e}): {line[:200]}")

    def handle(self, line: str) -> bool:
        """Carries out one request line; False for shutdown."""
        try:
            request = json.loads(line)
        except ValueError as e:
            return self.refuse(f"a request that is not JSON ({e}): {line[:200]}")
        if not isinstance(request, dict):
            return self.refuse(f"a request that is not a JSON object: {line[:200]}")
        op = request.get("op")
        if op == "shutdown":
            return False
        if op == "discover":
            self.spawn(self.discover, request)
        elif op == "run":
            if isinstance(request.get("id"), bool) or not isinstance(request.get("id"), int):
                return self.refuse(f'a run request needs an integer "id": {line[:200]}')
            self.spawn(self.run, request)
        else:
            return self.refuse(f'unknown op {json.dumps(op)}: expected "discover", "run" or "shutdown"')
        return True

    def refuse(self, message: str) -> bool:
        """A request with no reply of its own: one error line, and the coordinator goes on."""
        log(message)
        self.reply({"op": "error", "message": message})
        return True

    def spawn(self, target, request: dict) -> None:
        thread = threading.Thread(target=target, args=(request,), daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    # --- Ray tasks ------------------------------------------------------------------------------

    def submit(self, start):
        """start() submits one task; its ref is tracked so that shutdown can cancel it."""
        with self._lock:
            if self._stopping:
                raise Cancelled()
            ref = start()
            self._tasks.add(ref)
        return ref

    def finish(self, ref, node_id: str, limit_s: float):
        """The task's value, watching its host and the limit; raises HostLost or NoAnswer."""
        deadline = time.monotonic() + limit_s
        next_check = time.monotonic() + LIVENESS_PERIOD_S
        dead_since = None
        try:
            try:
                while not ray.wait([ref], timeout=1.0)[0]:
                    now = time.monotonic()
                    if now >= deadline:
                        ray.cancel(ref, force=True, recursive=True)
                        raise NoAnswer()
                    if dead_since is None and now >= next_check:
                        next_check = now + LIVENESS_PERIOD_S
                        if not any(n["NodeID"] == node_id and n["Alive"] for n in ray.nodes()):
                            dead_since = now
                    if dead_since is not None and now - dead_since >= DEATH_GRACE_S:
                        ray.cancel(ref, force=True, recursive=True)
                        raise HostLost("its node is no longer alive in ray.nodes()")
            except (NoAnswer, HostLost):
                raise
            except Exception:
                # Watching failed (Ray's control store did not answer): the cell must not go on
                # running on its host while the driver gives that host its next one.
                try:
                    ray.cancel(ref, force=True, recursive=True)
                except Exception:  # the task may be gone already; the first error is the one to say
                    pass
                raise
            try:
                return ray.get(ref)
            except rx.RayError as e:
                gone = host_gone(e)
                if gone is None:
                    raise
                raise HostLost(f"{type(gone).__name__}: {first_line(gone)}",
                               before=isinstance(gone, rx.TaskUnschedulableError)) from e
        finally:
            with self._lock:
                self._tasks.discard(ref)

    # --- discovery ------------------------------------------------------------------------------

    def discover(self, request: dict) -> None:
        try:
            timeout_s = positive_number(request, "timeout_s", DEFAULT_DISCOVER_TIMEOUT_S)
        except BadRequest as e:
            self.refuse(f"discover: {e}")
            return
        hosts, pending = [], {}
        nodes = [n for n in slot_nodes() if n["Alive"]]
        for node in nodes:
            name = host_name(node)
            host = {"name": name, "node_id": node["NodeID"], "ip": node.get("NodeManagerAddress", ""),
                    "binary": "", "info": None, "error": ""}
            hosts.append(host)
            if sum(host_name(n) == name for n in nodes) > 1:
                host["error"] = f"two nodes call themselves {name}"
                continue
            try:
                ref = self.submit(lambda: _host_info.options(**pinned(node["NodeID"], slot=True))
                                  .remote(timeout_s))
            except Cancelled:
                host["error"] = "the coordinator is shutting down"
                continue
            pending[ref] = host
        # All hosts in parallel, under one deadline.
        deadline = time.monotonic() + timeout_s
        for ref, host in pending.items():
            try:
                found = self.finish(ref, host["node_id"], max(deadline - time.monotonic(), 0.001))
                host["binary"], host["info"] = found["binary"], found["info"]
            except NoAnswer:
                host["error"] = f"no answer within {timeout_s:g} s"
            except HostLost as e:
                host["error"] = f"host lost ({e})"
            except Exception as e:  # the task's own failure, reported as the host's error
                host["error"] = describe(e)
        hosts.sort(key=lambda h: (h["name"], h["node_id"]))
        for host in hosts:
            state = f"error: {host['error']}" if host["error"] else f"binary {host['binary']}"
            log(f"host {host['name']} (node {host['node_id'][:12]}, {host['ip']}): {state}")
        self.reply({"op": "hosts", "hosts": hosts})

    # --- running a cell -------------------------------------------------------------------------

    def run(self, request: dict) -> None:
        cell_id, host = request["id"], request.get("host")
        reply = {"op": "done", "id": cell_id, "host": host, "lost": False, "error": "",
                 "exited": False, "exit_code": 0, "signal": 0, "timed_out": False,
                 "stdout": "", "stderr_tail": "", "peak_rss_mb": 0.0, "wall_seconds": 0.0,
                 "started_at": "", "finished_at": "", "artefact": None}
        stage = "before"
        limit_s = 0.0
        try:
            if not isinstance(host, str) or not host:
                raise BadRequest('"host" must be a host name')
            timeout_s = positive_number(request, "timeout_s")
            # A cell whose artefact the host builds runs two children, each allowed timeout_s.
            limit_s = timeout_s * (2 if request.get("export") else 1) + ANSWER_GRACE_S
            cell = request.get("cell")
            if not isinstance(cell, dict):
                raise BadRequest('"cell" must be a JSON object')
            loadgen_dir = request.get("loadgen_dir") or ""
            if loadgen_dir and not isinstance(cell.get("serving"), dict):
                raise BadRequest('"loadgen_dir" is set but the cell has no "serving" object')
            log_file = request.get("log") or ""
            node_id = self.node_of(host)
            cell = dict(cell)
            for entry in request.get("files") or []:
                field, folder, main = self.ship(entry, host, node_id, limit_s)
                cell[field] = os.path.join(folder, main)
            stage = "during"
            ref = self.submit(lambda: _run_cell.options(**pinned(node_id, slot=True), retry_exceptions=False)
                              .remote(cell, timeout_s, bool(loadgen_dir), request.get("export")))
            result = self.finish(ref, node_id, limit_s)
            if loadgen_dir:
                result["stdout"] = result["stdout"].replace(result["loadgen_tmp"], loadgen_dir)
            reply.update({k: v for k, v in result.items() if k in reply})
            how = (f"exit code {result['exit_code']}" if result["exited"]
                   else f"signal {result['signal']}") + (", timed out" if result["timed_out"] else "")
            log(f"cell {cell_id} on {host}: {how}, {result['wall_seconds']:.1f} s")
            try:
                self.bring_back(result, log_file, loadgen_dir)
            except OSError as e:  # the cell ran: its reply still goes out, with the reason
                reply["error"] = f"cannot write the cell's files on this machine: {e}"
        except HostLost as e:
            when = "before" if stage == "before" or e.before else "during"
            reply.update(lost=True, error=f"host {host} lost {when} the cell ({e})")
        except NoAnswer:
            reply.update(lost=True, error=f"no answer from host {host} within {limit_s:g} s")
        except BadRequest as e:
            reply["error"] = f"bad run request: {e}"
        except Cancelled:
            reply["error"] = "cancelled: the coordinator is shutting down"
        except Exception as e:
            stopping = self._stopping and isinstance(e, rx.TaskCancelledError)
            reply["error"] = "cancelled: the coordinator is shutting down" if stopping else describe(e)
        if reply["error"]:
            log(f"cell {cell_id} on {host}: {reply['error']}")
        self.reply(reply)

    def node_of(self, host: str) -> str:
        """The node id of the alive host called `host`."""
        nodes = [n for n in ray.nodes() if host_name(n) == host]
        alive = [n for n in nodes if n["Alive"] and n.get("Resources", {}).get(SLOT, 0) > 0]
        if len(alive) > 1:
            raise BadRequest(f"two nodes call themselves {host}")
        if alive:
            return alive[0]["NodeID"]
        if any(not n["Alive"] for n in nodes):  # a dead node offers no resources any more
            raise HostLost("its node is no longer alive in ray.nodes()", before=True)
        raise BadRequest(f"no host called {host} offers a benchmark slot in the cluster")

    def ship(self, entry, host: str, node_id: str, limit_s: float):
        """Makes sure the host holds a bundle: (cell field, folder on the host, main file)."""
        if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
            raise BadRequest(f'each "files" entry needs a "field": {json.dumps(entry)[:200]}')
        paths, main = entry.get("paths"), entry.get("main")
        if (not isinstance(paths, list) or not paths
                or not all(isinstance(p, str) and os.path.isabs(p) for p in paths)):
            raise BadRequest(f'files "{entry["field"]}": "paths" must be a list of absolute paths')
        names = [os.path.basename(p) for p in paths]
        if len(set(names)) != len(names) or main not in names:
            raise BadRequest(f'files "{entry["field"]}": basenames must differ and include "main" ({main})')
        bundle = host_tasks.bundle_digest({os.path.basename(p): self.digest(p) for p in paths})
        folder = self._bundles.get((node_id, bundle))
        if folder is None:
            ref = self.submit(lambda: _find_bundle.options(**pinned(node_id, slot=False)).remote(bundle, names))
            folder = self.finish(ref, node_id, limit_s)
            if folder:
                log(f"bundle {bundle[:12]} ({', '.join(names)}) already on {host}")
            else:
                data = {}
                for path in paths:
                    with open(path, "rb") as f:
                        data[os.path.basename(path)] = f.read()
                content = ray.put(data)
                ref = self.submit(lambda: _store_bundle.options(**pinned(node_id, slot=False))
                                  .remote(bundle, content))
                folder = self.finish(ref, node_id, limit_s)
                del content
                log(f"bundle {bundle[:12]} ({', '.join(names)}, {sum(map(len, data.values()))} bytes) "
                    f"stored on {host}")
            self._bundles[(node_id, bundle)] = folder
        return entry["field"], folder, main

    def digest(self, path: str) -> str:
        """sha256 of a file, remembered while its path, size and mtime stay the same."""
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in self._digests:
            self._digests[key] = host_tasks.file_digest(path)
        return self._digests[key]

    @staticmethod
    def bring_back(result: dict, log_file: str, loadgen_dir: str) -> None:
        """The worker's stderr to `log_file`, LoadGen's files to `loadgen_dir`, on this machine."""
        if log_file:
            os.makedirs(os.path.dirname(log_file) or ".", exist_ok=True)
            with open(log_file, "wb") as f:
                f.write(result["stderr"])
        for relative, data in result["loadgen_files"].items():
            path = os.path.join(loadgen_dir, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)

    # --- shutdown -------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Cancels every task still out (which kills its worker process on the host) and waits,
        a bounded time, for the requests to write their replies."""
        with self._lock:
            self._stopping = True
            tasks, threads = list(self._tasks), list(self._threads)
        if tasks:
            log(f"shutting down: cancelling {len(tasks)} task(s)")
        for ref in tasks:
            try:
                ray.cancel(ref, force=True, recursive=True)
            except Exception as e:  # already finished, or its host already gone
                log(f"cancel: {describe(e)}")
        deadline = time.monotonic() + SHUTDOWN_WAIT_S
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))


class _Stop(Exception):
    """SIGTERM: shut down like for SIGINT."""


def _on_sigterm(signum, frame):
    raise _Stop()


def connect(address: str):
    """ray.init, bounded in time: an address with no cluster behind it retries for minutes."""
    outcome = {}

    def attempt():
        try:
            ray.init(address=address, log_to_driver=False, logging_level="warning",
                     configure_logging=True)
            outcome["address"] = ray.get_runtime_context().gcs_address
        except BaseException as e:  # reported by the caller
            outcome["error"] = e

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT_S)
    if thread.is_alive():
        return None, f"no answer within {CONNECT_TIMEOUT_S} s"
    if "error" in outcome:
        hint = ""
        if isinstance(outcome["error"], ConnectionError):
            hint = (" (is it running, and do RAY_AUTH_MODE and RAY_AUTH_TOKEN match the cluster's?"
                    " Ray's own messages are in the coordinator's log)")
        return None, describe(outcome["error"]) + hint
    return outcome["address"], ""


def _fail(out, message: str) -> None:
    """The start-up error line (exit code 2 follows)."""
    log(message)
    out.write(json.dumps({"op": "error", "message": message}, separators=(",", ":")) + "\n")
    out.flush()


def main(address: str) -> int:
    # The protocol has stdout to itself: Ray (its C++ core too) writes to file descriptor 1 at
    # times, so that goes to stderr, and replies go to a copy of the original stdout.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if not address or address == "local":  # "local" would start a cluster of its own
        _fail(out, f'--address must be HOST:PORT or "auto", not {json.dumps(address)}')
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # os._exit: a ray.init still hanging in its thread would keep a normal exit waiting.
    try:
        connected, why = connect(address)
    except (KeyboardInterrupt, _Stop):
        log("interrupted before the cluster answered")
        os._exit(0)
    if connected is None:
        _fail(out, f"cannot reach the Ray cluster at {address}: {why}")
        os._exit(2)
    coordinator = Coordinator(out)
    log(f"connected to {connected} (Ray {ray.__version__}, Python {platform.python_version()})")
    coordinator.reply({"op": "ready", "ray_version": ray.__version__,
                       "python": platform.python_version(), "address": connected})
    sys.stdin.reconfigure(errors="replace")  # a bad byte makes a bad request, not a crash
    try:
        for line in sys.stdin:
            if line.strip() and not coordinator.handle(line):
                break
    except (KeyboardInterrupt, _Stop):
        log("interrupted")
    finally:
        coordinator.shutdown()
        ray.shutdown()
    return 0
