// SPDX-License-Identifier: Apache-2.0
// Merging the rows of a cell's rounds.
#include "driver/rounds.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/stats/percentile.h"
#include "core/stats/timed_window.h"
#include "core/support/check.h"
#include "driver/merge_support.h"

namespace inferbench {
namespace {

std::string round_label(std::size_t k, std::size_t n) {
  return "round " + std::to_string(k + 1) + " of " + std::to_string(n);
}

// The median of the rounds' values of `field`, or none when a round has none.
std::optional<double> median_of(const std::vector<Row>& rows, std::optional<double> Row::*field) {
  std::vector<double> values;
  for (const Row& row : rows) {
    if (!(row.*field)) return std::nullopt;
    values.push_back(*(row.*field));
  }
  std::sort(values.begin(), values.end());
  return percentile(values, 50);
}

// The largest of the rounds' values of `field`, or none when no round has one.
std::optional<double> largest(const std::vector<Row>& rows, std::optional<double> Row::*field) {
  std::optional<double> result;
  for (const Row& row : rows) {
    if (row.*field) result = std::max(result.value_or(*(row.*field)), *(row.*field));
  }
  return result;
}

}  // namespace

Row merge_rounds(std::vector<Row> rows, MeasurementContext context) {
  IB_CHECK(!rows.empty()) << "no round rows";
  const std::size_t n = rows.size();
  for (std::size_t k = 0; k < n; ++k) {
    if (rows[k].status == RowStatus::Ok) continue;
    Row failed = rows[k];
    failed.error = round_label(k, n) + ": " + failed.error;
    return failed;
  }

  Row merged = rows.front();
  // The rounds' windows had other cells between them: the merged row has no one timed window.
  merged.window_started_at.clear();
  merged.window_finished_at.clear();
  JoinedSamples joined = join_samples(rows);
  merged.device_time_samples_ms = std::move(joined.device_time_ms);
  if (merged.device_time_samples_ms.empty()) merged.device_time_ms.reset();
  merged.round_throughput.clear();
  double wall_ms = 0;
  for (const Row& row : rows) {
    wall_ms += row.wall_ms.value_or(0.0);
    merged.round_throughput.push_back(row.throughput.value_or(0.0));
  }
  const bool overlap = merged.scenario == "async" || merged.instances > 1;
  set_timed_window(merged, std::move(joined.latency_ms), wall_ms, overlap);
  merged.compile_ms = median_of(rows, &Row::compile_ms);
  merged.cached_compile_ms = median_of(rows, &Row::cached_compile_ms);
  merged.first_inference_ms = median_of(rows, &Row::first_inference_ms);
  merged.peak_rss_mb = largest(rows, &Row::peak_rss_mb);
  merged.peak_device_memory_mb = largest(rows, &Row::peak_device_memory_mb);
  merged.energy = rounds_energy(rows, [n](std::size_t k) { return round_label(k, n); });
  merge_adaptive_record(rows, merged);
  // The mean of the rounds' effective.cpus_used, or none when a round did not say.
  if (const std::optional<double> summed = summed_cpus_used(rows)) {
    const double used = *summed / static_cast<double>(n);
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", used);
    merged.effective[kCpusUsed] = text;
  }

  context.budget_exhausted = stopped_at_budget(rows, merged.samples, context.iterations_requested, context.adaptive);
  merged.warnings = diagnose(merged.latency_samples_ms, *merged.latency_ms, context);
  const auto [slowest, fastest] = std::minmax_element(merged.round_throughput.begin(), merged.round_throughput.end());
  if (*slowest > 0 && *fastest / *slowest - 1 > kRoundsDriftWarning) {
    char text[320];
    std::snprintf(text, sizeof text,
                  "the rounds' throughputs range from %.2f to %.2f inputs/s (%.0f%% apart): the "
                  "machine's speed drifted between rounds; compare rows round by round "
                  "(round_throughput) and close other programs",
                  *slowest, *fastest, (*fastest / *slowest - 1) * 100);
    merged.warnings.push_back(text);
  }
  // A round's judgements of its own samples are superseded by those of all the samples above.
  std::vector<std::vector<std::string>> own_warnings(n);
  for (std::size_t k = 0; k < n; ++k) {
    MeasurementContext round_context = context;
    round_context.iterations_requested = context.iterations_requested / static_cast<int>(n);
    round_context.budget_exhausted =
        stopped_at_budget({rows[k]}, rows[k].samples, round_context.iterations_requested, context.adaptive);
    const std::vector<std::string> judged =
        rows[k].latency_ms ? diagnose(rows[k].latency_samples_ms, *rows[k].latency_ms, round_context)
                           : std::vector<std::string>{};
    for (const std::string& warning : rows[k].warnings) {
      if (std::find(judged.begin(), judged.end(), warning) == judged.end()) own_warnings[k].push_back(warning);
    }
  }
  add_member_warnings(merged.warnings, own_warnings, [n](std::size_t k) { return round_label(k, n); });
  return merged;
}

std::string rounds_so_far_warning(int measured, int requested) {
  return "measured in " + std::to_string(measured) + " of the " + std::to_string(requested) +
         " rounds asked for: the run ended before the other rounds of this row; its throughput "
         "interval and round-by-round ranks cover only these";
}

}  // namespace inferbench
