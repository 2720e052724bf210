// SPDX-License-Identifier: Apache-2.0
// Build provenance: generated at configure time (cmake/build_info.cc.in), except the git revision,
// dirty flag and diff hash, which every build re-stamps (cmake/git_revision.cmake).
#pragma once

namespace inferbench {

struct BuildInfo {
  const char* version;
  const char* git_revision;
  bool git_dirty;
  const char* git_diff;  // dirty: sha256 of `git diff HEAD --binary`, 12 hex digits; else ""
  const char* compiler;
  const char* build_type;
  const char* python;      // the project's Python environment found at configure time
  const char* executorch_python;  // the ExecuTorch environment's Python (pte exporter); may be empty
  const char* litert_python;      // the LiteRT environment's Python (tflite exporter); may be empty
  const char* fleet_python;       // the fleet environment's Python (Ray coordinator); may be empty
  const char* source_dir;  // tools/export lives here
  const char* binary_dir;  // plugins/ and backends.tsv live here
};

const BuildInfo& build_info();

}  // namespace inferbench
