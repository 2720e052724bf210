// SPDX-License-Identifier: Apache-2.0
// Percentile (type 7) and binomial order-statistic confidence intervals.
#include "core/stats/percentile.h"

#include <algorithm>
#include <cmath>

#include "core/support/check.h"

namespace inferbench {

double percentile(std::span<const double> sorted, double p) {
  IB_CHECK(!sorted.empty()) << "percentile of an empty sample";
  IB_CHECK(p >= 0.0 && p <= 100.0) << "percentile rank " << p;
  const double h = static_cast<double>(sorted.size() - 1) * p / 100.0;
  const auto lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

double binomial_cdf(int k, int n, double q) {
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  // Sum of pmf terms in log space; n is at most a few million here.
  double sum = 0.0;
  const double log_q = std::log(q);
  const double log_1q = std::log1p(-q);
  for (int i = 0; i <= k; ++i) {
    const double log_pmf = std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) +
                           i * log_q + (n - i) * log_1q;
    sum += std::exp(log_pmf);
  }
  return std::min(sum, 1.0);
}

QuantileInterval quantile_interval(std::span<const double> sorted, double q, double confidence) {
  IB_CHECK(q > 0.0 && q < 1.0) << "quantile " << q;
  const int n = static_cast<int>(sorted.size());
  const double alpha = 1.0 - confidence;
  QuantileInterval interval;
  interval.confidence = 0.0;

  // Lower rank l (1-based): the largest with F(l - 1) <= alpha / 2.
  int l = 0;
  for (int r = 1; r <= n; ++r) {
    if (binomial_cdf(r - 1, n, q) <= alpha / 2) l = r; else break;
  }
  // Upper rank u: the smallest with F(u - 1) >= 1 - alpha / 2.
  int u = n + 1;
  for (int r = std::max(l, 1); r <= n; ++r) {
    if (binomial_cdf(r - 1, n, q) >= 1.0 - alpha / 2) {
      u = r;
      break;
    }
  }
  if (l >= 1) interval.lo = sorted[static_cast<size_t>(l - 1)];
  if (u <= n) interval.hi = sorted[static_cast<size_t>(u - 1)];
  const double upper_cdf = binomial_cdf(std::min(u, n + 1) - 1, n, q);
  const double lower_cdf = binomial_cdf(l - 1, n, q);
  interval.confidence = upper_cdf - lower_cdf;
  return interval;
}

}  // namespace inferbench
