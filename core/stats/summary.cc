// SPDX-License-Identifier: Apache-2.0
// The latency statistics.
#include "core/stats/summary.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "core/stats/percentile.h"
#include "core/support/check.h"

namespace inferbench {
namespace {

double mean_of(std::span<const double> x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

// Sample standard deviation (n - 1 denominator); 0 for a single sample.
double std_of(std::span<const double> x) {
  if (x.size() < 2) return 0.0;
  const double m = mean_of(x);
  double ss = 0.0;
  for (double v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

const std::array<Statistic, 10> kStatistics = {{
    {"p50", [](std::span<const double> x) { return percentile(x, 50); }, &LatencySummary::p50},
    {"p90", [](std::span<const double> x) { return percentile(x, 90); }, &LatencySummary::p90},
    {"p95", [](std::span<const double> x) { return percentile(x, 95); }, &LatencySummary::p95},
    {"p99", [](std::span<const double> x) { return percentile(x, 99); }, &LatencySummary::p99},
    {"p999", [](std::span<const double> x) { return percentile(x, 99.9); }, &LatencySummary::p999},
    {"min", [](std::span<const double> x) { return x.front(); }, &LatencySummary::min},
    {"max", [](std::span<const double> x) { return x.back(); }, &LatencySummary::max},
    {"mean", mean_of, &LatencySummary::mean},
    {"std", std_of, &LatencySummary::std},
    {"cv", [](std::span<const double> x) { return std_of(x) / mean_of(x); }, &LatencySummary::cv},
}};

}  // namespace

std::span<const Statistic> latency_statistics() { return kStatistics; }

LatencySummary summarize(std::vector<double> samples) {
  IB_CHECK(!samples.empty()) << "summary of an empty sample";
  std::sort(samples.begin(), samples.end());
  LatencySummary summary;
  for (const auto& statistic : kStatistics) summary.*statistic.field = statistic.compute(samples);
  return summary;
}

}  // namespace inferbench
