// SPDX-License-Identifier: Apache-2.0
// The intervals rows carry keep their 95% promise on samples correlated in time, where intervals
// computed as if the samples were independent do not (bench/interval_coverage.h simulates the
// series; bench/results/interval_coverage.md has the full table).
#include "bench/interval_coverage.h"

#include <gtest/gtest.h>

namespace inferbench::bench {
namespace {

constexpr int kReps = 400;
constexpr int kSamples = 100;  // the study's protocol

TEST(IntervalCoverage, IndependentSamplesAreCoveredEitherWay) {
  const Coverage plain = interval_coverage(0.0, 0.5, Marginal::Normal, kSamples, kReps, false, 7);
  const Coverage widened = interval_coverage(0.0, 0.5, Marginal::Normal, kSamples, kReps, true, 7);
  EXPECT_GE(plain.covered, 0.92);
  EXPECT_GE(widened.covered, 0.92);
  // Sampling noise in r only: the interval hardly widens.
  EXPECT_LT(widened.mean_width, 1.15 * plain.mean_width);
}

TEST(IntervalCoverage, CorrelatedSamplesNeedTheEffectiveCount) {
  // r = 0.7, as measured on MobileNetV2 rows of the shared development VM.
  for (Marginal marginal : {Marginal::Normal, Marginal::LogNormal}) {
    const Coverage plain = interval_coverage(0.7, 0.5, marginal, kSamples, kReps, false, 11);
    const Coverage widened = interval_coverage(0.7, 0.5, marginal, kSamples, kReps, true, 11);
    EXPECT_LT(plain.covered, 0.80);
    EXPECT_GE(widened.covered, 0.91);
    EXPECT_EQ(widened.both_sides, 1.0);  // still an interval, not a shrug
  }
}

TEST(IntervalCoverage, NormalQuantile) {
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.99), 2.3263478740408408, 1e-9);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
}

}  // namespace
}  // namespace inferbench::bench
