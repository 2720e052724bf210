#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything inferbench needs on a fresh Debian 12 machine: apt packages and the
# project's Python environments. Idempotent and quick when already done (stamp files keyed by
# the content of the package lists).
#
#   tools/setup/setup.sh [PATHS_DIR]
#
# With PATHS_DIR, writes one file per environment there, each holding that environment's folder:
# venv-path (main), executorch-venv-path, litert-venv-path, fleet-venv-path, and
# loadgen-sdist-path (MLPerf LoadGen's source archive); the Makefile reads them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${INFERBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inferbench}
mkdir -p "$cache"
paths_dir=${1:-}

# One setup at a time per cache: two at once would race on apt's lock, each delete and fill the
# other's environment, and one could mark a half-installed environment complete.
exec 9>"$cache/.setup.lock"
flock 9

# --- Debian packages -------------------------------------------------------------------
apt_list=$(grep -v '^\s*#' "$here/apt-packages.txt" | xargs)
missing=()
for p in $apt_list; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# --- Python environments ---------------------------------------------------------------
# Each is cached outside the work tree, keyed by its requirements file's content, so a fresh
# clone on a machine that already has it reuses it and a changed pin makes a new one.
python=${INFERBENCH_PYTHON:-python3}

# make_venv NAME_PREFIX REQUIREMENTS WHAT -> prints the environment's folder
make_venv() {
  local prefix=$1 requirements=$2 what=$3
  local key venv
  key=$(sha256sum < "$requirements" | cut -c1-16)
  venv="$cache/$prefix-$key"
  if [ ! -f "$venv/.complete" ]; then
    echo "setup: creating $what $venv (torch wheels are large; first time takes minutes)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip >&2
    "$venv/bin/pip" install -q -r "$requirements" >&2
    touch "$venv/.complete"
  fi
  echo "$venv"
}

# The main environment: exporters, LibTorch and OpenVINO SDKs, reference scripts, schema checks.
venv=$(make_venv venv "$here/requirements.txt" "Python environment")
# ExecuTorch pins its own torch (requirements-executorch.txt), so its exporter runs in a second
# environment. Its executorch wheel is also the C++ SDK of the executorch plugin, and its
# bin/cmake (>= 3.28) is the CMake the Makefile configures with.
et_venv=$(make_venv executorch-venv "$here/requirements-executorch.txt" "ExecuTorch environment")
# litert-torch (the .tflite converter) pins another torch and brings jax: a third environment,
# whose ai-edge-litert wheel also carries the libLiteRt.so the litert plugin loads.
lt_venv=$(make_venv litert-venv "$here/requirements-litert.txt" "LiteRT environment")
# Ray for runs spread over several machines (tools/fleet): a fourth environment, the one every
# node of a fleet installs, so it holds Ray alone (requirements-fleet.txt).
fleet_venv=$(make_venv fleet-venv "$here/requirements-fleet.txt" "fleet environment")

# --- MLPerf LoadGen's source distribution ---------------------------------------------------
# The serving scenarios are driven by MLPerf LoadGen, compiled from the source archive of the PyPI
# package mlcommons-loadgen (third_party/mlperf_loadgen/README.md), pinned by its sha256.
loadgen_version=6.0.17
loadgen_sha256=a2e85d09e3cc0c606f89bfe1fbf97537c8b5b238ae0afbd923ad9c710fcf2ca8
loadgen_sdist="$cache/loadgen/mlcommons_loadgen-$loadgen_version.tar.gz"
if [ ! -f "$loadgen_sdist" ] || ! echo "$loadgen_sha256  $loadgen_sdist" | sha256sum -c --status; then
  echo "setup: downloading MLPerf LoadGen $loadgen_version (source distribution of mlcommons-loadgen)" >&2
  rm -rf "$cache/loadgen" && mkdir -p "$cache/loadgen"
  "$venv/bin/pip" download -q --no-deps --no-binary :all: "mlcommons-loadgen==$loadgen_version" -d "$cache/loadgen" >&2
  if ! echo "$loadgen_sha256  $loadgen_sdist" | sha256sum -c --status; then
    echo "setup: $loadgen_sdist does not have the pinned sha256 $loadgen_sha256; delete it and retry" >&2
    exit 1
  fi
fi

if [ -n "$paths_dir" ]; then
  mkdir -p "$paths_dir"
  echo "$loadgen_sdist" > "$paths_dir/loadgen-sdist-path"
  echo "$venv" > "$paths_dir/venv-path"
  echo "$et_venv" > "$paths_dir/executorch-venv-path"
  echo "$lt_venv" > "$paths_dir/litert-venv-path"
  echo "$fleet_venv" > "$paths_dir/fleet-venv-path"
fi
echo "setup: main $venv" >&2
echo "setup: executorch $et_venv" >&2
echo "setup: litert $lt_venv" >&2
echo "setup: fleet $fleet_venv" >&2
