// SPDX-License-Identifier: Apache-2.0
// Student t 97.5% quantiles, from the standard table.
#include "core/stats/student_t.h"

#include <array>

#include "core/support/check.h"

namespace inferbench {

double student_t_975(int degrees_of_freedom) {
  IB_CHECK(degrees_of_freedom >= 1) << "degrees of freedom must be at least 1";
  static constexpr std::array<double, 30> kTable = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (degrees_of_freedom <= 30) return kTable[static_cast<std::size_t>(degrees_of_freedom) - 1];
  if (degrees_of_freedom < 40) return 2.042;
  if (degrees_of_freedom < 60) return 2.021;
  if (degrees_of_freedom < 120) return 2.000;
  return 1.980;
}

}  // namespace inferbench
