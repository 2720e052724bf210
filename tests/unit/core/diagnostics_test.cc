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

TEST(Diagnostics, AdaptiveRowsAreToldToLengthenTheWindowNotToCount) {
  std::vector<double> x;
  for (int i = 0; i < 100; ++i) x.push_back(i % 2 ? 10.0 : 13.0);  // CV above 10%
  MeasurementContext adaptive{100, false, "Release", std::nullopt};
  adaptive.adaptive = true;
  const auto w = diagnose(x, summarize(x), adaptive);
  EXPECT_TRUE(has_warning(w, "raise --max-window for samples numbering 1000 or more"));
  EXPECT_TRUE(has_warning(w, "pin --threads below the core count, or raise --max-window"));
  for (const auto& warning : w) EXPECT_EQ(warning.find("--iters"), std::string::npos) << warning;
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

// Cut in the warm-up, a row was told to "raise --max-seconds or lower --iters": --iters did not
// matter, the warm-up had used the budget.
TEST(Diagnostics, ABudgetSpentInTheWarmUpNamesTheWarmUp) {
  const std::vector<double> one = {10.0};
  MeasurementContext context{100, true, "Release", std::nullopt};
  context.warmup_cut = std::pair(1196675, 10000000);
  const auto w = diagnose(one, summarize(one), context);
  EXPECT_TRUE(has_warning(w, "during the warm-up, after 1196675 of 10000000 warm-up iterations, so only 1 of 100 "
                             "timed iterations ran; lower --warmup or raise --max-seconds"));
  EXPECT_FALSE(has_warning(w, "lower --iters"));
}

TEST(Diagnostics, LagOneAutocorrelationByHand) {
  std::vector<double> ramp;
  for (int i = 1; i <= 20; ++i) ramp.push_back(i);
  // mean 10.5; sum of squared deviations 665; sum of neighbour products 574.75 - 9.5 = 565.25.
  EXPECT_NEAR(*lag1_autocorrelation(ramp), 565.25 / 665.0, 1e-12);
  std::vector<double> alternating;
  for (int i = 0; i < 20; ++i) alternating.push_back(i % 2 ? 12.0 : 10.0);
  EXPECT_NEAR(*lag1_autocorrelation(alternating), -19.0 / 20.0, 1e-12);  // deviations ±1
  EXPECT_FALSE(lag1_autocorrelation(std::vector<double>(20, 3.0)));        // all equal
  EXPECT_FALSE(lag1_autocorrelation(std::vector<double>(ramp.begin(), ramp.end() - 1)));  // 19 samples
}

TEST(Diagnostics, EffectiveSampleSize) {
  // The blocks below: r = 0.901, so 1000 (1 - r) / (1 + r) = 52.08.
  std::vector<double> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back((i / 20) % 2 ? 11.0 : 10.0);
  EXPECT_NEAR(effective_sample_size(blocks), 1000 * (1 - 0.901) / 1.901, 1e-9);
  // Negative correlation does not count as more than n; nor do too few samples to say.
  std::vector<double> alternating;
  for (int i = 0; i < 1000; ++i) alternating.push_back(i % 2 ? 11.0 : 10.0);
  EXPECT_EQ(effective_sample_size(alternating), 1000.0);
  EXPECT_EQ(effective_sample_size({1, 2, 3, 4, 5}), 5.0);
  EXPECT_EQ(effective_sample_size(std::vector<double>(30, 2.0)), 30.0);
}

TEST(Diagnostics, RunsOfSlowIterationsAreCalledCorrelated) {
  // Blocks of 20 slow then 20 fast iterations (a neighbour coming and going): deviations ±0.5,
  // 950 neighbour pairs inside a block and 49 across, so r = (950 - 49) / 1000 = 0.901 and
  // n (1 - r) / (1 + r) = 52.1.
  std::vector<double> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back((i / 20) % 2 ? 11.0 : 10.0);
  const auto w = diagnose(blocks, summarize(blocks), {1000, false, "Release", std::nullopt});
  EXPECT_TRUE(has_warning(w, "samples are correlated (lag-1 autocorrelation 0.90: worth about 52 "
                             "independent samples of 1000, for which the confidence intervals are "
                             "computed)"))
      << (w.empty() ? "" : w.front());
  // The same values alternating one by one are not.
  std::vector<double> alternating;
  for (int i = 0; i < 1000; ++i) alternating.push_back(i % 2 ? 11.0 : 10.0);
  EXPECT_FALSE(has_warning(diagnose(alternating, summarize(alternating), {1000, false, "Release", std::nullopt}),
                           "correlated"));
}

}  // namespace
}  // namespace inferbench
