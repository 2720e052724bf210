// SPDX-License-Identifier: Apache-2.0
// The live progress display, line by line: the terminal status line redrawn in place, and the
// plain log (CI) with one line per phase change and no control characters.
#include "cli/progress_display.h"

#include <gtest/gtest.h>

#include <sstream>

namespace inferbench::cli {
namespace {

CellPhase cell(std::string phase, int done = 0, int total = 0, double elapsed = 0,
               std::optional<double> eta = std::nullopt) {
  CellPhase p;
  p.position = 2;
  p.cells = 4;
  p.label = "noop cpu fp32 sync batch 4";
  p.phase = std::move(phase);
  p.done = done;
  p.total = total;
  p.elapsed_s = elapsed;
  p.eta_s = eta;
  return p;
}

TEST(ProgressDisplay, StatusLineShowsPhaseIterationsElapsedAndEta) {
  EXPECT_EQ(
      status_line(cell("measure", 40, 100, 12.34, 18.0)),
      "  [2/4] noop cpu fp32 sync batch 4 | measure 40/100 [####------] | 12.3 s | ETA 18.0 s");
  EXPECT_EQ(status_line(cell("compile", 0, 0, 75.4)),
            "  [2/4] noop cpu fp32 sync batch 4 | compile | 1 min 15 s | ETA ?");
  EXPECT_EQ(status_line(cell("parity", 4, 16, 30.0, 6.0)),
            "  [2/4] noop cpu fp32 sync batch 4 | parity 4/16 [##--------] | 30.0 s | ETA 6.0 s");
  CellPhase reference = cell("", 0, 0, 0.0);
  reference.position = 0;
  EXPECT_EQ(status_line(reference),
            "  [reference] noop cpu fp32 sync batch 4 | starting | 0.0 s | ETA ?");
}

TEST(ProgressDisplay, TheRunsTimeLeftFollowsTheCellsWhenKnown) {
  CellPhase phase = cell("measure", 40, 100, 12.34, 18.0);
  phase.run_eta_s = 250.0;
  EXPECT_EQ(status_line(phase),
            "  [2/4] noop cpu fp32 sync batch 4 | measure 40/100 [####------] | 12.3 s | ETA 18.0 s"
            " | run ETA 4 min 10 s");
  EXPECT_EQ(phase_log_line(phase), "  [2/4] noop cpu fp32 sync batch 4: measure (100 iterations) | run ETA 4 min 10 s");
}

TEST(ProgressDisplay, AnAdaptiveCellsPhasesEndOnTheData) {
  CellPhase warm_up = cell("warm-up", 0, 50, 1.0);
  warm_up.open_ended = true;
  EXPECT_EQ(phase_log_line(warm_up), "  [2/4] noop cpu fp32 sync batch 4: warm-up (until steady, at most 50 iterations)");
  CellPhase measure = cell("measure", 0, 80, 3.0);
  measure.open_ended = true;
  EXPECT_EQ(phase_log_line(measure), "  [2/4] noop cpu fp32 sync batch 4: measure (until precise, or --max-window)");
}

TEST(ProgressDisplay, DurationLabels) {
  EXPECT_EQ(duration_label(0.04), "0.0 s");
  EXPECT_EQ(duration_label(59.94), "59.9 s");
  EXPECT_EQ(duration_label(125.2), "2 min 05 s");
}

TEST(ProgressDisplay, TerminalRedrawsOneLineAndClearsItForMessages) {
  std::ostringstream out;
  ProgressDisplay display(out, ProgressDisplay::Mode::Terminal, 200);
  display.phase(cell("measure", 0, 100, 1.0));
  display.phase(cell("measure", 50, 100, 2.0, 2.0));
  display.message("  [2/4] noop cpu fp32 sync batch 4: ok");
  display.clear();  // nothing shown any more: writes nothing
  EXPECT_EQ(
      out.str(),
      "\r\x1b[2K  [2/4] noop cpu fp32 sync batch 4 | measure 0/100 [----------] | 1.0 s | ETA ?"
      "\r\x1b[2K  [2/4] noop cpu fp32 sync batch 4 | measure 50/100 [#####-----] | 2.0 s | ETA 2.0 "
      "s"
      "\r\x1b[2K  [2/4] noop cpu fp32 sync batch 4: ok\n");
}

TEST(ProgressDisplay, TerminalLineIsCutToTheWidth) {
  std::ostringstream out;
  ProgressDisplay display(out, ProgressDisplay::Mode::Terminal, 21);
  display.phase(cell("compile"));
  EXPECT_EQ(out.str(), "\r\x1b[2K  [2/4] noop cpu fp3");
}

TEST(ProgressDisplay, PlainLogsEachPhaseChangeOnceAndNoControlCharacters) {
  std::ostringstream out;
  ProgressDisplay display(out, ProgressDisplay::Mode::Plain);
  display.phase(cell(""));
  display.phase(cell("export"));
  display.phase(cell("load"));
  display.phase(cell("compile"));
  display.phase(cell("compile", 0, 0, 3.0));
  display.phase(cell("warm-up", 0, 50));
  display.phase(cell("warm-up", 20, 50, 4.0, 9.0));
  display.message("  exported /cache/x.pt");
  display.phase(cell("measure", 0, 100));
  display.phase(cell("measure", 60, 100, 9.0, 2.0));
  display.phase(cell("finish"));
  display.clear();
  EXPECT_EQ(out.str(),
            "  [2/4] noop cpu fp32 sync batch 4: export\n"
            "  [2/4] noop cpu fp32 sync batch 4: compile\n"
            "  [2/4] noop cpu fp32 sync batch 4: warm-up (50 iterations)\n"
            "  exported /cache/x.pt\n"
            "  [2/4] noop cpu fp32 sync batch 4: measure (100 iterations)\n");
}

}  // namespace
}  // namespace inferbench::cli
