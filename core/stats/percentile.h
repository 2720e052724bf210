// SPDX-License-Identifier: Apache-2.0
// Quantiles and their distribution-free confidence intervals.
#pragma once

#include <span>

#include "core/result/row.h"

namespace inferbench {

// The p-th percentile (0 <= p <= 100) of ascending-sorted, non-empty `sorted`, by linear
// interpolation between closest ranks (Hyndman & Fan type 7; NumPy's and R's default):
// h = (n - 1) * p / 100, result = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
// p = 0 gives the minimum and p = 100 the maximum.
double percentile(std::span<const double> sorted, double p);

// P(B <= k) for B ~ Binomial(n, q).
double binomial_cdf(int k, int n, double q);

// A 95% (or `confidence`) interval for the q-quantile (0 < q < 1) from order statistics:
// [x_(l), x_(u)] covers it with probability F(u-1) - F(l-1), F the Binomial(n, q) CDF. This
// is exact for independent samples whatever their distribution. l is the largest rank with
// F(l-1) <= alpha/2 and u the smallest with F(u-1) >= 1 - alpha/2; a side with no such rank
// in 1..n is left empty (too few samples to bound it).
QuantileInterval quantile_interval(std::span<const double> sorted, double q,
                                   double confidence = 0.95);

}  // namespace inferbench
