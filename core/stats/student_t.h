// SPDX-License-Identifier: Apache-2.0
// The Student t quantile that two-sided 95% intervals of a mean need.
#pragma once

namespace inferbench {

// t such that P(|T| <= t) = 0.95 for Student's t with `degrees_of_freedom` (>= 1): the
// half-width of a 95% interval of a mean of n = degrees_of_freedom + 1 values is t s / sqrt(n).
// Exact to 3 decimals for 1..30 degrees of freedom (12.706 for 1, 2.776 for 4, 2.042 for 30);
// above 30, the value at the next tabulated count below (40, 60, 120), which is slightly larger
// than the exact one: intervals err on the wide side.
double student_t_975(int degrees_of_freedom);

}  // namespace inferbench
