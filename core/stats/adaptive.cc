// SPDX-License-Identifier: Apache-2.0
// The adaptive protocol's steady-state test and precision stopping rule.
#include "core/stats/adaptive.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "core/stats/diagnostics.h"
#include "core/stats/percentile.h"

namespace inferbench {
namespace {

// Two-sided p-value of a standard normal statistic.
double two_sided_p(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

// Sum over groups of equal values of f(group size).
template <typename F>
double over_ties(std::span<const double> x, F f) {
  std::map<double, int> counts;
  for (double v : x) ++counts[v];
  double sum = 0;
  for (const auto& [value, t] : counts) sum += f(static_cast<double>(t));
  return sum;
}

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2g%%", fraction * 100);
  return text;
}

}  // namespace

double mann_kendall_p(std::span<const double> x) {
  const auto n = static_cast<double>(x.size());
  if (x.size() < 3) return 1;
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    for (std::size_t j = i + 1; j < x.size(); ++j) s += (x[j] > x[i]) - (x[j] < x[i]);
  }
  const double ties = over_ties(x, [](double t) { return t * (t - 1) * (2 * t + 5); });
  const double variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  if (!(variance > 0)) return 1;
  const double corrected = s > 0 ? s - 1 : s < 0 ? s + 1 : 0;
  return two_sided_p(corrected / std::sqrt(variance));
}

double level_shift_p(std::span<const double> x) {
  if (x.size() < 4) return 1;
  const std::size_t n1 = x.size() / 2;
  const auto older = x.first(n1);
  const auto newer = x.subspan(n1);
  // U of the newer half: pairs (older, newer) where the newer value is larger, ties counting 1/2.
  double u = 0;
  for (double a : older) {
    for (double b : newer) u += b > a ? 1.0 : b == a ? 0.5 : 0.0;
  }
  const double m = static_cast<double>(n1);
  const double k = static_cast<double>(newer.size());
  const double total = m + k;
  const double ties = over_ties(x, [](double t) { return t * t * t - t; });
  const double variance = m * k / 12 * ((total + 1) - ties / (total * (total - 1)));
  if (!(variance > 0)) return 1;
  const double distance = std::max(0.0, std::abs(u - m * k / 2) - 0.5);
  return two_sided_p(distance / std::sqrt(variance));
}

SteadyVerdict steady_state(std::span<const double> window) {
  SteadyVerdict verdict;
  if (window.size() < static_cast<std::size_t>(kSteadyWindow)) return verdict;
  verdict.trend_p = mann_kendall_p(window);
  verdict.shift_p = level_shift_p(window);
  verdict.steady = verdict.trend_p >= kSteadyAlpha && verdict.shift_p >= kSteadyAlpha;
  return verdict;
}

bool WarmUpRule::steady_after(Nanos latency) {
  latencies_ms_.push_back(to_ms(latency));
  if (latencies_ms_.size() < static_cast<std::size_t>(kSteadyWindow)) return false;
  verdict_ = steady_state(std::span<const double>(latencies_ms_).last(kSteadyWindow));
  return verdict_.steady;
}

std::optional<double> throughput_half_width(std::span<const double> samples_ms) {
  const auto n = static_cast<double>(samples_ms.size());
  if (samples_ms.size() < 2) return std::nullopt;
  const double mean = std::accumulate(samples_ms.begin(), samples_ms.end(), 0.0) / n;
  if (!(mean > 0)) return std::nullopt;
  double squares = 0;
  for (double v : samples_ms) squares += (v - mean) * (v - mean);
  const double sd = std::sqrt(squares / (n - 1));
  const std::vector<double> ordered(samples_ms.begin(), samples_ms.end());
  return 1.959963984540054 * sd / (mean * std::sqrt(effective_sample_size(ordered)));
}

PrecisionReached precision_of(std::span<const double> samples_ms) {
  PrecisionReached reached;
  if (samples_ms.empty()) return reached;
  const std::vector<double> ordered(samples_ms.begin(), samples_ms.end());
  std::vector<double> sorted = ordered;
  std::sort(sorted.begin(), sorted.end());
  const double effective = effective_sample_size(ordered);
  const auto relative = [&](double q) -> std::optional<double> {
    const double estimate = percentile(sorted, q * 100);
    const QuantileInterval interval = quantile_interval(sorted, q, 0.95, effective);
    if (!interval.lo || !interval.hi || !(estimate > 0)) return std::nullopt;
    return std::max(estimate - *interval.lo, *interval.hi - estimate) / estimate;
  };
  reached.p50 = relative(0.50);
  reached.p99 = relative(0.99);
  reached.throughput = throughput_half_width(samples_ms);
  return reached;
}

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::None: return "";
    case StopReason::Precision: return "precision";
    case StopReason::Window: return "max-window";
  }
  return "";
}

bool PrecisionRule::met(const PrecisionReached& reached) const {
  const auto within = [](const std::optional<double>& value, double target) { return value && *value <= target; };
  if (targets_.throughput) return within(reached.throughput, targets_.p50);
  return within(reached.p50, targets_.p50) && within(reached.p99, targets_.p99);
}

bool PrecisionRule::enough(const std::vector<Nanos>& samples, Nanos window) {
  const std::size_t n = samples.size();
  if (n < static_cast<std::size_t>(targets_.min_samples)) return false;
  const bool at_cap = seconds(window) >= targets_.max_window_s;
  // No target to meet (instances, which all measure for --max-window alike): the cap alone. The
  // statistics would cost time inside the window and could "meet" a zero target on samples that
  // are all alike.
  if (targets_.p50 <= 0 && targets_.p99 <= 0) {
    if (!at_cap) return false;
    reason_ = StopReason::Window;
    return true;
  }
  if (n < next_check_ && !at_cap) return false;
  next_check_ = std::max(n + 1, static_cast<std::size_t>(std::ceil(static_cast<double>(n) * kCheckGrowth)));
  std::vector<double> ms;
  ms.reserve(n);
  for (Nanos s : samples) ms.push_back(to_ms(s));
  // A throughput row stops on the mean's interval alone: one pass, no sort of the samples, so a
  // look costs an async window (where requests complete during it) as little as it can.
  if (targets_.throughput) {
    reached_ = PrecisionReached{};
    reached_.throughput = throughput_half_width(ms);
  } else {
    reached_ = precision_of(ms);
  }
  if (met(reached_)) {
    reason_ = StopReason::Precision;
    return true;
  }
  if (at_cap) {
    reason_ = StopReason::Window;
    return true;
  }
  return false;
}

std::string describe_precision(const PrecisionReached& reached, const PrecisionTargets& targets) {
  const auto one = [](const char* what, const std::optional<double>& value, double target) {
    return std::string(what) + " " + (value ? "+/-" + percent(*value) : "unbounded") + " (target +/-" +
           percent(target) + ")";
  };
  if (targets.throughput) return one("throughput", reached.throughput, targets.p50);
  return one("P50", reached.p50, targets.p50) + ", " + one("P99", reached.p99, targets.p99);
}

}  // namespace inferbench
