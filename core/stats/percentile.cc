// SPDX-License-Identifier: Apache-2.0
// Percentile (type 7) and binomial order-statistic confidence intervals.
#include "core/stats/percentile.h"

#include <algorithm>
#include <cmath>
#include <vector>

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

namespace {

double log_binomial_pmf(int k, int n, double q) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
         k * std::log(q) + (n - k) * std::log1p(-q);
}

}  // namespace

double binomial_cdf(int k, int n, double q) {
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  double sum = 0.0;  // pmf terms summed from log space
  for (int i = 0; i <= k; ++i) sum += std::exp(log_binomial_pmf(i, n, q));
  return std::min(sum, 1.0);
}

QuantileInterval quantile_interval(std::span<const double> sorted, double q, double confidence,
                                   std::optional<double> effective_samples) {
  IB_CHECK(q > 0.0 && q < 1.0) << "quantile " << q;
  const int n = static_cast<int>(sorted.size());
  int m = n;
  if (effective_samples && n > 0) {
    IB_CHECK(*effective_samples > 0) << "effective sample size " << *effective_samples;
    m = std::clamp(static_cast<int>(std::floor(*effective_samples)), 1, n);
  }
  const double alpha = 1.0 - confidence;
  QuantileInterval interval;
  interval.effective_samples = effective_samples ? std::min(*effective_samples, double(n)) : n;

  // F(k) = P(B <= k) for k = 0..m in one pass: O(m), where a call of binomial_cdf() per rank
  // would be O(m^2) (minutes at a million samples).
  std::vector<double> cdf(static_cast<std::size_t>(m) + 1);
  double sum = 0.0;
  for (int k = 0; k <= m; ++k) {
    sum += std::exp(log_binomial_pmf(k, m, q));
    cdf[static_cast<std::size_t>(k)] = std::min(sum, 1.0);
  }
  const auto F = [&](int k) { return k < 0 ? 0.0 : k >= m ? 1.0 : cdf[static_cast<std::size_t>(k)]; };
  // Lower rank l of m (1-based): the largest with F(l - 1) <= alpha / 2.
  int l = 0;
  for (int r = 1; r <= m && F(r - 1) <= alpha / 2; ++r) l = r;
  // Upper rank u of m: the smallest with F(u - 1) >= 1 - alpha / 2.
  int u = m + 1;
  for (int r = std::max(l, 1); r <= m; ++r) {
    if (F(r - 1) >= 1.0 - alpha / 2) {
      u = r;
      break;
    }
  }
  // Rank k of m read at the same level among the n samples; integer arithmetic keeps m = n exact.
  const auto rank_in_sample = [&](int k, bool round_up) {
    const long long scaled = static_cast<long long>(k) * (n + 1);
    const long long rank = round_up ? (scaled + m) / (m + 1) : scaled / (m + 1);
    return std::clamp(static_cast<int>(rank), 1, n);
  };
  if (l >= 1) interval.lo = sorted[static_cast<size_t>(rank_in_sample(l, false) - 1)];
  if (u <= m) interval.hi = sorted[static_cast<size_t>(rank_in_sample(u, true) - 1)];
  interval.confidence = F(u - 1) - F(l - 1);
  return interval;
}

}  // namespace inferbench
