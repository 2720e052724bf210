#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole GPU check of issue #6 in one call, for the lent GPU machine (Ubuntu 24.04, CUDA 13.0,
# torch 2.11 cu130 in its python3, CMake, Ninja, g++ 13; no package registry, no network):
# build against that torch with the offline kit (tools/gpu/make_offline_deps.sh), then
# inferbench's CUDA rows, the Python reference beside them (bench/torch_cuda_reference.py), the
# GPU-labelled tests and the environment fingerprint, all into $OUT. docs/gpu.md explains it.
#
#   tools/gpu/run_h100.sh [--budget 540] [--py-configs LIST] [--skip STEP,...] [--ib-args "..."]
#                         [--with-autotune]
#   tools/gpu/run_h100.sh --serving    # issue #20 instead: the CUDA FP16 rows in LoadGen's server
#                                      # (P99 <= 10 ms, batch 8) and offline scenarios
#   tools/gpu/run_h100.sh --energy     # issue #23 instead (or with --serving, both): the CUDA rows of
#                                      # torch eager and CUDA graph under --protocol adaptive, whose
#                                      # windows are long enough for NVML's energy counter
#   tools/gpu/run_h100.sh --profile    # issue #24 (alone or with the two above): the CUDA rows of torch
#                                      # eager, AOTInductor and CUDA graph with --profile (per-operator
#                                      # profiles from Kineto/CUPTI; the graph rows say why they have none)
#   tools/gpu/run_h100.sh --smoke      # no GPU: CPU device, tiny model, few iterations (here)
#
# With --serving the steps are kit env configure build verify backends serving gpu_tests
# serving_overhead: `inferbench run --scenarios server,offline --latency-bound 10 --batch 8` on
# the CUDA FP16 variants, into results-serving-<gpu>.json and the summary (the highest VALID rate
# per variant), then bench/serving_overhead.cc into serving-overhead-<gpu>.txt.
# With --energy: kit env configure build verify backends energy [serving] gpu_tests [serving_overhead], the energy rows
# into results-energy-<gpu>.json and, in the summary, tools/gpu/energy_check.py's sanity check
# (average power between idle and the board's limit; energy = average power x window).
# With --profile: kit env configure build verify backends profile [energy] [serving] gpu_tests [serving_overhead], the
# profiled rows into results-profile-<gpu>.json and their Where-the-time-goes table in the summary.
# Steps, in order: kit env configure build verify backends inferbench reference gpu_tests
# aoti_probe (tools/gpu/aoti_python_load.sh on inferbench's AOTInductor package: which Python load
# crashes, and a cuda-gdb backtrace of the first crash) [autotune: --with-autotune, the FP16 package compiled with max-autotune, plain and in a CUDA
# graph; add compile_max_autotune_fp16 to --py-configs for its Python counterpart]. Each
# runs under its own timeout (never past the overall --budget, less a reserve for packing); a
# step that fails or times out is recorded and the next one runs. Every step's log, timing and
# exit status lands in the bundle.
#
# What comes back from $OUT (the device tool returns at most 8 files, 2 folders deep):
#   summary.txt        step table + the reference table + inferbench's Table B + the issue's
#                      ratios from bench/gpu_compare.py (also printed last)
#   env.txt            environment fingerprint (nvidia-smi, driver, CUDA, torch, compilers, CPU)
#   reference-<gpu>.json   the Python reference's rows and fingerprint
#   results-<gpu>.json     inferbench's results.json
#   results-autotune-<gpu>.json   the same for the max-autotune packages (--with-autotune)
#   run.log            this script's own progress log
#   bundle-<gpu>.tar.gz    everything else: each step's log, inferbench's whole --out folder
#                          (csv, md, html, worker logs), the reference children's logs, CMakeCache
# <gpu> is the GPU's short name (h100, h200, ...) or "cpu" under --smoke.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# ---- step bodies (run as `run_h100.sh --step NAME`, under timeout, settings from IB_* variables)

