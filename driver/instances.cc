// SPDX-License-Identifier: Apache-2.0
// Merging the rows of a cell's instances.
#include "driver/instances.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/stats/timed_window.h"
#include "core/support/check.h"
#include "driver/merge_support.h"

namespace inferbench {
namespace {

std::string instance_label(std::size_t k, std::size_t n) {
  return "instance " + std::to_string(k) + " of " + std::to_string(n);
}

// The largest of the instances' values of `field`, or none when an instance has none.
std::optional<double> longest(const std::vector<Row>& rows, std::optional<double> Row::*field) {
  std::optional<double> result;
  for (const Row& row : rows) {
    if (!(row.*field)) return std::nullopt;
    result = std::max(result.value_or(*(row.*field)), *(row.*field));
  }
  return result;
}

// The sum of the instances' values of `field`, or none when no instance has one.
std::optional<double> total(const std::vector<Row>& rows, std::optional<double> Row::*field) {
  std::optional<double> result;
  for (const Row& row : rows) {
    if (row.*field) result = result.value_or(0.0) + *(row.*field);
  }
  return result;
}

// The instances' windows on the steady clock, [first open, last close] and how far apart they
// opened, ms; empty when an instance did not say.
struct CommonWindow {
  double wall_ms = 0;
  double start_spread_ms = 0;
};
std::optional<CommonWindow> common_window(const std::vector<Row>& rows) {
  long long first_start = 0, last_start = 0, last_end = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    auto start = rows[k].effective.find(kWindowStartNs);
    auto end = rows[k].effective.find(kWindowEndNs);
    if (start == rows[k].effective.end() || end == rows[k].effective.end()) return std::nullopt;
    long long s = 0, e = 0;
    try {
      s = std::stoll(start->second);
      e = std::stoll(end->second);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    first_start = k == 0 ? s : std::min(first_start, s);
    last_start = k == 0 ? s : std::max(last_start, s);
    last_end = k == 0 ? e : std::max(last_end, e);
  }
  return CommonWindow{static_cast<double>(last_end - first_start) / 1e6,
                      static_cast<double>(last_start - first_start) / 1e6};
}

// The warning for CPU instances that kept `used` CPUs busy together, fewer than their threads
// could have: they waited for each other's cores.
std::optional<std::string> contention_warning(const std::vector<Row>& rows, double used, int usable_cpus) {
  if (rows.front().device != "cpu") return std::nullopt;
  int threads = 0;
  for (const Row& row : rows) {
    const std::optional<int> row_threads = effective_threads_total(row);  // every request's
    if (!row_threads) return std::nullopt;
    threads += *row_threads;
  }
  const int available = std::min(threads, usable_cpus);
  if (used >= kInstancesBusyShare * available) return std::nullopt;
  char text[512];
  std::snprintf(text, sizeof text,
                "the %zu instances kept %.2f CPUs busy of the %d their %d threads could use: they "
                "waited for each other's cores. A framework that pins its threads pins every "
                "instance to the same cores (OpenVINO does by default on Linux: --backend-option "
                "openvino:cpu_pinning=off)",
                rows.size(), used, available, threads);
  return std::string(text);
}

}  // namespace

Row merge_instances(std::vector<Row> rows, MeasurementContext context, int usable_cpus) {
  IB_CHECK(!rows.empty()) << "no instance rows";
  const std::size_t n = rows.size();
  const auto not_ok = [](const Row& row) { return row.status != RowStatus::Ok; };
  if (std::any_of(rows.begin(), rows.end(), not_ok)) {
    // The instance that failed by itself, not one stopped because of it.
    auto culprit = std::find_if(rows.begin(), rows.end(), [&](const Row& row) {
      return not_ok(row) && row.error.find("because another instance failed") == std::string::npos;
    });
    if (culprit == rows.end()) culprit = std::find_if(rows.begin(), rows.end(), not_ok);
    Row failed = *culprit;
    failed.error = instance_label(static_cast<std::size_t>(culprit - rows.begin()), n) + ": " + culprit->error;
    failed.peak_rss_mb = total(rows, &Row::peak_rss_mb);
    failed.instances = static_cast<int>(n);
    return failed;
  }

  Row merged = rows.front();
  merged.instances = static_cast<int>(n);
  JoinedSamples joined = join_samples(rows);
  merged.device_time_samples_ms = std::move(joined.device_time_ms);
  if (merged.device_time_samples_ms.empty()) merged.device_time_ms.reset();
  double wall_ms = 0;
  for (const Row& row : rows) wall_ms = std::max(wall_ms, row.wall_ms.value_or(0.0));
  // The common window: from the first instance's window opening to the last one's closing (the
  // longest single window when the instances did not say when theirs were).
  const std::optional<CommonWindow> window = common_window(rows);
  merged.effective.erase(kWindowStartNs);
  merged.effective.erase(kWindowEndNs);
  // On the wall clock likewise: the first window's opening to the last one's closing (ISO 8601
  // strings of one format order as their times do).
  for (const Row& row : rows) {
    if (!row.window_started_at.empty() && row.window_started_at < merged.window_started_at) {
      merged.window_started_at = row.window_started_at;
    }
    merged.window_finished_at = std::max(merged.window_finished_at, row.window_finished_at);
  }
  if (window) {
    wall_ms = std::max(wall_ms, window->wall_ms);
    char spread[32];
    std::snprintf(spread, sizeof spread, "%.3f", window->start_spread_ms);
    merged.effective[kInstancesStartSpread] = spread;
  }
  set_timed_window(merged, std::move(joined.latency_ms), wall_ms, /*overlap=*/true);
  merged.compile_ms = longest(rows, &Row::compile_ms);
  merged.first_inference_ms = longest(rows, &Row::first_inference_ms);
  merged.peak_rss_mb = total(rows, &Row::peak_rss_mb);
  merged.peak_device_memory_mb = total(rows, &Row::peak_device_memory_mb);
  merged.energy = instances_energy(rows);

  context.budget_exhausted = stopped_at_budget(rows, merged.samples, context.iterations_requested, context.adaptive);
  merged.warnings = diagnose(merged.latency_samples_ms, *merged.latency_ms, context);
  // The CPUs all instances kept busy together; empty when an instance did not say.
  if (const std::optional<double> used = summed_cpus_used(rows)) {
    if (auto waited = contention_warning(rows, *used, usable_cpus)) merged.warnings.push_back(*waited);
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", *used);
    merged.effective[kCpusUsed] = text;  // every instance's together
  }
  std::vector<std::vector<std::string>> warnings;
  for (const Row& row : rows) warnings.push_back(row.warnings);
  add_member_warnings(merged.warnings, warnings, [n](std::size_t k) { return instance_label(k, n); });
  return merged;
}

}  // namespace inferbench
