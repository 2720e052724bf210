// SPDX-License-Identifier: Apache-2.0
// The profiling pass of --profile (docs/metrics.md, "Where the time goes"): after a cell's timed
// window, a fresh instance prepared for profiling runs the same input, and the framework's own
// profiler says where each inference spends its time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "backends/api/inferbench_backend.h"
#include "core/result/cell.h"
#include "core/result/row.h"
#include "worker/plugin_loader.h"

namespace inferbench {

// Reports the pass's progress: `done` of `total` runs (warm-up and profiled together).
using ProfileProgress = std::function<void(int done, int total)>;

// The row's profile: prepare(`args` with profile = 1, scenario "sync", one request), set_input(`input`),
// cell.profile.warmup runs (and more, until two seconds have passed, at most 50), then
// cell.profile.runs profiled ones, each timed as run() + sync();
// the Chrome trace goes to cell.profile.trace_path. Whatever goes wrong gives a profile with
// `available` false and the reason: the row's measurements are never affected.
Profile profile_pass(const LoadedPlugin& plugin, ib_prepare_args args, const Cell& cell, const std::vector<float>& input,
                     const std::string& row_label, const ProfileProgress& progress);

}  // namespace inferbench
