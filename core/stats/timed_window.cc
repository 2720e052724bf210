// SPDX-License-Identifier: Apache-2.0
// Timed-window statistics of a row.
#include "core/stats/timed_window.h"

#include <algorithm>

#include "core/stats/diagnostics.h"
#include "core/stats/percentile.h"
#include "core/stats/summary.h"

namespace inferbench {

void set_timed_window(Row& row, std::vector<double> samples_ms, double wall_ms, bool overlap) {
  row.samples = static_cast<int>(samples_ms.size());
  row.latency_samples_ms = std::move(samples_ms);
  const LatencySummary summary = summarize(row.latency_samples_ms);
  row.latency_ms = summary;
  if (!row.device_time_samples_ms.empty()) row.device_time_ms = summarize(row.device_time_samples_ms);
  std::vector<double> sorted = row.latency_samples_ms;
  std::sort(sorted.begin(), sorted.end());
  const double effective_samples = effective_sample_size(row.latency_samples_ms);
  row.p50_ci_ms = quantile_interval(sorted, 0.50, 0.95, effective_samples);
  row.p99_ci_ms = quantile_interval(sorted, 0.99, 0.95, effective_samples);
  row.wall_ms = wall_ms;
  row.throughput.reset();
  if (wall_ms > 0) row.throughput = static_cast<double>(row.batch) * row.samples / (wall_ms / 1000.0);
  row.fps = overlap ? row.throughput.value_or(0.0) : row.batch / (summary.p50 / 1000.0);
  row.p99_over_p50 = summary.p99 / summary.p50;
  row.lag1_autocorrelation = lag1_autocorrelation(row.latency_samples_ms);
}

}  // namespace inferbench
