# SPDX-License-Identifier: Apache-2.0
"""What runs on the hosts, as Ray tasks: describe the host, keep bundles of files, run one cell.

The coordinator ships this module to the hosts by value (cloudpickle), so a host needs the fleet
environment (Python and Ray), not this checkout. Standard library only. Each host runs its own
inferbench binary, named by the INFERBENCH_BIN its Ray node was started with (tools/fleet/
inferbench-host sets it); Ray workers inherit the raylet's environment.
"""
import ctypes
import datetime
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time

STDERR_TAIL_BYTES = 4096
# How often a waiting task wakes up: the grain of the hard time limit, and how soon a
# cancellation (Ray raises KeyboardInterrupt in the task, between two Python steps) is seen.
_POLL_S = 0.5
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def utc_now() -> str:
    """UTC, ISO 8601 with milliseconds: "2026-12-06T23:01:02.345Z"."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_digest(file_digests: dict) -> str:
    """A bundle's name: sha256 over its sorted (basename, sha256 of content) pairs."""
    digest = hashlib.sha256()
    for name, content in sorted(file_digests.items()):
        digest.update(f"{name}\0{content}\n".encode())
    return digest.hexdigest()


def _cache_root() -> str:
    return os.environ.get("INFERBENCH_CACHE") or os.path.expanduser("~/.cache/inferbench")


def _bundle_folder(bundle: str) -> str:
    return os.path.join(_cache_root(), "fleet", bundle)


def _inferbench_binary() -> str:
    binary = os.environ.get("INFERBENCH_BIN", "")
    if not binary:
        raise RuntimeError("INFERBENCH_BIN is not set on this host: start its Ray node with "
                           "tools/fleet/inferbench-host")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        raise RuntimeError(f"INFERBENCH_BIN={binary} on this host is not an executable file")
    return binary


def _benchmark_env() -> dict:
    """The Ray worker's environment less what Ray added to it for a zero-CPU task.

    Ray workers inherit the raylet's environment and add their own variables: OMP_NUM_THREADS=1
    (where the node had none), RAY_RAYLET_PID, RAY_JOB_ID, SPT_NOENV, PYTHONBREAKPOINT, and with
    RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO=1 an empty CUDA_VISIBLE_DEVICES. Rather than list them, keep
    exactly the variables the raylet was started with, at the raylet's values; Ray's own removal
    of its jemalloc LD_PRELOAD stays. RAY_AUTH_TOKEN is the cluster's secret, which a benchmark
    has no use for.
    """
    raylet = os.environ.get("RAY_RAYLET_PID", "")
    try:
        with open(f"/proc/{raylet}/environ", "rb") as f:
            raylet_env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    except (OSError, ValueError) as e:
        raise RuntimeError(f"cannot read the raylet's environment (/proc/{raylet}/environ): {e}") from e
    env = {}
    for name in os.environb:
        if name in raylet_env and name != b"RAY_AUTH_TOKEN":
            env[name] = raylet_env[name]
    return env


def _run(argv: list, timeout_s: float) -> dict:
    """Runs argv in a session of its own and says how it ended.

    Hard limit timeout_s: past it the whole process group gets SIGKILL. The child also gets
    SIGKILL when this thread dies (PR_SET_PDEATHSIG): `ray.cancel(force=True)` kills the Ray worker
    without running any `finally`, and the child, in its own session, would outlive it. Ray runs a
    task on its worker's main thread, which lives as long as the worker.
    """
    parent = os.getpid()
    prctl = ctypes.CDLL(None).prctl  # bound before the fork: the child only calls it

    def die_with_parent():
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the prctl took hold
            os._exit(1)
        # Ray runs its workers at niceness 15 unless the node says otherwise (RAY_worker_niceness,
        # which inferbench-host sets to 0); a benchmark at 15 loses the CPU to every other process.
        # Back to 0 where allowed; the worker's row warns when it still runs below.
        if os.getpriority(os.PRIO_PROCESS, 0) > 0:
            try:
                os.setpriority(os.PRIO_PROCESS, 0, 0)
            except OSError:
                pass

    env = _benchmark_env()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at, start = utc_now(), time.monotonic()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                 start_new_session=True, preexec_fn=die_with_parent)
        status = None
        timed_out = False
        try:
            # A pidfd turns readable when the child ends: no busy polling beside a benchmark.
            pidfd = os.pidfd_open(child.pid)
            try:
                while not select.select([pidfd], [], [], _POLL_S)[0]:
                    if not timed_out and time.monotonic() - start >= timeout_s:
                        timed_out = True
                        try:
                            os.killpg(child.pid, signal.SIGKILL)
                        except ProcessLookupError:  # it has just ended
                            pass
            finally:
                os.close(pidfd)
            # wait4, not RUSAGE_CHILDREN: Ray reuses worker processes, which have other children.
            # Linux counts the address space a child had before its exec in ru_maxrss, so the
            # peak is never below the Ray worker's own RSS (about 45 MB), as a local run's is
            # never below its driver's.
            _, status, usage = os.wait4(child.pid, 0)
            finished_at, wall = utc_now(), time.monotonic() - start
        finally:
            # Helpers the worker left in its group go with it; on cancellation, the worker too.
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if status is None:
                os.wait4(child.pid, 0)
            child.returncode = -1  # reaped here: Popen must not wait for it again
        out.seek(0)
        err.seek(0)
        stderr = err.read()
        return {
            "exited": os.WIFEXITED(status),
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else 0,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
            "timed_out": timed_out,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": stderr,
            "stderr_tail": stderr[-STDERR_TAIL_BYTES:].decode("utf-8", "replace"),
            "peak_rss_mb": usage.ru_maxrss / 1024.0,  # KiB on Linux
            "wall_seconds": wall,
            "started_at": started_at,
            "finished_at": finished_at,
        }


