// SPDX-License-Identifier: Apache-2.0
// Seeded input: reproducible, prefix-stable, roughly standard normal.
#include "core/input/input_generator.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inferbench {
namespace {

TEST(InputGenerator, SameSeedSameValuesAndPrefixStable) {
  const auto a = make_input(7, 1001);
  const auto b = make_input(7, 1001);
  EXPECT_EQ(a, b);
  const auto prefix = make_input(7, 10);
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), a.begin()));
  EXPECT_NE(make_input(8, 10), prefix);
}

TEST(InputGenerator, StandardNormalMoments) {
  const auto x = make_input(0, 200000);
  double sum = 0, sq = 0;
  for (float v : x) {
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  const double mean = sum / x.size();
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(sq / x.size() - mean * mean, 1.0, 0.02);
}

// --input: a batch takes the user's samples in turn, and repeats them when it is larger.
TEST(InputGenerator, BatchesTakeTheSamplesInTurn) {
  const std::vector<float> samples = {1, 2, 3, 4, 5, 6};  // three samples of two values
  EXPECT_EQ(batch_from_samples(samples, 2, 4), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(batch_from_samples(samples, 2, 6), samples);
  EXPECT_EQ(batch_from_samples(samples, 2, 10), (std::vector<float>{1, 2, 3, 4, 5, 6, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace inferbench
