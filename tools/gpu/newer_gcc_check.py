#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compiles every C++ translation unit of a configured build with newer GCCs than Debian 12 has.

The GPU machine of issue #6 builds with g++ 13 (Ubuntu 24.04); this machine has g++ 12, whose
libstdc++ still brings headers such as <cstdint> in through others, so code it accepts can fail
there — at the cost of device time. This script makes that failure show here: it keeps a Debian 13
(trixie) root with g++-13 and g++-14 from Debian's own archive (debootstrap, once, ~0.9 GB), binds
into it the folders the build's compile commands read (repository, Python environments, CUDA),
and runs each command from `ninja -t compdb` with the other compiler and -fsyntax-only (parsing
and template instantiation, no code generation). Needs root (debootstrap, chroot, mount).

    tools/gpu/newer_gcc_check.py [--build build-gpu] [--compilers g++-13,g++-14] [--jobs 2]

Exit status: 0 every unit compiled with every compiler, 1 some did not (their errors printed),
2 the check could not run (one line says why).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SUITE = "trixie"
MIRROR = "http://deb.debian.org/debian"
# The compilers, and the C++ libraries a build without the offline kit takes from /usr/include
# (tools/setup/apt-packages.txt): in the trixie root they are trixie's versions. The GPU build's
# compile commands name the kit's Debian 12 headers (-isystem) first, as on the GPU machine.
PACKAGES = ["g++-13", "g++-14", "nlohmann-json3-dev", "libcli11-dev", "libfmt-dev", "libgtest-dev",
            "libgmock-dev", "libsqlite3-dev"]
SOURCE_SUFFIXES = (".cc", ".cpp", ".cxx")


def die(message: str) -> None:
    print(f"newer_gcc_check: {message}", file=sys.stderr)
    sys.exit(2)


def run(command: list[str], **kwargs) -> None:
    """Runs a setup command quietly; on failure, dies with the end of its output."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
        die(f"{shlex.join(command)} exited {result.returncode}: " + " | ".join(tail))


def ensure_root(root: Path, compilers: list[str]) -> None:
    """Creates the trixie root with the compilers unless it has them already."""
    if all((root / "usr/bin" / c).exists() for c in compilers):
        return
    if not (root / "usr/bin/apt-get").exists():
        if shutil.which("debootstrap") is None:
            run(["apt-get", "install", "-y", "-q", "debootstrap"])
        print(f"debootstrap {SUITE} into {root} (once; about a minute)", flush=True)
        root.mkdir(parents=True, exist_ok=True)
        run(["debootstrap", "--variant=minbase", SUITE, str(root), MIRROR])
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    print(f"apt-get install {' '.join(PACKAGES)} in {root}", flush=True)
    run(["chroot", str(root), "apt-get", "update", "-q"])
    run(["chroot", str(root), "apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    run(["chroot", str(root), "apt-get", "clean"])


def compile_commands(build: Path) -> list[dict]:
    ninja = shutil.which("ninja") or die("ninja not found: install ninja-build")
    text = subprocess.run([ninja, "-C", str(build), "-t", "compdb"], check=True, capture_output=True,
                          text=True).stdout
    return [e for e in json.loads(text) if e["file"].endswith(SOURCE_SUFFIXES)]


def host_paths(entries: list[dict]) -> set[str]:
    """Absolute paths the compile commands read outside the system's own /usr."""
    paths: set[str] = set()
    for entry in entries:
        paths.update((entry["directory"], entry["file"]))
        args = shlex.split(entry["command"])
        for i, arg in enumerate(args):
            if arg in ("-I", "-isystem") and i + 1 < len(args):
                paths.add(args[i + 1])
            elif arg.startswith("-I") and len(arg) > 2:
                paths.add(arg[2:])
    return {p for p in paths if p.startswith("/") and (not p.startswith("/usr/") or p.startswith("/usr/local/"))}


def mount_point(real: str) -> str:
    """The folder to bind for a path: its first two components (three under /usr/local)."""
    parts = Path(real).parts
    depth = 4 if parts[1:3] == ("usr", "local") else 3
    return str(Path(*parts[:depth]))


def bind(root: Path, paths: set[str], mounts: list[Path]) -> None:
    """Binds the folders holding `paths` at the same place inside the root, and recreates the
    symbolic links the written paths go through (/usr/local/cuda -> cuda-13.0). Appends each
    mount to `mounts` as it is made, so that the caller can undo them whatever happens."""
    for folder in sorted({mount_point(os.path.realpath(p)) for p in paths if os.path.exists(p)}):
        target = root / folder.lstrip("/")
        if os.path.ismount(target):
            continue
        target.mkdir(parents=True, exist_ok=True)
        run(["mount", "--bind", folder, str(target)])
        mounts.append(target)
    for path in paths:
        prefix = Path("/")
        for part in Path(path).parts[1:]:
            prefix = prefix / part
            inside = root / str(prefix).lstrip("/")
            if prefix.is_symlink() and not inside.exists() and not inside.is_symlink():
                inside.parent.mkdir(parents=True, exist_ok=True)
                inside.symlink_to(os.readlink(prefix))


def syntax_command(entry: dict, compiler: str) -> str:
    """The entry's compile command with another compiler, checking only (no objects, no depfiles)."""
    args = shlex.split(entry["command"])
    kept, skip = [compiler], False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg in ("-o", "-MT", "-MF", "-MQ"):
            skip = True
        elif arg not in ("-MD", "-MMD", "-c"):
            kept.append(arg)
    return f"cd {shlex.quote(entry['directory'])} && {shlex.join(kept + ['-fsyntax-only'])}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build-gpu", help="a configured Ninja build folder (default build-gpu)")
    parser.add_argument("--compilers", default="g++-13,g++-14", help="comma list of trixie's compilers")
    parser.add_argument("--root", default=str(Path.home() / ".cache/inferbench/trixie-gcc-root"),
                        help="where the trixie root lives (kept between runs)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if os.geteuid() != 0:
        die("needs root (debootstrap, chroot and mount): run it as root or with sudo")
    build = Path(args.build).resolve()
    if not (build / "build.ninja").exists():
        die(f"{build} is not a configured Ninja build: configure it first (docs/gpu.md, or make build)")
    compilers = [c for c in args.compilers.split(",") if c]
    root = Path(args.root)
    ensure_root(root, compilers)
    entries = compile_commands(build)
    mounts: list[Path] = []
    failed = 0
    try:
        bind(root, host_paths(entries), mounts)
        for compiler in compilers:
            version = subprocess.run(["chroot", str(root), compiler, "-dumpfullversion"], capture_output=True,
                                     text=True).stdout.strip()

            def check(entry: dict, compiler: str = compiler) -> tuple[str, subprocess.CompletedProcess]:
                return entry["file"], subprocess.run(["chroot", str(root), "bash", "-c",
                                                      syntax_command(entry, compiler)],
                                                     capture_output=True, text=True)

            errors = 0
            with ThreadPoolExecutor(args.jobs) as pool:
                for source, result in pool.map(check, entries):
                    if result.returncode != 0:
                        errors += 1
                        print(f"== {compiler}: {source}\n{result.stderr.strip()}\n")
            print(f"{compiler} {version}: {len(entries) - errors} of {len(entries)} translation units of "
                  f"{build} compile" + (f", {errors} do not" if errors else ""), flush=True)
            failed += errors
    finally:
        for mount in reversed(mounts):
            subprocess.run(["umount", str(mount)], check=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
