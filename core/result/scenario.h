// SPDX-License-Identifier: Apache-2.0
// The scenarios a cell can be measured in, in one place: the closed loops of the study (sync,
// async) and MLPerf LoadGen's four (docs/metrics.md, "Serving scenarios").
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace inferbench {

// sync: one request at a time, synchronised after each (the study's latency protocol);
// async: several requests in flight, each resubmitted as soon as it completes (throughput mode).
inline constexpr std::array<std::string_view, 2> kClosedLoopScenarios = {"sync", "async"};
// LoadGen's scenarios, driven by MLPerf LoadGen with the worker as its system under test:
// single-stream (one sample per query, the next after completion), multi-stream (eight samples
// per query, the next after completion), server (single samples arriving at random at a target
// rate, judged against a latency bound), offline (every sample in one query: throughput).
inline constexpr std::array<std::string_view, 4> kLoadgenScenarios = {"single-stream", "multi-stream", "server",
                                                                      "offline"};

inline bool is_loadgen_scenario(std::string_view scenario) {
  return std::find(kLoadgenScenarios.begin(), kLoadgenScenarios.end(), scenario) != kLoadgenScenarios.end();
}

inline bool is_known_scenario(std::string_view scenario) {
  return is_loadgen_scenario(scenario) ||
         std::find(kClosedLoopScenarios.begin(), kClosedLoopScenarios.end(), scenario) != kClosedLoopScenarios.end();
}

// The server search (docs/metrics.md, "Serving scenarios") stops when its highest VALID and lowest
// INVALID rates are this close, relatively: a search's rate is known to this precision.
inline constexpr double kServerSearchPrecision = 0.05;

// Whether the scenario keeps several requests in flight (so that --requests applies): async and
// LoadGen's multi-stream, server and offline; sync and single-stream run one at a time.
inline bool has_requests_in_flight(std::string_view scenario) {
  return scenario == "async" || scenario == "multi-stream" || scenario == "server" || scenario == "offline";
}

}  // namespace inferbench
