// SPDX-License-Identifier: Apache-2.0
// How often the confidence intervals inferbench writes (core/stats/percentile.h) contain the true
// quantile when the samples are correlated in time, by simulation: latency-like series from a
// stationary first-order autoregressive process, the interval computed as the worker computes it,
// once as if the samples were independent and once for effective_sample_size() samples.
// Shared by bench/interval_coverage.cc (the table in bench/results/) and the unit test that keeps
// its conclusion true.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/stats/diagnostics.h"
#include "core/stats/percentile.h"

namespace inferbench::bench {

// The marginal distribution of the simulated latencies: normal, or log-normal (exp of the
// normal series: skewed to the right like most latency distributions).
enum class Marginal { Normal, LogNormal };

struct Coverage {
  double covered = 0;     // fraction of intervals containing the true quantile (an open side counts as containing)
  double both_sides = 0;  // fraction of intervals with both bounds
  double mean_width = 0;  // mean hi - lo over intervals with both bounds
};

// The standard normal quantile, by bisection on the CDF 0.5 erfc(-x / sqrt 2).
inline double normal_quantile(double q) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// `reps` series of `n` samples x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t (unit variance, started
// in the stationary distribution), mapped through the marginal; the 95% interval of the
// q-quantile of each, independent (`widen` false) or for effective_sample_size() samples.
inline Coverage interval_coverage(double phi, double q, Marginal marginal, int n, int reps,
                                  bool widen, std::uint32_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> noise;
  const double z = normal_quantile(q);
  const double truth = marginal == Marginal::Normal ? z : std::exp(z);
  const double innovation = std::sqrt(1 - phi * phi);
  Coverage result;
  int covered = 0, both = 0;
  double width = 0;
  std::vector<double> series(static_cast<std::size_t>(n));
  for (int rep = 0; rep < reps; ++rep) {
    double x = noise(engine);
    for (auto& value : series) {
      value = marginal == Marginal::Normal ? x : std::exp(x);
      x = phi * x + innovation * noise(engine);
    }
    std::vector<double> sorted = series;
    std::sort(sorted.begin(), sorted.end());
    const auto ci = widen ? quantile_interval(sorted, q, 0.95, effective_sample_size(series))
                          : quantile_interval(sorted, q);
    if ((!ci.lo || *ci.lo <= truth) && (!ci.hi || truth <= *ci.hi)) ++covered;
    if (ci.lo && ci.hi) {
      ++both;
      width += *ci.hi - *ci.lo;
    }
  }
  result.covered = static_cast<double>(covered) / reps;
  result.both_sides = static_cast<double>(both) / reps;
  result.mean_width = both > 0 ? width / both : 0;
  return result;
}

}  // namespace inferbench::bench
