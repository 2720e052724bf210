// SPDX-License-Identifier: Apache-2.0
// Parity metrics on hand-made outputs.
#include "core/parity/parity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace inferbench {
namespace {

TEST(Parity, IdenticalOutputs) {
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  auto p = compare_outputs(a, a, 3);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->max_abs_err, 0.0);
  EXPECT_NEAR(p->cosine, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(p->top1_agreement, 1.0);
}

TEST(Parity, HandComputed) {
  // Two samples of 2 classes. Sample 0 agrees on the arg-max, sample 1 does not.
  const std::vector<float> out = {1, 0, 0, 1};
  const std::vector<float> ref = {2, 0, 1, 0};
  auto p = compare_outputs(out, ref, 2);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->max_abs_err, 1.0);
  // dot = 2, |out| = sqrt(2), |ref| = sqrt(5).
  EXPECT_NEAR(p->cosine, 2.0 / std::sqrt(10.0), 1e-12);
  EXPECT_DOUBLE_EQ(p->top1_agreement, 0.5);
}

TEST(Parity, SizeMismatchIsAnError) {
  const std::vector<float> a = {1, 2}, b = {1, 2, 3, 4};
  auto p = compare_outputs(a, b, 2);
  ASSERT_FALSE(p);
  EXPECT_NE(p.status().message().find("2 values"), std::string::npos);
}

TEST(Parity, CountsNonFinite) {
  const std::vector<float> a = {1, std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::infinity(), 0};
  EXPECT_EQ(count_non_finite(a), 2u);
}

}  // namespace
}  // namespace inferbench
