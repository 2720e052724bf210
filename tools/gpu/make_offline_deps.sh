#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Offline build kit: the project's C++ dependencies other than torch (and Chart.js, which the HTML
# report inlines), taken unmodified from Debian 12 packages, for machines that have no package
# registry (the GPU machine of issue #6: Ubuntu 24.04, CUDA 13.0, torch 2.11 in its Python).
#
#   tools/gpu/make_offline_deps.sh download        # on Debian 12 with apt: fetch deps/debs + deps/wheels, rewrite MANIFEST.tsv
#   tools/gpu/make_offline_deps.sh unpack [DIR]    # anywhere: check sha256, unpack into DIR (default deps/root)
#   tools/gpu/make_offline_deps.sh flags  [DIR]    # print the CMake flags that point a configure at DIR
#   tools/gpu/make_offline_deps.sh verify BUILD [DIR]  # check BUILD/CMakeCache.txt resolved every package in DIR
#
# The .deb files (deps/debs, about 2 MiB) are fetched, not committed: third-party binaries stay out
# of the repository, MANIFEST.tsv (committed) pins them by sha256, and the device call carries the
# folder (docs/gpu.md). The unpacked tree (deps/root) is ignored and re-made where it is used.
# deps/wheels holds jsonschema and its dependencies as wheels for the GPU image's Python 3.12 (the
# tests validate results.json with it; that image has no jsonschema and no registry). Unpacking
# uses dpkg-deb when present, else a few lines of Python (a .deb is an ar archive holding a tar;
# IB_KIT_NO_DPKG=1 forces that path, to test it).
#
# Why each package, and what the build takes from it:
#   nlohmann-json3-dev  header-only; CMake package nlohmann_json (share/cmake)
#   libcli11-dev        header-only; CMake package CLI11 (share/cmake)
#   libfmt-dev, libfmt9 fmt 9 headers + CMake package; Debian ships no libfmt.a, so the binary links
#                       libfmt.so.9 from the kit and CMake's build RPATH points at it (no
#                       LD_LIBRARY_PATH). Built by g++ 12 against glibc 2.33 / GLIBCXX_3.4.29:
#                       Ubuntu 24.04 (glibc 2.39, g++ 13's libstdc++) runs it.
#   libsqlite3-dev      sqlite3.h + the static libsqlite3.a (needs only libc/libm/libdl/libpthread),
#                       given to FindSQLite3 explicitly so the shared library is never picked.
#   libgtest-dev, libgmock-dev  static GoogleTest/GoogleMock + CMake package GTest.
#   libjs-chart.js      chart.min.js (Chart.js 3.9.1), inlined into report.html at configure time.
# And MLPerf LoadGen's source archive (mlcommons_loadgen-6.0.17.tar.gz from PyPI, the one
# tools/setup/setup.sh pins by sha256), kept in deps/wheels beside the wheels and listed in
# MANIFEST.tsv as architecture "sdist": the serving scenarios compile it (cmake/InferbenchLoadGen.cmake).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
debs_dir="$here/deps/debs"
wheels_dir="$here/deps/wheels"
jsonschema_version=$(sed -n 's/^jsonschema==//p' "$here/../setup/requirements.txt")
loadgen_version=$(sed -n 's/^loadgen_version=//p' "$here/../setup/setup.sh")
loadgen_sha256=$(sed -n 's/^loadgen_sha256=//p' "$here/../setup/setup.sh")
manifest="$here/deps/MANIFEST.tsv"
default_root="$here/deps/root"
repo=$(cd "$here/../.." && pwd)
packages=(nlohmann-json3-dev libcli11-dev libfmt-dev libfmt9 libsqlite3-dev libgtest-dev
          libgmock-dev libjs-chart.js)
multiarch=x86_64-linux-gnu

die() { echo "make_offline_deps: $*" >&2; exit 1; }

