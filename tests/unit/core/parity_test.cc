// SPDX-License-Identifier: Apache-2.0
// Parity metrics on hand-made outputs.
#include "core/parity/parity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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

TEST(Parity, TopKAccuracyAgainstLabels) {
  // Three samples of 6 classes.
  const std::vector<float> out = {0, 5, 1, 2, 3, 4,   // arg-max 1; ranks: 1, 5, 4, 3, 2, 0
                                  9, 0, 0, 0, 0, 0,   // arg-max 0; the rest tie
                                  1, 2, 3, 4, 5, 6};  // arg-max 5; class 0 is last
  const std::vector<std::int32_t> labels = {1, 3, 0};
  EXPECT_NEAR(*top_k_accuracy(out, labels, 6, 1), 1.0 / 3.0, 1e-12);  // sample 0 only
  // Top-5: sample 0 (label first), sample 1 (class 3 tied with classes 1 to 5 after the 9: fourth),
  // not sample 2 (class 0 is 6th).
  EXPECT_NEAR(*top_k_accuracy(out, labels, 6, 5), 2.0 / 3.0, 1e-12);
  // Ties go to the lower class, as in top1_agreement: outputs that are all equal (a broken model,
  // or an INT8 row whose dequantised logits tie) scored every label as a hit.
  const std::vector<float> flat(3 * 6, 0.25F);
  EXPECT_NEAR(*top_k_accuracy(flat, std::vector<std::int32_t>{0, 3, 5}, 6, 1), 1.0 / 3.0, 1e-12);  // class 0 only
  EXPECT_NEAR(*top_k_accuracy(flat, std::vector<std::int32_t>{0, 3, 5}, 6, 5), 2.0 / 3.0, 1e-12);  // not class 5
  const std::vector<std::int32_t> outside = {1, 6, 0};
  auto refused = top_k_accuracy(out, outside, 6, 1);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("label 6 of sample 1"), std::string::npos);
  EXPECT_FALSE(top_k_accuracy(out, std::vector<std::int32_t>{1, 2}, 6, 1));  // counts differ
}

TEST(Parity, LabelAccuracyOfRowAndReference) {
  const std::vector<float> out = {1, 0, 0, 1};  // says 0, 1
  const std::vector<float> ref = {1, 0, 1, 0};  // says 0, 0
  const std::vector<std::int32_t> labels = {0, 1};
  auto accuracy = label_accuracy(out, ref, labels, 2);
  ASSERT_TRUE(accuracy);
  EXPECT_EQ(accuracy->samples, 2);
  EXPECT_DOUBLE_EQ(accuracy->top1, 1.0);
  EXPECT_EQ(accuracy->reference_top1, 0.5);
  EXPECT_FALSE(accuracy->top5);  // 2 classes: every label is in the top 5
  EXPECT_FALSE(accuracy->reference_top5);
  // Without a reference (a user's artefact file): the row's own accuracy only.
  auto alone = label_accuracy(out, {}, labels, 2);
  ASSERT_TRUE(alone);
  EXPECT_DOUBLE_EQ(alone->top1, 1.0);
  EXPECT_FALSE(alone->reference_top1);
}

TEST(Parity, CountsNonFinite) {
  const std::vector<float> a = {1, std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::infinity(), 0};
  EXPECT_EQ(count_non_finite(a), 2u);
}

}  // namespace
}  // namespace inferbench
