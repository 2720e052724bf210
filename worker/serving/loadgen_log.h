// SPDX-License-Identifier: Apache-2.0
// What one LoadGen test said, read from its detail log (mlperf_log_detail.txt). StartTest returns
// nothing: LoadGen hands its verdict, its latencies and the settings it used to its log only, one
// `:::MLLOG {json}` line per key (the form MLCommons' own submission checker parses).
#pragma once

#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/support/status.h"

namespace inferbench {

struct LoadgenLog {
  // Each key's value; a key logged twice keeps its last value.
  std::map<std::string, nlohmann::json> values;
  // Entries LoadGen marked as errors ("key: value"), in order: a test with one is not to be
  // trusted whatever its verdict.
  std::vector<std::string> errors;

  // The value of `key` as a number (LoadGen logs numbers, and some counts as strings), text or
  // boolean; empty when the key is absent or of another kind.
  std::optional<double> number(const std::string& key) const;
  std::optional<std::string> text(const std::string& key) const;
  std::optional<bool> flag(const std::string& key) const;
};

// Parses a detail log's lines; lines that are not `:::MLLOG` JSON are skipped.
LoadgenLog parse_loadgen_log(std::istream& in);

// Reads `<dir>/mlperf_log_detail.txt`. An Io error when it is missing or holds no verdict
// (result_validity): LoadGen did not finish the test.
Result<LoadgenLog> read_loadgen_log(const std::filesystem::path& dir);

// LoadGen's key for the latency at `percentile` (0..100), "result_99.00_percentile_latency_ns"
// (per query: "result_99.00_percentile_per_query_latency_ns", which multi-stream logs), among the
// six percentiles it logs (50, 90, 95, 97, 99, 99.9); empty for another percentile.
std::optional<std::string> loadgen_percentile_key(double percentile, bool per_query = false);

}  // namespace inferbench
