// SPDX-License-Identifier: Apache-2.0
// Quantiles and their distribution-free confidence intervals.
#pragma once

#include <optional>
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
// [x_(l), x_(u)] covers it with probability F(u-1) - F(l-1), F the Binomial(m, q) CDF. For
// independent samples (m = n, the default) this is exact whatever their distribution. l is the
// largest rank with F(l-1) <= alpha/2 and u the smallest with F(u-1) >= 1 - alpha/2; a side with
// no such rank in 1..m is left empty (too few samples to bound it).
//
// Samples correlated in time carry less information than their count: `effective_samples` (from
// effective_sample_size(), at most n) sets m = floor(effective_samples), at least 1, and a rank k
// of m is read from the n samples at the same expected quantile level k / (m + 1): rank
// floor(k (n + 1) / (m + 1)) for the lower bound and the ceiling for the upper, so rounding only
// widens the interval. With m = n the ranks are l and u themselves.
QuantileInterval quantile_interval(std::span<const double> sorted, double q,
                                   double confidence = 0.95,
                                   std::optional<double> effective_samples = std::nullopt);

}  // namespace inferbench
