// SPDX-License-Identifier: Apache-2.0
// Student t 97.5% quantiles against the standard table, and the conservative steps above 30.
#include "core/stats/student_t.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

TEST(StudentT, MatchesTheTable) {
  EXPECT_DOUBLE_EQ(student_t_975(1), 12.706);
  EXPECT_DOUBLE_EQ(student_t_975(2), 4.303);
  EXPECT_DOUBLE_EQ(student_t_975(4), 2.776);
  EXPECT_DOUBLE_EQ(student_t_975(9), 2.262);
  EXPECT_DOUBLE_EQ(student_t_975(30), 2.042);
}

TEST(StudentT, AboveThirtyNeverBelowTheExactValue) {
  // Exact: 2.030 (35), 2.009 (50), 1.990 (80), 1.984 (100), 1.960 (infinity).
  EXPECT_GE(student_t_975(35), 2.030);
  EXPECT_GE(student_t_975(50), 2.009);
  EXPECT_GE(student_t_975(80), 1.990);
  EXPECT_GE(student_t_975(100), 1.984);
  EXPECT_GT(student_t_975(1000), 1.960);
  // And falling as the count grows.
  EXPECT_GT(student_t_975(35), student_t_975(50));
  EXPECT_GT(student_t_975(50), student_t_975(80));
}

}  // namespace
}  // namespace inferbench
