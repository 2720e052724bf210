// SPDX-License-Identifier: Apache-2.0
// Judgements on a measurement: each problem becomes a warning in the row naming a remedy.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result/row.h"

namespace inferbench {

// Thresholds, documented in docs/metrics.md.
inline constexpr double kHighCv = 0.10;           // CV above this is called unstable
inline constexpr double kDriftRatio = 0.10;       // last vs first quarter medians
inline constexpr int kTailSamplesWanted = 10;     // samples beyond a percentile to trust it
inline constexpr double kOutlierMads = 5.0;       // outlier: beyond median + 5 scaled MADs
inline constexpr double kOutlierShare = 0.02;     // warn when more than 2% are outliers
inline constexpr int kMinCorrelationSamples = 20;  // fewer: no autocorrelation is computed
inline constexpr double kCorrelated = 0.5;        // lag-1 autocorrelation above this is called correlated

struct MeasurementContext {
  int iterations_requested = 0;
  bool budget_exhausted = false;
  std::string build_type;                // "Release" expected
  std::optional<std::string> governor;   // CPU frequency governor, when readable
  bool adaptive = false;                 // --protocol adaptive: remedies name its flags
  // The deadline ended the warm-up (study protocol): the warm-up iterations done and asked for.
  std::optional<std::pair<int, int>> warmup_cut = std::nullopt;
};

// Lag-1 autocorrelation of `samples` in measurement order: sum of (x[i] - mean)(x[i+1] - mean)
// over sum of (x[i] - mean)^2. Empty below kMinCorrelationSamples samples or when all are equal.
std::optional<double> lag1_autocorrelation(const std::vector<double>& samples);

// The number of independent samples worth as much as `samples` (in measurement order):
// n (1 - r) / (1 + r) with r their lag-1 autocorrelation when r > 0 (a first-order autoregressive
// model), n otherwise, and n when r cannot be computed (fewer than kMinCorrelationSamples). The
// confidence intervals are computed for this many samples (docs/metrics.md).
double effective_sample_size(const std::vector<double>& samples);

// `samples_ms` in measurement order. Returns the warnings (possibly none).
std::vector<std::string> diagnose(const std::vector<double>& samples_ms,
                                  const LatencySummary& summary,
                                  const MeasurementContext& context);

}  // namespace inferbench
