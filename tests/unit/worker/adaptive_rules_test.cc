// SPDX-License-Identifier: Apache-2.0
// What an adaptive row says of how its warm-up ended.
#include "worker/adaptive_protocol.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace inferbench {
namespace {

Cell adaptive_cell(int warmup_max) {
  Cell cell;
  cell.protocol.name = "adaptive";
  cell.warmup = warmup_max;
  cell.iterations = 100;
  return cell;
}

bool has_warning(const Row& row, const std::string& text) {
  return std::any_of(row.warnings.begin(), row.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

// A ceiling below the steady-state test's window: the test never ran, so nothing was seen moving
// (the row said "with the latencies still moving").
TEST(AdaptiveRules, AWarmUpTooShortToTestSaysSoAndNotThatItMoved) {
  const Cell cell = adaptive_cell(5);
  AdaptiveRules rules(cell, false);
  for (int i = 0; i < 4; ++i) rules.warm_up.steady_after(std::chrono::milliseconds(10));
  LoopResult loop;
  loop.warmup_done = 5;
  Row row;
  rules.describe(loop, cell, std::vector<double>(100, 10.0), row);
  EXPECT_TRUE(has_warning(row, "warm-up ended at --warmup-max 5 iterations, before the steady-state test could run "
                               "(it needs " + std::to_string(kSteadyWindow + 1) + " iterations)"))
      << testing::PrintToString(row.warnings);
  EXPECT_FALSE(has_warning(row, "still moving"));
  EXPECT_EQ(row.effective["warmup_stop"], "--warmup-max after 5 iterations");
}

TEST(AdaptiveRules, AWarmUpTestedAtItsCeilingSaysTheLatenciesMoved) {
  const Cell cell = adaptive_cell(40);
  AdaptiveRules rules(cell, false);
  for (int i = 0; i < 39; ++i) rules.warm_up.steady_after(std::chrono::milliseconds(10 + 3 * i));  // a trend
  LoopResult loop;
  loop.warmup_done = 40;
  Row row;
  rules.describe(loop, cell, std::vector<double>(100, 10.0), row);
  EXPECT_TRUE(has_warning(row, "warm-up ended at --warmup-max 40 iterations with the latencies still moving (trend p="))
      << testing::PrintToString(row.warnings);
}

}  // namespace
}  // namespace inferbench
