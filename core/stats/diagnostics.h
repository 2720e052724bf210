// SPDX-License-Identifier: Apache-2.0
// Judgements on a measurement: each problem becomes a warning in the row naming a remedy.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result/row.h"

namespace inferbench {

// Thresholds, documented in docs/metrics.md.
inline constexpr double kHighCv = 0.10;           // CV above this is called unstable
inline constexpr double kDriftRatio = 0.10;       // last vs first quarter medians
inline constexpr int kTailSamplesWanted = 10;     // samples beyond a percentile to trust it
inline constexpr double kOutlierMads = 5.0;       // outlier: beyond median + 5 scaled MADs
inline constexpr double kOutlierShare = 0.02;     // warn when more than 2% are outliers

struct MeasurementContext {
  int iterations_requested = 0;
  bool budget_exhausted = false;
  std::string build_type;                // "Release" expected
  std::optional<std::string> governor;   // CPU frequency governor, when readable
};

// `samples_ms` in measurement order. Returns the warnings (possibly none).
std::vector<std::string> diagnose(const std::vector<double>& samples_ms,
                                  const LatencySummary& summary,
                                  const MeasurementContext& context);

}  // namespace inferbench
