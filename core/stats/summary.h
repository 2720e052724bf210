// SPDX-License-Identifier: Apache-2.0
// The latency summary: a list of named statistics over one sample vector.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/result/row.h"

namespace inferbench {

// One named statistic computed from the ascending-sorted samples.
struct Statistic {
  std::string_view name;  // the JSON key in latency_ms
  double (*compute)(std::span<const double> sorted);
  double LatencySummary::*field;
};

// Every statistic in latency_ms, in output order. Adding one is adding an entry here.
std::span<const Statistic> latency_statistics();

// Computes the summary of non-empty `samples` (any order), in their unit.
LatencySummary summarize(std::vector<double> samples);

}  // namespace inferbench