step_kit() {
  "$repo/tools/gpu/make_offline_deps.sh" unpack "$IB_KIT" || return $?
  # jsonschema for the tests' results.json validation, from the carried wheels (no registry
  # there), into a folder of our own that PYTHONPATH names for the later steps.
  if ! "$IB_PYTHON" -c 'import jsonschema' 2>/dev/null; then
    "$IB_PYTHON" -m pip install -q --no-index --find-links "$repo/tools/gpu/deps/wheels" \
      --target "$IB_WORK/pydeps" jsonschema
  fi
}

step_env() {
  {
    echo "# date: $(date -u +%FT%TZ)   host: $(hostname)   budget: ${IB_BUDGET}s   mode: $IB_MODE"
    echo "# uname: $(uname -a)"
    grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release 2>/dev/null
    echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc)   memory: $(free -g 2>/dev/null | awk '/Mem:/{print $2" GiB"}')"
    echo "# glibc: $(ldd --version 2>/dev/null | head -1)"
    echo "# inferbench: $(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || cat "$repo/SOURCE_REVISION" 2>/dev/null || echo 'no git metadata in this copy')"
    echo
    echo "## nvidia-smi"
    if command -v nvidia-smi >/dev/null; then
      nvidia-smi
      nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit,temperature.gpu,pstate,persistence_mode,compute_mode,mig.mode.current --format=csv
      nvidia-smi -q -d CLOCK,PERFORMANCE,POWER 2>/dev/null | head -120
    else
      echo "nvidia-smi not found"
    fi
    echo
    echo "## toolchain"
    for tool in "$IB_CMAKE" "$IB_NINJA" g++ nvcc; do
      [ -n "$tool" ] || continue
      echo "$ $tool --version"; "$tool" --version 2>&1 | head -4
    done
    echo
    echo "## python ($IB_PYTHON)"
    "$IB_PYTHON" - <<'PY'
import importlib, platform, sys
print("python", platform.python_version(), sys.executable)
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(),
      "cuda available", torch.cuda.is_available())
print("cmake_prefix_path", torch.utils.cmake_prefix_path)
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print("gpu", p.name, f"sm_{p.major}{p.minor}", p.multi_processor_count, "SMs",
          p.total_memory // 2**20, "MiB", "L2", getattr(p, "L2_cache_size", 0) // 2**20, "MiB")
for name in ("torchvision", "triton", "numpy"):
    try:
        print(name, importlib.import_module(name).__version__)
    except Exception as error:  # noqa: BLE001
        print(name, "unavailable:", error)
PY
    echo
    echo "## environment variables"
    env | grep -E '^(CUDA|TORCH|TRITON|NVIDIA|LD_LIBRARY_PATH|PATH=|OMP_)' | sort
  } >"$IB_WORK/env.txt" 2>&1
  cat "$IB_WORK/env.txt"
}

step_configure() {
  [ -n "$IB_ARCH" ] && export TORCH_CUDA_ARCH_LIST="$IB_ARCH"
  echo "TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-<CMake default of backends/torch>}"
  # The kit's initial cache sets CMAKE_PREFIX_PATH, SQLite3_* and INFERBENCH_CHART_JS; the torch
  # plugin appends the wheel's prefix (torch.utils.cmake_prefix_path) itself.
  "$IB_CMAKE" -C "$IB_KIT/offline-deps.cmake" -S "$repo" -B "$IB_BUILD" -G "$IB_GENERATOR" \
    -DCMAKE_BUILD_TYPE=Release -DINFERBENCH_PYTHON="$IB_PYTHON" -DINFERBENCH_WITH_TORCH=ON \
    ${IB_NINJA:+-DCMAKE_MAKE_PROGRAM="$IB_NINJA"}
}

# The plugins the run needs: torch, and any other GPU-capable one this version has (tensorrt).
step_build() {
  local targets=(inferbench)
  local available
  available=$("$IB_CMAKE" --build "$IB_BUILD" --target help 2>/dev/null)
  for plugin in torch tensorrt; do
    if grep -q "inferbench_backend_$plugin\b" <<<"$available"; then
      targets+=("inferbench_backend_$plugin")
    fi
  done
  # --serving: the serving path's own cost on this host (the serving_overhead step).
  if [ "$IB_SERVING" = yes ] && grep -q "inferbench_serving_overhead\b" <<<"$available"; then
    targets+=(inferbench_serving_overhead)
  fi
  echo "targets: ${targets[*]}"
  "$IB_CMAKE" --build "$IB_BUILD" --parallel "$IB_JOBS" --target "${targets[@]}"
}

