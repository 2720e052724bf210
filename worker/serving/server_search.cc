// SPDX-License-Identifier: Apache-2.0
#include "worker/serving/server_search.h"

#include <algorithm>
#include <cmath>

#include "core/result/scenario.h"
#include "core/support/number_text.h"

namespace inferbench {

namespace {

// A server search starts at this fraction of the capacity measured in warm-up.
constexpr double kSearchStart = 0.8;
// Below the first INVALID rate, each step up multiplies the rate by this.
constexpr double kSearchStep = 1.25;

}  // namespace

double share_over(const std::vector<double>& batch_ms, double bound_ms) {
  if (batch_ms.empty()) return 0;
  const auto over = std::count_if(batch_ms.begin(), batch_ms.end(), [&](double ms) { return ms > bound_ms; });
  return static_cast<double>(over) / static_cast<double>(batch_ms.size());
}

ServerSearch::ServerSearch(double capacity, double bound_ms, double percentile)
    : capacity_(capacity), bound_ms_(bound_ms), percentile_(percentile), first_(std::max(0.01, kSearchStart * capacity)) {}

std::optional<double> ServerSearch::next(const Test& test) {
  if (test.valid) {
    if (!valid_at_ || test.qps > *valid_at_) valid_at_ = test.qps;
  } else if (!invalid_at_ || test.qps < *invalid_at_) {
    invalid_at_ = test.qps;
    lowest_invalid_latency_ms_ = test.latency_ms;
  }
  if (valid_at_ && invalid_at_ && *invalid_at_ <= *valid_at_ * (1 + kServerSearchPrecision)) {
    outcome_ = "bracketed: VALID at " + fixed_number(*valid_at_) + " QPS, INVALID at " + fixed_number(*invalid_at_) +
               " QPS (within " + fixed_number(kServerSearchPrecision * 100, 0) + "%)";
    return std::nullopt;
  }
  if (!invalid_at_) return test.qps * kSearchStep;
  if (valid_at_) return std::sqrt(*valid_at_ * *invalid_at_);
  // Nothing VALID yet: lower the rate, unless the batches themselves ran over the bound at a light
  // load, which no rate shortens.
  const double allowed = 1 - percentile_ / 100;
  if (test.qps <= kLightLoad * capacity_ && test.batches_over_bound > allowed) {
    outcome_ = "no rate found VALID: at " + fixed_number(test.qps, 2) + " QPS (" +
               fixed_number(100 * test.qps / capacity_, 0) + "% of the warm-up capacity)" +
               (test.latency_ms ? ", P" + fixed_number(percentile_) + " was " + fixed_number(*test.latency_ms) + " ms" : "") +
               ", and " + fixed_number(100 * test.batches_over_bound) + "% of its batches took longer than " +
               fixed_number(bound_ms_) + " ms to compute, before any wait in the queue (the percentile allows " +
               fixed_number(100 * allowed) + "%): a lower rate shortens the waits, not the batches";
    return std::nullopt;
  }
  return test.qps * 0.5;
}

void ServerSearch::out_of_time(double qps) {
  out_of_time_ = true;
  if (valid_at_ || !invalid_at_) {
    outcome_ = "stopped by --max-seconds before a test at " + fixed_number(qps) + " QPS";
    return;
  }
  outcome_ = "no rate found VALID down to " + fixed_number(*invalid_at_, 2) + " QPS, the lowest tried" +
             (lowest_invalid_latency_ms_
                  ? " (P" + fixed_number(percentile_) + " " + fixed_number(*lowest_invalid_latency_ms_) + " ms there)"
                  : "") +
             ": a test at " + fixed_number(qps, 2) + " QPS would not fit in what --max-seconds leaves";
}

}  // namespace inferbench
