// SPDX-License-Identifier: Apache-2.0
// Percentiles and order-statistic intervals against hand-computed values (NumPy's default
// percentile and exact binomial sums give the same numbers).
#include "core/stats/percentile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace inferbench {
namespace {

TEST(Percentile, LinearInterpolationBetweenClosestRanks) {
  // Sorted {1, 2, 3, 5, 7, 9}: h = 5 p / 100.
  const std::vector<double> x = {1, 2, 3, 5, 7, 9};
  EXPECT_DOUBLE_EQ(percentile(x, 0), 1.0);
  EXPECT_DOUBLE_EQ(percentile(x, 25), 2.25);  // h = 1.25: 2 + 0.25 * (3 - 2)
  EXPECT_DOUBLE_EQ(percentile(x, 50), 4.0);   // h = 2.5: 3 + 0.5 * (5 - 3)
  EXPECT_DOUBLE_EQ(percentile(x, 90), 8.0);   // h = 4.5: 7 + 0.5 * (9 - 7)
  EXPECT_NEAR(percentile(x, 99), 8.9, 1e-12); // h = 4.95
  EXPECT_DOUBLE_EQ(percentile(x, 100), 9.0);  // p = 100 is the maximum, exactly
}

TEST(Percentile, SingleSampleIsEveryPercentile) {
  const std::vector<double> x = {4.5};
  EXPECT_DOUBLE_EQ(percentile(x, 0), 4.5);
  EXPECT_DOUBLE_EQ(percentile(x, 50), 4.5);
  EXPECT_DOUBLE_EQ(percentile(x, 100), 4.5);
}

TEST(Percentile, HundredSamples) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);  // 1..100
  EXPECT_DOUBLE_EQ(percentile(x, 50), 50.5);
  EXPECT_NEAR(percentile(x, 99), 99.01, 1e-12);   // h = 98.01
  EXPECT_NEAR(percentile(x, 99.9), 99.901, 1e-12);
}

TEST(BinomialCdf, HandValues) {
  EXPECT_NEAR(binomial_cdf(0, 2, 0.5), 0.25, 1e-12);
  EXPECT_NEAR(binomial_cdf(1, 2, 0.5), 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(binomial_cdf(2, 2, 0.5), 1.0);
  EXPECT_DOUBLE_EQ(binomial_cdf(-1, 2, 0.5), 0.0);
  // P(B <= 99) for n = 100, q = 0.99 is 1 - 0.99^100.
  EXPECT_NEAR(binomial_cdf(99, 100, 0.99), 1 - std::pow(0.99, 100), 1e-12);
}

TEST(QuantileInterval, MedianOfHundred) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);  // x_(r) = r
  const auto ci = quantile_interval(x, 0.5);
  // Ranks 40 and 61, coverage F(60) - F(39) = 0.96480 (exact binomial sums).
  ASSERT_TRUE(ci.lo && ci.hi);
  EXPECT_DOUBLE_EQ(*ci.lo, 40.0);
  EXPECT_DOUBLE_EQ(*ci.hi, 61.0);
  EXPECT_NEAR(ci.confidence, 0.9647998, 1e-6);
}

TEST(QuantileInterval, P99OfHundredHasNoUpperBound) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);
  const auto ci = quantile_interval(x, 0.99);
  ASSERT_TRUE(ci.lo);
  EXPECT_DOUBLE_EQ(*ci.lo, 97.0);
  EXPECT_FALSE(ci.hi.has_value());
}

TEST(QuantileInterval, P99OfThousand) {
  std::vector<double> x(1000);
  std::iota(x.begin(), x.end(), 1.0);
  const auto ci = quantile_interval(x, 0.99);
  ASSERT_TRUE(ci.lo && ci.hi);
  EXPECT_DOUBLE_EQ(*ci.lo, 983.0);
  EXPECT_DOUBLE_EQ(*ci.hi, 997.0);
  EXPECT_NEAR(ci.confidence, 0.9760948, 1e-6);
}

TEST(QuantileInterval, IndependentSamplesAreTheirOwnEffectiveCount) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);
  const auto plain = quantile_interval(x, 0.5);
  EXPECT_EQ(plain.effective_samples, 100.0);
  // Asking for the sample count itself, or more, changes nothing.
  for (double effective : {100.0, 100.9, 250.0}) {
    const auto ci = quantile_interval(x, 0.5, 0.95, effective);
    EXPECT_EQ(ci.lo, plain.lo);
    EXPECT_EQ(ci.hi, plain.hi);
    EXPECT_EQ(ci.confidence, plain.confidence);
    EXPECT_EQ(ci.effective_samples, 100.0);
  }
}

TEST(QuantileInterval, MedianOfHundredWorthTwentyFiveIndependentSamples) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);
  // m = 25: Binomial(25, 0.5) gives ranks 8 (F(7) = 0.02164) and 18 (F(17) = 0.97836), read at
  // levels 8/26 and 18/26 of the 100 samples: ranks floor(8 * 101 / 26) = 31 and
  // ceil(18 * 101 / 26) = 70. Coverage F(17) - F(7) = 0.95671.
  const auto ci = quantile_interval(x, 0.5, 0.95, 25.7);
  ASSERT_TRUE(ci.lo && ci.hi);
  EXPECT_DOUBLE_EQ(*ci.lo, 31.0);
  EXPECT_DOUBLE_EQ(*ci.hi, 70.0);
  EXPECT_NEAR(ci.confidence, 0.9567147, 1e-6);
  EXPECT_DOUBLE_EQ(*ci.effective_samples, 25.7);
}

TEST(QuantileInterval, P99OfHundredWorthElevenIndependentSamples) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);
  // m = 11: F(9) = 0.00518 and F(10) = 0.10466 under Binomial(11, 0.99), so l = 10, read at rank
  // floor(10 * 101 / 12) = 84; no rank of 11 bounds it from above. Coverage 1 - F(9).
  const auto ci = quantile_interval(x, 0.99, 0.95, 11.2);
  ASSERT_TRUE(ci.lo);
  EXPECT_DOUBLE_EQ(*ci.lo, 84.0);
  EXPECT_FALSE(ci.hi.has_value());
  EXPECT_NEAR(ci.confidence, 1 - 0.0051797, 1e-6);
}

TEST(QuantileInterval, OneEffectiveSampleBoundsNothing) {
  std::vector<double> x(100);
  std::iota(x.begin(), x.end(), 1.0);
  const auto ci = quantile_interval(x, 0.5, 0.95, 0.4);
  EXPECT_FALSE(ci.lo.has_value());
  EXPECT_FALSE(ci.hi.has_value());
}

TEST(QuantileInterval, TooFewSamplesForEitherSide) {
  const std::vector<double> x = {1, 2, 3};
  const auto ci = quantile_interval(x, 0.5);
  EXPECT_FALSE(ci.lo.has_value());
  EXPECT_FALSE(ci.hi.has_value());
}

}  // namespace
}  // namespace inferbench