step_verify() {
  "$repo/tools/gpu/make_offline_deps.sh" verify "$IB_BUILD" "$IB_KIT"
}

step_reference() {
  # One compile child may take at most 40% of what this step has left, so that a hang in one
  # still leaves time for the others.
  local compile_timeout=$((IB_STEP_LIMIT * 2 / 5))
  [ "$compile_timeout" -gt "$IB_COMPILE_TIMEOUT" ] && compile_timeout=$IB_COMPILE_TIMEOUT
  # The AOTInductor package inferbench's step exported (default mode, not max-autotune): the
  # reference loads that same file rather than compiling its own (a minute or two saved here, and
  # both sides run identical kernels).
  local package aoti=()
  package=$(ls -d "$IB_WORK/cache/artefacts/$IB_AOTI_PREFIX"* 2>/dev/null | grep -v -- '-max-' | head -1)
  if [ -n "$package" ] && [ -f "$package/model.pt2" ]; then
    aoti=(--aoti-package "$package/model.pt2")
  fi
  echo "aoti package for the reference: ${aoti[*]:-none from inferbench, it compiles its own}"
  # shellcheck disable=SC2086
  PYTHONUNBUFFERED=1 "$IB_PYTHON" "$repo/bench/torch_cuda_reference.py" --out "$IB_WORK/reference" \
    --configs "$IB_PY_CONFIGS" --compile-timeout "$compile_timeout" --load-timeout 90 "${aoti[@]}" $IB_PY_ARGS
}

step_backends() {
  "$IB_BUILD/inferbench" backends
}

step_inferbench() {
  local backends=torch
  # A TensorRT row, honestly unavailable where there is no TensorRT, when this version has one.
  if "$IB_BUILD/inferbench" backends 2>/dev/null | grep -q '^tensorrt\b'; then
    backends=torch,tensorrt
  fi
  # shellcheck disable=SC2086
  INFERBENCH_CACHE="$IB_WORK/cache" "$IB_BUILD/inferbench" run --backends "$backends" \
    --out "$IB_WORK/results" --db "$IB_WORK/history.sqlite" --timeout "$IB_WORKER_TIMEOUT" $IB_IB_ARGS
}

# Issue #6's Python crash, narrowed on the package inferbench exported (no second export): the
# loader alone, then aoti_load_package variants, each in a fresh process, and a native backtrace.
step_aoti_probe() {
  local package
  package=$(ls -d "$IB_WORK/cache/artefacts/$IB_AOTI_PREFIX"* 2>/dev/null | grep -v -- '-max-' | head -1)
  if [ -z "$package" ] || [ ! -f "$package/model.pt2" ]; then
    echo "no AOTInductor package from the inferbench step to probe"
    return 1
  fi
  local device=cuda
  [ "$IB_MODE" = smoke ] && device=cpu
  OUT="$IB_WORK/aoti-probe" "$repo/tools/gpu/aoti_python_load.sh" --package "$package/model.pt2" \
    --device "$device" --python "$IB_PYTHON" --budget $((IB_STEP_LIMIT - 5))
}

# --serving: issue #20's GPU rows, LoadGen's server search under P99 <= 10 ms and offline.
step_serving() {
  # shellcheck disable=SC2086
  INFERBENCH_CACHE="$IB_WORK/cache" "$IB_BUILD/inferbench" run --backends torch --scenarios server,offline \
    --out "$IB_WORK/results-serving" --db "$IB_WORK/history.sqlite" --timeout "$IB_WORKER_TIMEOUT" $IB_SERVING_ARGS
}