def host_info(timeout_s: float) -> dict:
    """Runs `$INFERBENCH_BIN host-info`: {"binary": ..., "info": the JSON object it printed}."""
    binary = _inferbench_binary()
    ran = _run([binary, "host-info"], timeout_s)
    command = f"`{binary} host-info`"
    if ran["timed_out"]:
        raise RuntimeError(f"{command} did not finish within {timeout_s:g} s")
    if not ran["exited"] or ran["exit_code"] != 0:
        how = f"exited with {ran['exit_code']}" if ran["exited"] else f"died of signal {ran['signal']}"
        last = ran["stderr_tail"].strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"{command} {how}: {last[0]}")
    try:
        info = json.loads(ran["stdout"])
    except ValueError as e:
        raise RuntimeError(f"{command} printed no JSON ({e})") from e
    if not isinstance(info, dict):
        raise RuntimeError(f"{command} printed JSON that is not an object")
    return {"binary": binary, "info": info}


def find_bundle(bundle: str, names: list) -> str:
    """The bundle's folder on this host when it holds all the files, else ""."""
    folder = _bundle_folder(bundle)
    return folder if all(os.path.isfile(os.path.join(folder, n)) for n in names) else ""


def store_bundle(bundle: str, files: dict) -> str:
    """Writes {basename: bytes} as the bundle's folder on this host; returns the folder.

    Written to a temporary folder beside it, checked, then renamed: a bundle folder is never
    half-written. When two cells store the same bundle at once, the first rename wins.
    """
    folder = _bundle_folder(bundle)
    if os.path.isdir(folder):
        return folder
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{bundle[:16]}-", dir=os.path.dirname(folder))
    try:
        digests = {}
        for name, data in files.items():
            with open(os.path.join(staging, name), "wb") as f:
                f.write(data)
            digests[name] = hashlib.sha256(data).hexdigest()
        if bundle_digest(digests) != bundle:
            raise RuntimeError(f"bundle {bundle} arrived damaged (its content has another digest)")
        try:
            os.rename(staging, folder)
        except OSError:
            if not os.path.isdir(folder):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def run_cell(cell: dict, timeout_s: float, with_loadgen_dir: bool, export: dict = None) -> dict:
    """Runs `$INFERBENCH_BIN worker CELL.json` on this host (see _run for what comes back).

    with_loadgen_dir: cell["serving"]["log_dir"] becomes a fresh folder here; every file the
    worker leaves in it comes back ("loadgen_files", {relative path: bytes}), with the folder's
    path ("loadgen_tmp") so that the coordinator can replace it in the worker's output.

    export: an export request for an artefact compiled for the machine that runs it, built first,
    here, by `$INFERBENCH_BIN export-artefact` (from this host's cache when it has it, within the
    cell's task, so inside the host's slot); cell["artefact"] becomes its file, and what the host
    said of it comes back as "artefact". When the build fails, the worker does not run and "error"
    says why.
    """
    binary = _inferbench_binary()
    with tempfile.TemporaryDirectory(prefix="inferbench-cell-") as scratch:
        built = None
        if export:
            request_file = os.path.join(scratch, "export.json")
            with open(request_file, "w") as f:
                json.dump(export, f)
            built = _run([binary, "export-artefact", request_file], timeout_s)
            lines = [line for line in built["stdout"].splitlines() if line.strip()]
            if not (built["exited"] and built["exit_code"] == 0 and lines):
                why = [line for line in built["stderr_tail"].splitlines() if line.strip()]
                built.update(exited=False, signal=0, timed_out=False, stdout="", loadgen_files={}, loadgen_tmp="",
                             error="building the artefact on this host failed: " + (why[-1] if why else "no message"))
                return built
            built["artefact"] = json.loads(lines[-1])
            cell["artefact"] = built["artefact"]["file"]
        log_dir = ""
        if with_loadgen_dir:
            log_dir = os.path.join(scratch, "loadgen")
            os.mkdir(log_dir)
            cell["serving"]["log_dir"] = log_dir
        cell_file = os.path.join(scratch, "cell.json")
        with open(cell_file, "w") as f:
            json.dump(cell, f)
        result = _run([binary, "worker", cell_file], timeout_s)
        files = {}
        for folder, _, names in os.walk(log_dir) if log_dir else ():
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, log_dir)] = f.read()
        result["loadgen_files"] = files
        result["loadgen_tmp"] = log_dir
        if built:  # the build's log goes first in the cell's log
            result["artefact"] = built["artefact"]
            result["stderr"] = built["stderr"] + result["stderr"]
    return result
