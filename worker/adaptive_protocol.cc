// SPDX-License-Identifier: Apache-2.0
// The adaptive protocol's rules for one cell, and their record in the row.
#include "worker/adaptive_protocol.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/stats/percentile.h"
#include "core/support/number_text.h"

namespace inferbench {
namespace {

std::string format_p(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", p);
  return text;
}

}  // namespace

PrecisionTargets cell_targets(const Cell& cell, bool throughput) {
  PrecisionTargets targets = cell.protocol.targets;
  targets.throughput = throughput;
  if (cell.instances > 1) {
    targets.p50 = 0;
    targets.p99 = 0;
    targets.min_samples = 1;
  }
  return targets;
}

AdaptiveRules::AdaptiveRules(const Cell& cell, bool throughput) : precision(cell_targets(cell, throughput)) {}

int AdaptiveRules::expected_samples() const {
  const int minimum = precision.targets().min_samples;
  std::vector<double> latencies = warm_up.latencies_ms();
  if (latencies.empty()) return minimum;
  std::sort(latencies.begin(), latencies.end());
  const double median_ms = percentile(latencies, 50);
  if (!(median_ms > 0)) return minimum;
  const double fit = precision.targets().max_window_s * 1000 / median_ms * slots;
  return std::max(minimum, static_cast<int>(std::min(fit, 1e9)));
}

void AdaptiveRules::describe(const LoopResult& loop, const Cell& cell, const std::vector<double>& samples_ms,
                             Row& row) const {
  const SteadyVerdict& verdict = warm_up.verdict();
  const std::string tests = "trend p=" + format_p(verdict.trend_p) + ", level shift p=" + format_p(verdict.shift_p);
  const std::string iterations = std::to_string(loop.warmup_done) + " iterations";
  if (loop.warmed_up) {
    row.effective["warmup_stop"] = "steady after " + iterations + " (" + tests + ")";
  } else if (loop.warmup_done >= cell.warmup) {
    const bool tested = warm_up.latencies_ms().size() >= static_cast<std::size_t>(kSteadyWindow);
    row.effective["warmup_stop"] = "--warmup-max after " + iterations + (tested ? " (" + tests + ")" : "");
    // Below the steady-state test's window nothing was tested, so nothing was seen moving.
    row.warnings.push_back(
        tested ? "warm-up ended at --warmup-max " + std::to_string(cell.warmup) +
                     " iterations with the latencies still moving (" + tests +
                     "): the first timed samples may still be warming up; raise --warmup-max or quiet the machine"
               : "warm-up ended at --warmup-max " + std::to_string(cell.warmup) +
                     " iterations, before the steady-state test could run (it needs " + std::to_string(kSteadyWindow + 1) +
                     " iterations): the first timed samples may still be warming up; raise --warmup-max to " +
                     std::to_string(kSteadyWindow + 1) + " or more");
  } else {
    row.effective["warmup_stop"] = "--max-seconds after " + iterations;
  }

  const PrecisionTargets& targets = precision.targets();
  const std::string reached = describe_precision(precision_of(samples_ms), targets);
  if (cell.instances > 1) {
    row.effective["precision"] = "instances measure for --max-window alike";
    if (precision.reason() == StopReason::Window) {
      row.effective["stop"] = "max-window";
      return;
    }
    // The time budget ended the window first (warm-up and the start gate took their share).
    row.effective["stop"] = "max-seconds";
    row.warnings.push_back("stopped at --max-seconds " + shortest_number(cell.max_seconds) + " after " +
                           std::to_string(samples_ms.size()) + " timed iterations, before --max-window " +
                           shortest_number(targets.max_window_s) + " s; raise --max-seconds");
    return;
  }
  row.effective["precision"] = reached;
  switch (precision.reason()) {
    case StopReason::Precision:
      row.effective["stop"] = "precision";
      return;
    case StopReason::Window:
      row.effective["stop"] = "max-window";
      row.warnings.push_back("stopped at --max-window " + shortest_number(targets.max_window_s) + " s short of the precision asked: " +
                             reached + "; quiet the machine, or raise --max-window for tighter intervals");
      return;
    case StopReason::None:
      break;
  }
  row.effective["stop"] = "max-seconds";
  row.warnings.push_back("stopped at --max-seconds " + shortest_number(cell.max_seconds) + " after " +
                         std::to_string(samples_ms.size()) + " timed iterations, short of the precision asked: " + reached +
                         "; raise --max-seconds");
}

}  // namespace inferbench
