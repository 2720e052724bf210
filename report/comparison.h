// SPDX-License-Identifier: Apache-2.0
// Two runs side by side (`inferbench report RUN_A RUN_B`): rows matched by configuration, the
// change in P50 and throughput per row, and whether the change exceeds the confidence intervals
// (of the P50 for sync rows of one process, of the throughput where FPS is the throughput). Rows found in only one run are listed, never dropped.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result/row.h"

namespace inferbench::report {

// What two confidence intervals say about a change.
enum class Significance {
  Significant,      // the 95% intervals do not overlap: the change is beyond the noise
  WithinIntervals,  // they overlap: the change may be noise
  NoInterval,       // a side of either interval is missing (too few independent samples)
};

// One configuration measured in both runs.
struct RowChange {
  std::size_t base_row = 0;  // index into the base run's rows
  std::size_t head_row = 0;  // index into the head run's rows
  // Relative changes, head / base − 1 (−0.06 = 6% lower); empty unless both rows are ok with
  // the value.
  std::optional<double> p50_change;
  std::optional<double> throughput_change;
  std::optional<Significance> significance;  // empty unless both rows are ok
  // What `significance` compares: the P50 intervals (p50_ci_ms), or, for rows whose FPS is their
  // throughput (async rows, several instances), the throughput intervals (throughput_interval()).
  bool on_throughput = false;
  // Rows in one of LoadGen's scenarios (both with `serving`): their metric's change, head / base
  // − 1, and what it is judged against instead of intervals (LoadGen gives one value per test):
  // a server search's precision (kServerSearchPrecision), LoadGen's verdicts.
  std::optional<double> serving_change;
  std::string serving_verdict;
  // Inputs per joule (energy.samples_per_joule), head / base − 1; empty unless both rows are ok
  // with an energy number of one source, method and scope (docs/metrics.md, "Energy").
  std::optional<double> energy_change;
  // Why two ok rows that both have an energy number are not compared ("the scope changed: ..."),
  // empty otherwise.
  std::string energy_not_compared;
};

struct RunComparison {
  std::vector<RowChange> matched;      // in the head run's row order
  std::vector<std::size_t> only_base;  // rows of the base run with no partner
  std::vector<std::size_t> only_head;  // rows of the head run with no partner
};

// Rows match when backend, variant, device, precision, scenario, batch, model, requested
// thread count (`requested.threads`, "default" when absent), requested requests in flight,
// instances, for server rows the latency bound and percentile (a failed row's from what its cell
// asked for, `requested.latency_bound_ms` and `latency_percentile`), and the host (RowHost::name, for
// rows of a fleet run; none for a run on one machine) are equal: a row on host a never matches one
// on host b, and rows without a host match only rows without one. A configuration repeated within
// a run matches its partners in order.
RunComparison compare_runs(const RunResult& base, const RunResult& head);

// Whether the two P50 intervals (p50_ci_ms) are disjoint. Two 95% intervals that do not overlap
// are a conservative test: a difference can be real and still overlap.
Significance p50_significance(const Row& base, const Row& head);

// The same for the two rows' throughput_interval()s (report/guide.h).
Significance throughput_significance(const Row& base, const Row& head);

// Writes the comparison as an aligned plain-text table (`markdown` false) or as GitHub
// Markdown, each row named by row_title() and, when the two runs' rows were measured in more than
// one place (several hosts, or hosts and none), " on host <name>"; then, for rows scored against labels in both runs (accuracy), their top-1 accuracy
// and its change in points, and whether the two runs scored the same data; then the rows found
// in only one run. Ok rows with an energy number in both runs get a table of their inputs per
// joule and its change (or what changed in the reading, when it is not the same measurement).
void write_comparison(std::ostream& out, const RunResult& base, const RunResult& head,
                      const RunComparison& comparison, bool markdown);

}  // namespace inferbench::report
