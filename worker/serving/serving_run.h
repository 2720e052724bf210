// SPDX-License-Identifier: Apache-2.0
// One cell in one of LoadGen's scenarios (docs/metrics.md, "Serving scenarios"): warm-up on every
// request slot, then LoadGen's test (server: one at --target-qps, or the search for the highest
// rate judged VALID under --latency-bound), with a watchdog that ends a test whose batch never
// finishes. LoadGen is linked here, in the worker, and nowhere else.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/api/inferbench_backend.h"
#include "core/result/cell.h"
#include "core/result/row.h"
#include "core/result/scenario.h"
#include "core/support/status.h"

namespace inferbench {

// Up to this many queries of a server test may miss the latency bound and LoadGen's early
// stopping still pass it: each test runs the query count that allows it (1307 at P99).
inline constexpr int kServerMissesAllowed = 5;
// A batch that takes this many times the slowest warm-up batch (and at least kStallFloor) has
// hung, and the watchdog ends the cell.
inline constexpr double kStallFactor = 50;
inline constexpr double kStallFloorSeconds = 2;

// The fewest queries with which LoadGen's early stopping can judge a test at `percentile`
// (0 < P < 100) VALID when `misses` of them exceed the bound: LoadGen's own binomial rule
// (early_stopping.cc), asked directly.
std::int64_t early_stopping_queries(double percentile, int misses);

// The queries of one server test at `percentile` (early_stopping_queries with
// kServerMissesAllowed misses).
std::int64_t server_test_queries(double percentile);

// Checks what a server test needs against the cell's time budget, before anything runs: a
// --target-qps whose test (server_test_queries at that rate) cannot finish within --max-seconds
// is a Usage error saying so.
Status check_serving_request(const ServingSettings& settings, double max_seconds, bool server);

struct ServingHooks {
  // Progress for the driver's display (the worker's progress pipe); may be empty.
  std::function<void(std::string_view phase, int done, int total)> progress;
  // Called by the watchdog, on its own thread, when a request slot has hung: the row as far as it
  // was measured (every finished test kept), failed, with the reason. Must not return: it writes
  // the row and ends the process, since the hung call cannot be taken back.
  std::function<void(const Row&)> abandon;
};

// Measures `cell` on the prepared `backend` (its request slots) with LoadGen drawing from
// `samples` (`sample_values` floats each, described by `samples_description`). Fills the row's
// first_inference_ms, warmup, timed-window fields (the dispatcher's sample latencies of the
// reported test; offline: its batch service times), throughput, fps, effective.requests_in_flight
// and `serving`; warnings for an INVALID verdict or a search cut short. Returns an error when the
// cell cannot be measured (a failed request, a bound no inference can meet); the row then keeps
// the tests already run.
Status run_serving(const ib_backend_api& api, ib_backend* backend, const Cell& cell, std::vector<float> samples,
                   std::size_t sample_values, const std::string& samples_description, Row& row,
                   const ServingHooks& hooks);

}  // namespace inferbench
