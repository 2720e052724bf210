// SPDX-License-Identifier: Apache-2.0
// Progress snapshots of a running cell and the time-left estimate, against hand-computed
// values on a fake clock.
#include "driver/cell_progress.h"

#include <gtest/gtest.h>

#include "core/result/progress_message.h"

namespace inferbench {
namespace {

using std::chrono::milliseconds;

TEST(EstimateEta, FromThePaceOfTheCurrentPhase) {
  // Measure: 40 of 100 done in 8 s -> 0.2 s each, 60 left -> 12 s.
  EXPECT_DOUBLE_EQ(*estimate_eta(kPhaseMeasure, 40, 100, 8.0, 100, 600), 12.0);
  // Warm-up: 10 of 50 in 2 s -> 0.2 s each; 40 warm-up + 100 timed left -> 28 s.
  EXPECT_DOUBLE_EQ(*estimate_eta(kPhaseWarmUp, 10, 50, 2.0, 100, 600), 28.0);
  // Never more than the cell's time budget left.
  EXPECT_DOUBLE_EQ(*estimate_eta(kPhaseMeasure, 1, 1000, 10.0, 1000, 30), 30.0);
}

TEST(EstimateEta, TheParityPassCountsItsBatchesOutsideTheBudget) {
  // 4 of 16 batches in 2 s -> 0.5 s each, 12 left -> 6 s, though the loop's budget is spent.
  EXPECT_DOUBLE_EQ(*estimate_eta(kPhaseParity, 4, 16, 2.0, 100, 0), 6.0);
  EXPECT_FALSE(estimate_eta(kPhaseParity, 0, 16, 0.0, 100, 600).has_value());
}

TEST(EstimateEta, UnknownBeforeTheFirstIterationAndOutsideCountedPhases) {
  EXPECT_FALSE(estimate_eta(kPhaseMeasure, 0, 100, 1.0, 100, 600).has_value());
  EXPECT_FALSE(estimate_eta(kPhaseCompile, 0, 0, 5.0, 100, 600).has_value());
  EXPECT_FALSE(estimate_eta(kPhaseMeasure, 5, 0, 1.0, 100, 600).has_value());
}

TEST(CellProgressTracker, FollowsTheWorkersMessages) {
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  CellProgressTracker tracker(2, 4, "noop cpu fp32 sync batch 4", 100, 600, t0);

  CellPhase phase = tracker.set_phase(kPhaseExport, t0 + milliseconds(100));
  EXPECT_EQ(phase.position, 2);
  EXPECT_EQ(phase.cells, 4);
  EXPECT_EQ(phase.label, "noop cpu fp32 sync batch 4");
  EXPECT_EQ(phase.phase, "export");
  EXPECT_DOUBLE_EQ(phase.elapsed_s, 0.1);
  EXPECT_FALSE(phase.eta_s.has_value());

  EXPECT_FALSE(tracker.on_line("not a message", t0 + milliseconds(200)).has_value());
  phase = *tracker.on_line("{\"phase\":\"compile\"}", t0 + milliseconds(1000));
  EXPECT_EQ(phase.phase, "compile");
  phase =
      *tracker.on_line("{\"phase\":\"measure\",\"done\":0,\"total\":100}", t0 + milliseconds(2000));
  EXPECT_EQ(phase.phase, "measure");
  EXPECT_FALSE(phase.eta_s.has_value());
  // 25 iterations in 1 s -> 0.04 s each, 75 left -> 3 s.
  phase = *tracker.on_line("{\"phase\":\"measure\",\"done\":25,\"total\":100}",
                           t0 + milliseconds(3000));
  EXPECT_EQ(phase.done, 25);
  EXPECT_EQ(phase.total, 100);
  EXPECT_DOUBLE_EQ(phase.elapsed_s, 3.0);
  EXPECT_NEAR(*phase.eta_s, 3.0, 1e-9);
  // Half a second later without news: elapsed grows, the estimate shrinks by as much.
  phase = tracker.snapshot(t0 + milliseconds(3500));
  EXPECT_DOUBLE_EQ(phase.elapsed_s, 3.5);
  EXPECT_NEAR(*phase.eta_s, 2.5, 1e-9);
}

}  // namespace
}  // namespace inferbench