cmd_download() {
  command -v apt-get >/dev/null || die "apt-get not found: run 'download' on a Debian 12 machine"
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ "$codename" = bookworm ] || die "this machine is '$codename', not Debian 12 (bookworm); the kit is Debian 12's packages"
  [ "$(dpkg --print-architecture)" = amd64 ] || die "the kit is for amd64; this machine is $(dpkg --print-architecture)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  chmod 777 "$tmp"   # apt's _apt user writes the downloads
  (cd "$tmp" && apt-get download "${packages[@]}")
  # The revision this tree was copied from, for a copy without git metadata (the device's): the
  # build stamps it into results (cmake/git_revision.cmake). Ignored by git; the device call carries it.
  if rev=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null); then
    if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
      # and the diff's hash, as cmake/git_revision.cmake stamps it in a checkout
      rev="$rev dirty $(git -C "$repo" diff HEAD --binary | sha256sum | cut -c1-12)"
    fi
    echo "$rev" > "$repo/SOURCE_REVISION"
  fi
  rm -f "$debs_dir"/*.deb
  mkdir -p "$debs_dir"
  mv "$tmp"/*.deb "$debs_dir"/
  # The schema validator's Python package, as wheels for the GPU image's CPython 3.12 (pinned as
  # in tools/setup/requirements.txt); installed there with pip --no-index by run_h100.sh.
  rm -rf "$wheels_dir"
  python3 -m pip download -q "jsonschema==$jsonschema_version" --python-version 3.12 --only-binary=:all: \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 -d "$wheels_dir"
  # MLPerf LoadGen's source distribution, fetched and checked as tools/setup/setup.sh does.
  python3 -m pip download -q --no-deps --no-binary :all: "mlcommons-loadgen==$loadgen_version" -d "$wheels_dir"
  echo "$loadgen_sha256  $wheels_dir/mlcommons_loadgen-$loadgen_version.tar.gz" | sha256sum --quiet -c - \
    || die "the LoadGen source archive does not have the sha256 tools/setup/setup.sh pins"
  {
    printf '# Debian 12 (bookworm) packages of the offline build kit; made by tools/gpu/make_offline_deps.sh download on %s\n' \
      "$(date -u +%Y-%m-%d)"
    printf 'package\tversion\tarchitecture\tfile\tbytes\tsha256\n'
    for f in "$debs_dir"/*.deb; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(dpkg-deb -f "$f" Package)" "$(dpkg-deb -f "$f" Version)" \
        "$(dpkg-deb -f "$f" Architecture)" "$(basename "$f")" "$(stat -c %s "$f")" \
        "$(sha256sum "$f" | cut -d' ' -f1)"
    done
    for f in "$wheels_dir"/*.whl; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$f" | cut -d- -f1)" "$(basename "$f" | cut -d- -f2)" \
        wheel "wheels/$(basename "$f")" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
    done
    f="$wheels_dir/mlcommons_loadgen-$loadgen_version.tar.gz"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' mlcommons-loadgen "$loadgen_version" sdist "wheels/$(basename "$f")" \
      "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
  } >"$manifest"
  echo "wrote $manifest:"
  grep -v "^#" "$manifest" | column -t -s $'\t' 2>/dev/null || cat "$manifest"
}

# Unpacks one .deb's data archive into a folder, without dpkg.
python_unpack() {
  python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
with open(deb, "rb") as f:
    data = f.read()
if data[:8] != b"!<arch>\n":
    sys.exit(f"{deb}: not an ar archive")
pos = 8
while pos + 60 <= len(data):
    header = data[pos:pos + 60]
    name = header[:16].decode().strip().rstrip("/")
    size = int(header[48:58].decode().strip())
    body = data[pos + 60:pos + 60 + size]
    pos += 60 + size + (size & 1)
    if name.startswith("data.tar"):
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tar:
            kwargs = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
            tar.extractall(dest, **kwargs)
        break
else:
    sys.exit(f"{deb}: no data.tar member")
PY
}

cmd_unpack() {
  root=${1:-$default_root}
  [ -f "$manifest" ] || die "$manifest missing: run 'download' first (on Debian 12)"
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  stamp="$root/.manifest.sha256"
  want=$(sha256sum "$manifest" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$root/offline-deps.cmake" ]; then
    echo "kit already unpacked in $root"
    return 0
  fi
  # Every .deb must match the manifest: a kit that differs from what was recorded is refused.
  # (Wheels are listed as deps/-relative paths with architecture "wheel"; .debs by file name.)
  grep -v '^#' "$manifest" | tail -n +2 | while IFS=$'\t' read -r _ _ arch file _ sha; do
    path="$debs_dir/$file"
    { [ "$arch" = wheel ] || [ "$arch" = sdist ]; } && path="$here/deps/$file"
    [ -f "$path" ] || die "$path missing (listed in MANIFEST.tsv): run 'download' here and carry tools/gpu/deps/debs and tools/gpu/deps/wheels"
    echo "$sha  $path"
  done | sha256sum --quiet -c - || die "a package does not match its sha256 in MANIFEST.tsv"
  rm -rf "${root:?}/usr"
  grep -v '^#' "$manifest" | tail -n +2 | while IFS=$'\t' read -r _ _ arch file _ _; do
    # Wheels are installed into the Python by run_h100.sh, the LoadGen archive compiled by CMake.
    { [ "$arch" = wheel ] || [ "$arch" = sdist ]; } && continue
    if command -v dpkg-deb >/dev/null && [ -z "${IB_KIT_NO_DPKG:-}" ]; then
      dpkg-deb -x "$debs_dir/$file" "$root"
    else
      python_unpack "$debs_dir/$file" "$root"
    fi
  done
  # Documentation is not needed; dangling links (libsqlite3.so -> the runtime package we do not
  # take) are removed so no search can land on them.
  rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian" "$root/usr/src"
  find "$root" -xtype l -delete
  lib="$root/usr/lib/$multiarch"
  for need in "$root/usr/include/nlohmann/json.hpp" "$root/usr/include/CLI/CLI.hpp" \
              "$lib/libfmt.so.9" "$lib/libsqlite3.a" "$root/usr/include/sqlite3.h" \
              "$lib/libgtest.a" "$lib/cmake/GTest/GTestConfig.cmake" \
              "$root/usr/share/javascript/chart.js/chart.min.js"; do
    [ -e "$need" ] || die "unpacked kit lacks $need"
  done
  write_initial_cache "$root"
  echo "$want" >"$stamp"
  echo "kit unpacked in $root ($(du -sh "$root" | cut -f1)); configure with: cmake -C $root/offline-deps.cmake ..."
}

# An initial-cache script (cmake -C FILE): the same settings as `flags`, as cache entries.
write_initial_cache() {
  local root=$1
  cat >"$root/offline-deps.cmake" <<EOF
# Generated by tools/gpu/make_offline_deps.sh: use with cmake -C this-file. Every C++ dependency
# besides torch comes from the Debian 12 packages unpacked under this folder (MANIFEST.tsv).
set(CMAKE_PREFIX_PATH "$root/usr" CACHE STRING "offline kit first")
set(SQLite3_INCLUDE_DIR "$root/usr/include" CACHE PATH "offline kit")
set(SQLite3_LIBRARY "$root/usr/lib/$multiarch/libsqlite3.a" CACHE FILEPATH "offline kit (static)")
set(INFERBENCH_CHART_JS "$root/usr/share/javascript/chart.js/chart.min.js" CACHE FILEPATH "offline kit")
set(INFERBENCH_LOADGEN_SDIST "$wheels_dir/mlcommons_loadgen-$loadgen_version.tar.gz" CACHE FILEPATH "offline kit")
EOF
}

cmd_flags() {
  root=$(cd "${1:-$default_root}" && pwd)
  echo "-DCMAKE_PREFIX_PATH=$root/usr -DSQLite3_INCLUDE_DIR=$root/usr/include" \
       "-DSQLite3_LIBRARY=$root/usr/lib/$multiarch/libsqlite3.a" \
       "-DINFERBENCH_CHART_JS=$root/usr/share/javascript/chart.js/chart.min.js" \
       "-DINFERBENCH_LOADGEN_SDIST=$wheels_dir/mlcommons_loadgen-$loadgen_version.tar.gz"
}

cmd_verify() {
  build=${1:?usage: verify BUILD_DIR [KIT_DIR]}
  root=$(cd "${2:-$default_root}" && pwd)
  cache="$build/CMakeCache.txt"
  [ -f "$cache" ] || die "$cache missing: configure first"
  status=0
  for key in nlohmann_json_DIR CLI11_DIR fmt_DIR SQLite3_INCLUDE_DIR SQLite3_LIBRARY GTest_DIR \
             INFERBENCH_CHART_JS INFERBENCH_LOADGEN_SDIST; do
    line=$(grep -E "^$key:" "$cache" || true)
    value=${line#*=}
    if [ -z "$line" ]; then
      echo "MISSING  $key (not in the cache; GTest_DIR is absent when tests are off)"
      [ "$key" = GTest_DIR ] || status=1
    elif [[ "$value" == "$root"/* || "$value" == "$here/deps"/* ]]; then
      echo "kit      $line"
    else
      echo "NOT KIT  $line"
      status=1
    fi
  done
  # The fmt library the binary will load, if it is built already.
  if [ -x "$build/inferbench" ] && command -v readelf >/dev/null; then
    echo "runpath  $(readelf -d "$build/inferbench" | grep -E 'RUNPATH|RPATH' | sed 's/.*\[\(.*\)\]/\1/')"
    ldd "$build/inferbench" 2>/dev/null | grep -E 'fmt|sqlite' | sed 's/^\s*/ldd      /' || true
  fi
  return $status
}

case "${1:-}" in
  download) shift; cmd_download "$@" ;;
  unpack) shift; cmd_unpack "$@" ;;
  flags) shift; cmd_flags "$@" ;;
  verify) shift; cmd_verify "$@" ;;
  *) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
