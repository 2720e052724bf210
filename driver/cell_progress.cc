// SPDX-License-Identifier: Apache-2.0
// Progress snapshots and the time-left estimate of a running cell.
#include "driver/cell_progress.h"

#include <algorithm>
#include <utility>

#include "core/result/progress_message.h"

namespace inferbench {
namespace {

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::optional<double> estimate_eta(std::string_view phase, int done, int total,
                                   double phase_elapsed_s, int measure_total,
                                   double budget_left_s) {
  const bool warm_up = phase == kPhaseWarmUp;
  if ((!warm_up && phase != kPhaseMeasure && phase != kPhaseParity && phase != kPhaseProfile) || done <= 0 ||
      total <= 0) {
    return std::nullopt;
  }
  const double per_iteration = phase_elapsed_s / done;
  // The parity and profiling passes run after the timed loop, outside --max-seconds: their runs to come.
  if (phase == kPhaseParity || phase == kPhaseProfile) return per_iteration * std::max(0, total - done);
  const int left = std::max(0, total - done) + (warm_up ? measure_total : 0);
  return std::max(0.0, std::min(per_iteration * left, budget_left_s));
}

CellProgressTracker::CellProgressTracker(int position, int cells, std::string label, int iterations,
                                         double max_seconds, Clock::time_point started)
    : iterations_(iterations),
      max_seconds_(max_seconds),
      started_(started),
      phase_started_(started) {
  current_.position = position;
  current_.cells = cells;
  current_.label = std::move(label);
}

CellPhase CellProgressTracker::set_phase(std::string_view phase, Clock::time_point now) {
  if (current_.phase != phase) {
    current_.phase = std::string(phase);
    current_.done = 0;
    current_.total = 0;
    phase_started_ = now;
    phase_elapsed_at_update_ = 0;
  }
  return snapshot(now);
}

std::optional<CellPhase> CellProgressTracker::on_line(std::string_view line,
                                                      Clock::time_point now) {
  const auto message = parse_progress_message(line);
  if (!message) return std::nullopt;
  if (message->phase != current_.phase) {
    set_phase(message->phase, now);
    if (message->phase == kPhaseWarmUp) loop_started_ = now;
  }
  current_.done = message->done;
  current_.total = message->total;
  phase_elapsed_at_update_ = seconds_between(phase_started_, now);
  return snapshot(now);
}

CellPhase CellProgressTracker::snapshot(Clock::time_point now) const {
  CellPhase phase = current_;
  phase.elapsed_s = seconds_between(started_, now);
  const double budget_left =
      loop_started_ ? max_seconds_ - seconds_between(*loop_started_, now) : max_seconds_;
  // The pace comes from the last report, and the time since then already counts as spent.
  const auto eta = estimate_eta(phase.phase, phase.done, phase.total, phase_elapsed_at_update_,
                                iterations_, budget_left);
  if (eta) {
    const double since_update = seconds_between(phase_started_, now) - phase_elapsed_at_update_;
    phase.eta_s = std::max(0.0, *eta - since_update);
  }
  return phase;
}

}  // namespace inferbench
