#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue #6's known risk, narrowed down on the GPU machine: loading an AOTInductor package from
# Python (torch._inductor.aoti_load_package) died with SIGSEGV there, while inferbench's C++
# worker loaded the same file and ran it. This loads one package in fresh processes that differ in
# one thing each, then takes a native backtrace of the first one that crashes (cuda-gdb, which the
# GPU image has; it debugs host code too).
#
#   tools/gpu/aoti_python_load.sh [--model tiny_cnn|mobilenet_v2] [--device cuda|cpu] [--budget S]
#                                 [--package FILE.pt2]   # load this package instead of exporting one
#
# Variants (each a fresh python3 -X faulthandler, at most 90 s; rc 139 = SIGSEGV), cheapest and most telling
# first, with the native backtrace right after the first crash:
#   loader_0     torch._C._aoti.AOTIModelPackageLoader(p, "model", False, 1, 0) after `import torch`
#                alone (no Inductor, no Triton): the call inferbench's C++ worker makes
#   loader_m1    the same with device index -1
#   plain        torch._inductor.aoti_load_package(p)                 (device_index -1, as the issue)
#   index0       torch._inductor.aoti_load_package(p, device_index=0)
#   cuda_first   torch.zeros(1, device=...) first, then aoti_load_package(p)
# On the H100 (results/h100-cuda/aoti-python-load/) the last three crashed, 46-50 s each (the
# first order ran them first and spent the budget before the others and the backtrace).
# Output: $OUT/aoti-python-load.txt (also printed), the backtrace log, the export log.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
model=tiny_cnn
device=cuda
budget=240
python=${INFERBENCH_PYTHON:-python3}
package=
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift ;;
    --device) device=$2; shift ;;
    --budget) budget=$2; shift ;;
    --python) python=$2; shift ;;
    --package) package=$2; shift ;;
    *) echo "aoti_python_load.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
start=$(date +%s)
left() { echo $((start + budget - $(date +%s))); }
out=${OUT:-/tmp/aoti-python-load-out}
mkdir -p "$out"
report="$out/aoti-python-load.txt"
: >"$report"
say() { echo "$*" | tee -a "$report"; }
work=$(mktemp -d)

batch=2
[ "$model" = mobilenet_v2 ] && batch=64
precision=fp16
[ "$device" = cpu ] && precision=fp32
what="$model $precision batch $batch"
[ -n "$package" ] && what="package $package"
say "# aoti_python_load.sh: $what on $device, $(date -u +%FT%TZ)"
say "# $("$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no gpu")' 2>&1 | tail -1)"

if [ -z "$package" ]; then
  t0=$(date +%s)
  timeout 150 "$python" "$repo/tools/export/export.py" --model "$model" --format aoti --precision "$precision" \
    --device "$device" --batch "$batch" --out "$work/pkg" >"$work/export.log" 2>&1
  say "export: rc $? in $(($(date +%s) - t0)) s"
  package="$work/pkg/model.pt2"
  if [ ! -f "$package" ]; then
    tail -20 "$work/export.log" | tee -a "$report"
    exit 1
  fi
else
  say "package: $package (given)"
fi

declare -A bodies=(
  [loader_0]='import torch; torch._C._aoti.AOTIModelPackageLoader(p, "model", False, 1, 0)'
  [loader_m1]='import torch; torch._C._aoti.AOTIModelPackageLoader(p, "model", False, 1, -1)'
  [plain]='import torch, torch._inductor; torch._inductor.aoti_load_package(p)'
  [index0]='import torch, torch._inductor; torch._inductor.aoti_load_package(p, device_index=0)'
  [cuda_first]='import torch, torch._inductor; torch.zeros(1, device=dev); torch._inductor.aoti_load_package(p)'
)
order=(loader_0 loader_m1 plain index0 cuda_first)
[ "$device" = cpu ] && order=(loader_m1 plain cuda_first)   # index 0 is a CUDA index
code_of() { echo "import sys; p, dev = sys.argv[1], sys.argv[2]; ${bodies[$1]}; print('LOADED')"; }

# A native backtrace of one variant (cuda-gdb, which the GPU image has; it debugs host code too).
backtrace() {
  local name=$1 limit exe
  limit=$(($(left) - 10))
  # The interpreter itself, not a wrapper script (a pyenv shim is not an executable gdb can run).
  exe=$("$python" -c 'import sys; print(sys.executable)')
  [ "$limit" -gt 150 ] && limit=150
  say ""
  say "## native backtrace of '$name' (cuda-gdb, limit ${limit} s)"
  timeout "$limit" cuda-gdb -q -batch -ex 'set pagination off' -ex 'set print thread-events off' \
    -ex 'handle SIGPIPE nostop noprint' -ex run -ex 'bt 40' -ex 'info symbol $pc' -ex 'x/6i $pc' \
    -ex 'info registers rip rdi rsi rdx' -ex 'info sharedlibrary' \
    --args "$exe" -c "$(code_of "$name")" "$package" "$device" >"$work/gdb.log" 2>&1
  say "cuda-gdb rc $?"
  # The backtrace and the registers; the full log (with the libraries loaded) goes to $OUT.
  grep -E '^#[0-9]+|signal|SIGSEGV|^=>|^rip|^rdi|^rsi|^rdx|in section' "$work/gdb.log" | head -70 | tee -a "$report"
  cp "$work/gdb.log" "$out/aoti-python-load-gdb.log"
  say ""
}

traced=
for name in "${order[@]}"; do
  [ "$(left)" -gt 20 ] || { say "$name: not run (budget spent)"; continue; }
  t0=$(date +%s.%N)
  timeout 90 "$python" -X faulthandler -c "$(code_of "$name")" "$package" "$device" >"$work/$name.log" 2>&1
  rc=$?
  seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  verdict=loaded
  grep -q LOADED "$work/$name.log" || verdict="did not load"
  [ "$rc" -eq 139 ] && verdict="SIGSEGV"
  say "$name: rc $rc, $verdict, ${seconds} s   [${bodies[$name]}]"
  if [ "$verdict" != loaded ]; then
    grep -v '^  File\|^Extension modules\|^$' "$work/$name.log" | tail -4 | sed 's/^/    /' | tee -a "$report"
    if [ -z "$traced" ] && [ "$verdict" = SIGSEGV ] && command -v cuda-gdb >/dev/null && [ "$(left)" -gt 40 ]; then
      traced=$name
      backtrace "$name"
    fi
  fi
done
[ -f "$work/export.log" ] && cp "$work/export.log" "$out/aoti-python-load-export.log"
say "# done in $(($(date +%s) - start)) s"
exit 0