# --serving, after every row: the serving path's own cost on a host with cores to spare (issue
# #20's < 20 us at P99; the 2-vCPU Xeon VM meets it with one polling slot, not by default), the
# dispatcher asleep and polling (--dispatch-poll), 1 and 2 request slots (bench/README.md).
step_serving_overhead() {
  # shellcheck disable=SC2086
  "$IB_BUILD/bench/inferbench_serving_overhead" $IB_OVERHEAD_ARGS | tee "$IB_WORK/serving-overhead.txt"
}

# --energy: issue #23's GPU rows. The study's 100 iterations give 0.2-0.5 s windows on an H100, too
# short for NVML's counter (1 s, --min-energy-window); the adaptive protocol's are longer.
step_energy() {
  # shellcheck disable=SC2086
  INFERBENCH_CACHE="$IB_WORK/cache" "$IB_BUILD/inferbench" run --backends torch:eager,torch:cuda_graph \
    --protocol adaptive --out "$IB_WORK/results-energy" --db "$IB_WORK/history.sqlite" \
    --timeout "$IB_WORKER_TIMEOUT" $IB_ENERGY_ARGS
}

# --profile: issue #24's GPU rows, each CUDA variant of torch profiled after its timed window.
step_profile() {
  # shellcheck disable=SC2086
  INFERBENCH_CACHE="$IB_WORK/cache" "$IB_BUILD/inferbench" run --backends torch:eager,torch:aoti,torch:cuda_graph \
    --profile --out "$IB_WORK/results-profile" --db "$IB_WORK/history.sqlite" \
    --timeout "$IB_WORKER_TIMEOUT" $IB_PROFILE_ARGS
}

# --with-autotune: the AOTInductor FP16 package compiled with Inductor's max-autotune (minutes of
# compilation on the GPU), run plain and replayed in a CUDA graph, into results-autotune/.
step_autotune() {
  # shellcheck disable=SC2086
  INFERBENCH_CACHE="$IB_WORK/cache" "$IB_BUILD/inferbench" run --backends torch:aoti,torch:aoti_cuda_graph \
    --backend-option torch:aoti_autotune=max --out "$IB_WORK/results-autotune" --db "$IB_WORK/history.sqlite" \
    --timeout "$IB_WORKER_TIMEOUT" $IB_AUTOTUNE_ARGS
}

# Tests labelled gpu (tests/**/CMakeLists.txt): build those targets, then ctest -L gpu.
step_gpu_tests() {
  local targets
  targets=$("$IB_PYTHON" - "$repo/tests" <<'PY'
import pathlib, re, sys
names = []
for path in pathlib.Path(sys.argv[1]).rglob("CMakeLists.txt"):
    text = path.read_text()
    # tests/gpu/ labels every test in it (a directory property); elsewhere a call names gpu.
    whole_folder = path.parent.name == "gpu"
    for call in re.finditer(r"inferbench_add_(cli_)?test\s*\(([^)]*)\)", text):
        args = call.group(2)
        if whole_folder or re.search(r"\bgpu\b", args):
            name = re.search(r"NAME\s+(\w+)", args) if not call.group(1) else re.match(r"\s*(\w+)", args)
            if name:
                names.append(name.group(1))
print(" ".join(names))
PY
)
  if [ -z "$targets" ]; then
    echo "no test is labelled gpu in tests/ (nothing to run)"
    return 0
  fi
  echo "gpu-labelled test targets: $targets"
  # shellcheck disable=SC2086
  "$IB_CMAKE" --build "$IB_BUILD" --parallel "$IB_JOBS" --target $targets || return $?
  local listed rc=0
  listed=$("$IB_CTEST" --test-dir "$IB_BUILD" -N -L gpu | grep -c 'Test *#' || true)
  if [ "$listed" -gt 0 ]; then
    "$IB_CTEST" --test-dir "$IB_BUILD" -L gpu --output-on-failure --timeout 240
    return $?
  fi
  # CTest lists none of them: the generated test list of some CMake version failed to load (CMake
  # 4.4 once rejected the SKIP_REGULAR_EXPRESSION tests/CMakeLists.txt gave it). Run the test
  # executables themselves instead, from their build folders, as CTest would.
  echo "ctest -L gpu lists no test (its test list did not load); running the executables directly"
  for target in $targets; do
    local exe
    exe=$(find "$IB_BUILD" -name "$target" -type f -perm -u+x | head -1)
    if [ -z "$exe" ]; then
      echo "$target: executable not found under $IB_BUILD"
      rc=1
      continue
    fi
    echo "\$ (cd $(dirname "$exe") && $exe)"
    (cd "$(dirname "$exe")" && "$exe") || rc=$?
  done
  return "$rc"
}

