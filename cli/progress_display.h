// SPDX-License-Identifier: Apache-2.0
// The live progress of a run on stderr. On a terminal: one status line for the running cell,
// redrawn in place (phase, iterations done / total, elapsed, time left), with the ordinary
// progress messages printed above it. Anywhere else (a file, a pipe, CI): plain log lines, one
// per phase change, and no control characters.
#pragma once

#include <ostream>
#include <string>

#include "driver/cell_progress.h"

namespace inferbench::cli {

class ProgressDisplay {
 public:
  enum class Mode { Terminal, Plain };

  // `width`: the terminal's columns (Terminal mode); the status line is cut to fit, since a
  // wrapped line cannot be redrawn in place.
  ProgressDisplay(std::ostream& out, Mode mode, int width = 100);

  // Terminal when stderr is a terminal, TERM is not "dumb" and CI is not set to "true" (CI
  // services set it; their log viewers show a redrawn line as a pile of updates).
  static Mode mode_for_stderr();
  // Columns of the terminal on stderr, or 100 when it cannot be asked.
  static int stderr_width();

  // An ordinary progress message: on its own line, the status line cleared first.
  void message(const std::string& line);
  // A snapshot of the running cell: redraws the status line (Terminal), or prints one line
  // when the cell or its phase changed (Plain).
  void phase(const CellPhase& phase);
  // Removes the status line, if one is shown.
  void clear();

 private:
  std::ostream& out_;
  Mode mode_;
  int width_;
  bool status_shown_ = false;
  std::string last_logged_;  // Plain: the cell and phase of the last line printed
};

// "  [2/4] torch cpu fp32 sync batch 64 | measure 40/100 [####------] | 12.3 s | ETA 18 s", then
// " | run ETA 4 min 10 s" when the run's time left is known: the Terminal status line. A hidden
// reference cell shows "[reference]".
std::string status_line(const CellPhase& phase);

// "  [2/4] torch cpu fp32 sync batch 64: measure (100 iterations)" (then " | run ETA ..." as in
// the status line): the Plain line for a phase change; empty for the phases Plain mode does not
// log (load, finish, none yet).
std::string phase_log_line(const CellPhase& phase);

// "9.5 s", "2 min 05 s": a duration for the display.
std::string duration_label(double seconds);

}  // namespace inferbench::cli
