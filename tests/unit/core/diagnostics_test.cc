// SPDX-License-Identifier: Apache-2.0
// Measurement warnings: each fires on the condition it names and not otherwise.
#include "core/stats/diagnostics.h"

#include <gtest/gtest.h>

#include "core/stats/summary.h"

namespace inferbench {
namespace {

bool has_warning(const std::vector<std::string>& warnings, const std::string& needle) {
  for (const auto& w : warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(Diagnostics, StableThousandSamplesGiveNoWarning) {
  std::vector<double> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 10.0 + 0.01 * static_cast<double>(i % 7);
  const auto w = diagnose(x, summarize(x), {1000, false, "Release", "performance"});
  EXPECT_TRUE(w.empty()) << w.front();
}

TEST(Diagnostics, HundredSamplesFlagTheTail) {
  std::vector<double> x(100, 10.0);
  const auto w = diagnose(x, summarize(x), {100, false, "Release", std::nullopt});
  EXPECT_TRUE(has_warning(w, "P99 rests on 1.0 sample"));
  EXPECT_TRUE(has_warning(w, "--iters 1000"));
}

TEST(Diagnostics, UnstableDriftOutliersBudgetBuildGovernor) {
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(i < 500 ? 10.0 : 14.0);  // drift +40%
  for (int i = 0; i < 40; ++i) x[static_cast<size_t>(i * 25)] = 100.0;  // 4% outliers
  const auto w = diagnose(x, summarize(x), {2000, true, "Debug", "powersave"});
  EXPECT_TRUE(has_warning(w, "unstable: CV"));
  EXPECT_TRUE(has_warning(w, "drifted +40.0%"));
  EXPECT_TRUE(has_warning(w, "outliers"));
  EXPECT_TRUE(has_warning(w, "after 1000 of 2000"));
  EXPECT_TRUE(has_warning(w, "built as 'Debug'"));
  EXPECT_TRUE(has_warning(w, "'powersave'"));
}

}  // namespace
}  // namespace inferbench