if [ "${1:-}" = --step ]; then
  "step_$2"
  exit $?
fi

# ---- options

mode=gpu
budget=540
build_dir=
python=${INFERBENCH_PYTHON:-}
py_configs=
py_args=
ib_args=
skip=
autotune=no
serving=no
energy=no
profile=no
jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) mode=smoke ;;
    --budget) budget=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --python) python=$2; shift ;;
    --py-configs) py_configs=$2; shift ;;
    --py-args) py_args=$2; shift ;;
    --ib-args) ib_args=$2; shift ;;
    --skip) skip=$2; shift ;;
    --with-autotune) autotune=yes ;;
    --serving) serving=yes ;;
    --energy) energy=yes ;;
    --profile) profile=yes ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_h100.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

START=$(date +%s)
DEADLINE=$((START + budget))
RESERVE=20   # seconds kept for packing $OUT
out=${OUT:-/tmp/inferbench-gpu-out}
work=${IB_GPU_WORK:-/tmp/inferbench-gpu-work}
mkdir -p "$out"
rm -rf "$work"
mkdir -p "$work/logs"
run_log="$out/run.log"
: >"$run_log"
log() { echo "$*" | tee -a "$run_log"; }

# The machine's Python with torch: the one given, else the first of python3 on PATH and the GPU
# image's /opt/torch/.venv/bin/python3 that imports torch.
if [ -z "$python" ]; then
  for candidate in "$(command -v python3 || true)" /opt/torch/.venv/bin/python3; do
    if [ -x "$candidate" ] && "$candidate" -c 'import torch' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
  python=${python:-$(command -v python3 || echo python3)}
fi
bin_dir=$(dirname "${python:-/nonexistent}")
find_tool() {  # NAME: on PATH, else beside the Python (pip's cmake and ninja install there)
  command -v "$1" 2>/dev/null || { [ -x "$bin_dir/$1" ] && echo "$bin_dir/$1"; } || true
}
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="$PATH:/usr/local/cuda/bin"   # torch's CMake package looks for the CUDA toolkit
fi
cmake_bin=$(find_tool cmake)
ninja_bin=$(find_tool ninja)
ctest_bin=$(dirname "${cmake_bin:-/x}")/ctest
generator=Ninja
[ -n "$ninja_bin" ] || generator="Unix Makefiles"

gpu_tag=cpu
arch=
if [ "$mode" = gpu ]; then
  if command -v nvidia-smi >/dev/null; then
    gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
    gpu_tag=$(echo "$gpu_name" | grep -oiE '\b[A-Z][0-9]{2,4}[A-Z]?\b' | head -1 | tr '[:upper:]' '[:lower:]')
    gpu_tag=${gpu_tag:-gpu}
    arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' ')
  else
    gpu_tag=nogpu
  fi
  arch=${arch:-9.0}
  py_configs=${py_configs:-eager_fp32,eager_fp16_cl,torchscript_fp16,cudagraph_fp16,compile_reduce_overhead_fp16,aoti_fp16}
  # inferbench's CUDA rows run with cuDNN's algorithm search on (torch option cudnn_benchmark,
  # default on): the reference does the same, so that each pair compares like with like.
  py_args="--cudnn-benchmark $py_args"
  ib_run_args="--devices cuda --precisions fp32,fp16 --batch 64 --warmup 50 --iters 100 $ib_args"
  autotune_args="--devices cuda --precisions fp16 --batch 64 --warmup 50 --iters 100"
  serving_args="--devices cuda --precisions fp16 --batch 8 --latency-bound 10 --warmup 50"
  overhead_args="2 1"
  energy_args="--devices cuda --precisions fp32,fp16 --batch 64"
  profile_args="--devices cuda --precisions fp32,fp16 --batch 64 --warmup 50 --iters 100"
  aoti_prefix=mobilenet_v2-aoti-fp16-cuda-b64-
  compile_timeout=240
  worker_timeout=300
