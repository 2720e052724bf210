// SPDX-License-Identifier: Apache-2.0
// The adaptive protocol in a worker (docs/metrics.md, "The adaptive protocol"): the two rules of
// core/stats/adaptive.h set up for one cell, and what the row records of how they ended.
#pragma once

#include "core/result/cell.h"
#include "core/stats/adaptive.h"
#include "core/timing/measure_loop.h"

namespace inferbench {

// The targets a cell's timed window stops on. Throughput rows (several requests in flight) aim
// their P50 target at the throughput's interval. Several instances measure for --max-window
// alike (targets no window meets, no minimum), so that their windows stay together.
PrecisionTargets cell_targets(const Cell& cell, bool throughput);

struct AdaptiveRules {
  AdaptiveRules(const Cell& cell, bool throughput);

  WarmUpRule warm_up;
  PrecisionRule precision;
  int slots = 1;  // requests in flight, for expected_samples()

  // The samples a window at the warm-up's pace holds at --max-window, at least the minimum: an
  // estimate for the progress display.
  int expected_samples() const;
  // Writes how warm-up and the timed window ended into row.effective ("protocol", "warmup_stop",
  // "stop", "precision") and, where they ended short of the protocol's aim, a warning naming the
  // remedy. `samples_ms` is the row's timed window.
  void describe(const LoopResult& loop, const Cell& cell, const std::vector<double>& samples_ms, Row& row) const;
};

}  // namespace inferbench
