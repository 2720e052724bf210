// SPDX-License-Identifier: Apache-2.0
// Where the running cell is, for a live progress display: its phase, iterations done, elapsed
// time and an estimate of the time left, built from the worker's progress messages
// (core/result/progress_message.h) and the driver's own clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/timing/clock.h"

namespace inferbench {

// One snapshot of a running cell.
struct CellPhase {
  int position = 0;      // 1-based among the run's visible cells; 0 for a hidden reference cell
  int cells = 0;         // visible cells in the run
  std::string label;     // "torch cpu fp32 sync batch 64"
  std::string phase;     // "export", "load", "compile", "warm-up", "measure", "finish"
  int done = 0;          // iterations done in the phase (warm-up, measure)
  int total = 0;         // iterations the phase runs; 0 when not counted
  // The phase ends on the data (--protocol adaptive): `total` is warm-up's ceiling, or the
  // timed window's size at --max-window estimated from warm-up's pace.
  bool open_ended = false;
  double elapsed_s = 0;  // since the cell started (its export included)
  std::optional<double> eta_s;  // seconds until warm-up and measurement end; empty = unknown
  // Seconds until the run's last cell ends: this cell's time left plus, for each cell still to
  // run (each round of it, with --rounds), what that cell took the last time it ran (its export,
  // done once, left out). Empty while
  // a cell to come has not run yet (with one round: always) and for the run's last cell.
  std::optional<double> run_eta_s;
};

// Seconds left for a cell's warm-up and timed loop, from the pace of the current phase:
// each iteration is assumed to take phase_elapsed_s / done, the remaining iterations are the
// rest of this phase plus (during warm-up) the whole timed loop, and the result never exceeds
// the cell's time budget left (`budget_left_s`, from --max-seconds). In the parity pass (after
// the timed loop, outside the budget): its batches left at the pace of those done. Empty before
// the first iteration of a counted phase, and in phases that are not counted.
std::optional<double> estimate_eta(std::string_view phase, int done, int total,
                                   double phase_elapsed_s, int measure_total, double budget_left_s);

// Turns one cell's progress messages into snapshots. Single cell, single thread.
class CellProgressTracker {
 public:
  // `iterations` and `max_seconds`: the cell's timed iterations and time budget, for the
  // estimate; `started`: when the cell began (before its export, if any).
  CellProgressTracker(int position, int cells, std::string label, int iterations,
                      double max_seconds, Clock::time_point started);

  // The cell runs the adaptive protocol: its warm-up and measure phases are open-ended.
  void set_open_ended(bool open_ended) { current_.open_ended = open_ended; }

  // The driver's own phase (export) or a phase without counts.
  CellPhase set_phase(std::string_view phase, Clock::time_point now);

  // A line from the worker's progress pipe; empty when the line is not a progress message.
  std::optional<CellPhase> on_line(std::string_view line, Clock::time_point now);

  // The current snapshot with elapsed time and estimate brought up to `now`.
  CellPhase snapshot(Clock::time_point now) const;

 private:
  CellPhase current_;
  int iterations_;
  double max_seconds_;
  Clock::time_point started_;
  Clock::time_point phase_started_;
  std::optional<Clock::time_point> loop_started_;  // when warm-up began: the budget's start
  double phase_elapsed_at_update_ = 0;             // phase time when `done` was last reported
};

}  // namespace inferbench