else
  py_configs=${py_configs:-eager_fp32,aoti_fp16}
  py_args="--device cpu --cpu-dtype fp32 --model tiny_cnn --batch 2 --warmup 2 --iters 5 $py_args"
  ib_run_args="--devices cpu --precisions fp32 --model tiny_cnn --batch 2 --warmup 2 --iters 5 $ib_args"
  autotune_args="--devices cpu --precisions fp32 --model tiny_cnn --batch 2 --warmup 2 --iters 5"
  serving_args="--devices cpu --precisions fp32 --model tiny_cnn --batch 2 --latency-bound 50 --warmup 5"
  overhead_args="1 1"
  energy_args="--devices cpu --precisions fp32 --model tiny_cnn --batch 2 --max-window 2"
  profile_args="--devices cpu --precisions fp32 --model tiny_cnn --batch 2 --warmup 2 --iters 5 --profile-runs 3"
  aoti_prefix=tiny_cnn-aoti-fp32-cpu-b2-
  compile_timeout=120
  worker_timeout=120
fi

export IB_MODE=$mode IB_BUDGET=$budget IB_WORK=$work IB_KIT="$repo/tools/gpu/deps/root"
export IB_BUILD=${build_dir:-$repo/build-gpu} IB_PYTHON=$python IB_CMAKE=$cmake_bin IB_CTEST=$ctest_bin
export IB_NINJA=$ninja_bin IB_GENERATOR=$generator IB_JOBS=$jobs IB_ARCH=$arch
export IB_PY_CONFIGS=$py_configs IB_PY_ARGS=$py_args IB_IB_ARGS=$ib_run_args IB_AUTOTUNE_ARGS=$autotune_args
export IB_SERVING_ARGS=$serving_args IB_ENERGY_ARGS=$energy_args IB_PROFILE_ARGS=$profile_args
export IB_SERVING=$serving IB_OVERHEAD_ARGS=$overhead_args
export IB_COMPILE_TIMEOUT=$compile_timeout IB_WORKER_TIMEOUT=$worker_timeout IB_AOTI_PREFIX=$aoti_prefix
# Where the kit step installs jsonschema when the Python lacks it (an empty folder otherwise).
export PYTHONPATH="$work/pydeps${PYTHONPATH:+:$PYTHONPATH}"

printf 'step\tstatus\trc\tseconds\tlimit_s\n' >"$work/steps.tsv"
failed_steps=()

# run_step NAME LIMIT_S: runs step_NAME under timeout (never past the budget less the reserve).
run_step() {
  local name=$1 limit=$2
  local now left rc status t0 t1 seconds
  if [[ ",$skip," == *",$name,"* ]]; then
    printf '%s\tskipped\t-\t0\t%s\n' "$name" "$limit" >>"$work/steps.tsv"
    log "=== $name: skipped (--skip)"
    return 0
  fi
  now=$(date +%s)
  left=$((DEADLINE - RESERVE - now))
  if [ "$left" -lt 10 ]; then
    printf '%s\tno-time\t-\t0\t%s\n' "$name" "$limit" >>"$work/steps.tsv"
    log "=== $name: not run, the budget is spent ($((now - START)) s elapsed)"
    failed_steps+=("$name")
    return 1
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  log "=== $name: start at +$((now - START)) s, limit ${limit} s"
  t0=$(date +%s.%N)
  IB_STEP_LIMIT=$limit timeout -k 10 "$limit" "$here/run_h100.sh" --step "$name" \
    >"$work/logs/$name.log" 2>&1 </dev/null
  rc=$?
  t1=$(date +%s.%N)
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  case $rc in
    0) status=ok ;;
    124|137) status=timeout ;;
    *) status=failed ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$rc" "$seconds" "$limit" >>"$work/steps.tsv"
  log "=== $name: $status (rc $rc) in ${seconds} s; last lines:"
  tail -n "${IB_TAIL_LINES:-6}" "$work/logs/$name.log" | sed 's/^/    /' | tee -a "$run_log"
  [ "$rc" -eq 0 ] || failed_steps+=("$name")
  return "$rc"
}

