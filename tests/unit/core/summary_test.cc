// SPDX-License-Identifier: Apache-2.0
// The latency summary over named statistics.
#include "core/stats/summary.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inferbench {
namespace {

TEST(Summary, HandComputed) {
  // Unsorted on purpose: the summary sorts a copy.
  const LatencySummary s = summarize({9, 1, 5, 3, 7, 2});
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 9);
  EXPECT_DOUBLE_EQ(s.p50, 4);
  EXPECT_DOUBLE_EQ(s.p90, 8);
  EXPECT_NEAR(s.mean, 27.0 / 6.0, 1e-12);
  // Sample variance: squared deviations from 4.5 sum to 47.5; / (n - 1) = 9.5.
  EXPECT_NEAR(s.std, std::sqrt(9.5), 1e-12);
  EXPECT_NEAR(s.cv, std::sqrt(9.5) / 4.5, 1e-12);
}

TEST(Summary, EveryStatisticIsNamedOnce) {
  const auto stats = latency_statistics();
  ASSERT_EQ(stats.size(), 10u);
  EXPECT_EQ(stats[0].name, "p50");
  EXPECT_EQ(stats[4].name, "p999");
  EXPECT_EQ(stats[9].name, "cv");
}

TEST(Summary, SingleSampleHasZeroSpread) {
  const LatencySummary s = summarize({2.5});
  EXPECT_DOUBLE_EQ(s.p99, 2.5);
  EXPECT_DOUBLE_EQ(s.std, 0.0);
  EXPECT_DOUBLE_EQ(s.cv, 0.0);
}

}  // namespace
}  // namespace inferbench
