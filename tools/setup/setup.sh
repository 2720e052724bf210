#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything inferbench needs on a fresh Debian 12 machine: apt packages and the
# project's Python environments. Idempotent and quick when already done (stamp files keyed by
# the content of the package lists). Prints two lines: the ExecuTorch environment's path, then
# the main environment's path (the last line; the Makefile reads both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${INFERBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inferbench}
mkdir -p "$cache"

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

# --- Python environment ----------------------------------------------------------------
# Cached outside the work tree, keyed by the requirements' content, so a fresh clone on a
# machine that already has it reuses it; a changed pin makes a new one.
python=${INFERBENCH_PYTHON:-python3}
key=$(cat "$here/requirements.txt" | sha256sum | cut -c1-16)
venv="$cache/venv-$key"
if [ ! -f "$venv/.complete" ]; then
  echo "setup: creating Python environment $venv (torch wheels are large; first time takes minutes)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q -r "$here/requirements.txt" >&2
  touch "$venv/.complete"
fi

# --- ExecuTorch environment ------------------------------------------------------------
# ExecuTorch pins its own torch (requirements-executorch.txt), so its exporter runs in a second
# environment, cached and keyed the same way. Its executorch wheel is also the C++ SDK of the
# executorch plugin, and its bin/cmake (>= 3.28) is the CMake the Makefile configures with.
et_key=$(cat "$here/requirements-executorch.txt" | sha256sum | cut -c1-16)
et_venv="$cache/executorch-venv-$et_key"
if [ ! -f "$et_venv/.complete" ]; then
  echo "setup: creating ExecuTorch environment $et_venv (torch wheels are large; first time takes minutes)" >&2
  rm -rf "$et_venv"
  "$python" -m venv "$et_venv"
  "$et_venv/bin/pip" install -q --upgrade pip >&2
  "$et_venv/bin/pip" install -q -r "$here/requirements-executorch.txt" >&2
  touch "$et_venv/.complete"
fi
echo "$et_venv"
echo "$venv"