pack() {
  trap - EXIT INT TERM
  cp -f "$work/env.txt" "$out/env.txt" 2>/dev/null
  cp -f "$work/reference/reference.json" "$out/reference-$gpu_tag.json" 2>/dev/null
  cp -f "$work/results/results.json" "$out/results-$gpu_tag.json" 2>/dev/null
  cp -f "$work/results-autotune/results.json" "$out/results-autotune-$gpu_tag.json" 2>/dev/null
  cp -f "$work/results-serving/results.json" "$out/results-serving-$gpu_tag.json" 2>/dev/null
  cp -f "$work/results-energy/results.json" "$out/results-energy-$gpu_tag.json" 2>/dev/null
  cp -f "$work/results-profile/results.json" "$out/results-profile-$gpu_tag.json" 2>/dev/null
  cp -f "$work/serving-overhead.txt" "$out/serving-overhead-$gpu_tag.txt" 2>/dev/null
  [ -d "$work/results-profile/profiles" ] && cp -rf "$work/results-profile/profiles" "$out/profiles-$gpu_tag" 2>/dev/null
  cp -f "$IB_BUILD/CMakeCache.txt" "$work/CMakeCache.txt" 2>/dev/null
  cp -f "$IB_BUILD/backends.tsv" "$work/backends.tsv" 2>/dev/null
  {
    echo "# inferbench GPU run ($mode), $(date -u +%FT%TZ), $(($(date +%s) - START)) s of ${budget} s"
    echo "# gpu: ${gpu_name:-none}   python: $IB_PYTHON   cmake: $IB_CMAKE   generator: $IB_GENERATOR"
    echo
    column -t -s $'\t' "$work/steps.tsv" 2>/dev/null || cat "$work/steps.tsv"
    if [ -f "$work/reference/reference.txt" ]; then
      echo; echo "## Python reference (bench/torch_cuda_reference.py)"; cat "$work/reference/reference.txt"
    elif [ -f "$work/reference/reference.json" ]; then
      echo; echo "## Python reference (bench/torch_cuda_reference.py), cut short: the rows it finished"
      "$IB_PYTHON" "$repo/bench/torch_cuda_reference.py" --render "$work/reference/reference.json"
    fi
    if [ -f "$work/aoti-probe/aoti-python-load.txt" ]; then
      echo; echo "## Python's AOTInductor load, narrowed (tools/gpu/aoti_python_load.sh)"
      cat "$work/aoti-probe/aoti-python-load.txt"
    fi
    if [ -f "$work/results/results.md" ]; then
      echo; echo "## inferbench ($IB_IB_ARGS)"; cat "$work/results/results.md"
    fi
    if [ -f "$work/results-serving/results.md" ]; then
      echo; echo "## inferbench serving ($IB_SERVING_ARGS)"; cat "$work/results-serving/results.md"
      echo; cat "$work/results-serving/guide.md" 2>/dev/null | sed -n '/^### Serving/,/^### Winners/p'
    fi
    if [ -s "$work/serving-overhead.txt" ]; then
      echo; echo "## the serving path's own cost (bench/serving_overhead.cc $IB_OVERHEAD_ARGS)"
      cat "$work/serving-overhead.txt"
    fi
    if [ -f "$work/results-energy/results.json" ]; then
      echo; echo "## inferbench energy (--protocol adaptive $IB_ENERGY_ARGS)"; cat "$work/results-energy/results.md"
      echo; echo "## energy sanity check (tools/gpu/energy_check.py)"
      "$IB_PYTHON" "$repo/tools/gpu/energy_check.py" "$work/results-energy/results.json" 2>&1
    fi
    if [ -f "$work/results-profile/results.md" ]; then
      echo; echo "## inferbench profile (--profile $IB_PROFILE_ARGS)"
      awk '/^Where the time goes/ {f = 1} f {print} f && /^\|/ {t = 1} t && !/^\|/ {exit}' "$work/results-profile/results.md"
      echo; sed -n '/^### Where the time goes/,/^### Rows left out/p' "$work/results-profile/guide.md" 2>/dev/null
    fi
    if [ -f "$work/logs/backends.log" ]; then
      echo; echo "## inferbench backends"; cat "$work/logs/backends.log"
    fi
    # Last, so that the reply's output tail shows it: issue #6's ratios.
    if [ -f "$work/results/results.json" ] && [ -f "$work/reference/reference.json" ]; then
      echo; echo "## inferbench vs the Python reference (bench/gpu_compare.py)"
      local bar=(--device cpu)
      [ "$mode" = gpu ] && bar=(--bar-fps 31800 --bar-label "the issue's torch.compile max-autotune FP16 on an H100")
      "$IB_PYTHON" "$repo/bench/gpu_compare.py" "$work/results/results.json" "$work/reference/reference.json" \
        "${bar[@]}" --json "$work/compare.json" 2>&1
    fi
    if [ -f "$work/results-autotune/results.json" ] && [ -f "$work/reference/reference.json" ]; then
      echo; echo "## max-autotune packages (--with-autotune) vs the Python reference"
      cat "$work/results-autotune/results.md" 2>/dev/null
      "$IB_PYTHON" "$repo/bench/gpu_compare.py" "$work/results-autotune/results.json" \
        "$work/reference/reference.json" "${bar[@]}" --json "$work/compare-autotune.json" 2>&1
    fi
  } >"$out/summary.txt"
  # Everything else in one archive (the device tool returns at most 8 files); the build tree,
  # the artefact cache and compile caches stay behind.
  tar -C "$work" --exclude=./cache --exclude='./reference/*/inductor-cache*' -czf \
    "$out/bundle-$gpu_tag.tar.gz" . 2>/dev/null
  log "=== packed into $out: $(cd "$out" && ls | tr '\n' ' ')"
  echo
  cat "$out/summary.txt"
}
trap pack EXIT
trap 'exit 143' INT TERM

log "# run_h100.sh: mode $mode, budget ${budget} s, gpu '${gpu_name:-none}' (tag $gpu_tag), arch '${arch}'"
log "# python $python, cmake ${cmake_bin:-NOT FOUND}, ninja ${ninja_bin:-not found (Unix Makefiles)}, jobs $jobs"
log "# build dir $IB_BUILD, work $work, out $out"

run_step kit 60
run_step env 60
if run_step configure 150; then
  run_step build 300 && run_step verify 20
fi
# inferbench's rows first (they are the product; the issue already quotes Python numbers), then
# the Python reference beside them, then the tests.
if { [ "$serving" = yes ] || [ "$energy" = yes ] || [ "$profile" = yes ]; } && [ -x "$IB_BUILD/inferbench" ]; then
  run_step backends 60
  [ "$profile" = yes ] && run_step profile 240
  [ "$energy" = yes ] && run_step energy 180
  [ "$serving" = yes ] && run_step serving 420
  run_step gpu_tests 120
  [ "$serving" = yes ] && run_step serving_overhead 120
  log "# done in $(($(date +%s) - START)) s; steps not ok: ${failed_steps[*]:-none}"
  exit 0
fi
if [ -x "$IB_BUILD/inferbench" ]; then
  run_step backends 60
  run_step inferbench 300
else
  log "=== backends, inferbench: not run, $IB_BUILD/inferbench was not built"
  printf '%s\tnot-built\t-\t0\t-\n' backends inferbench >>"$work/steps.tsv"
fi
run_step reference 300
if [ -x "$IB_BUILD/inferbench" ]; then
  run_step gpu_tests 180
  run_step aoti_probe 200
  # Last: it may take what is left of the budget (the export alone takes minutes on a GPU).
  [ "$autotune" = yes ] && run_step autotune 420
fi
log "# done in $(($(date +%s) - START)) s; steps not ok: ${failed_steps[*]:-none}"
exit 0
