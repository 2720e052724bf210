// SPDX-License-Identifier: Apache-2.0
// The server search's decisions (docs/metrics.md, "Serving scenarios"), apart from LoadGen so that
// each one can be checked on its own: the first rate, and after each test the next rate or why
// the search is over.
//
// Up by 1.25x from 0.8 x the warm-up capacity until a test is INVALID (or down by half until one
// is VALID), then bisection (geometric mean) until the highest VALID and the lowest INVALID rate
// are within kServerSearchPrecision. Going down, a sample that misses the bound has mostly waited
// for a busy request slot (a batch of a fixed-shape model costs the same however full it is, so a
// slot is busy most of the time well below the capacity), and a lower rate makes that rarer. What
// a lower rate cannot help is a batch that runs over the bound by itself: when, at a light load,
// more of the batches than the percentile allows took longer than the bound to compute before any
// wait, the search stops with no VALID rate. Otherwise it goes down until the time budget runs out.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace inferbench {

// At or below this fraction of the warm-up capacity a server test is lightly loaded: one whose
// batches ran over the bound there ends a search that has found no VALID rate.
inline constexpr double kLightLoad = 0.25;

// The share of `batch_ms` (each batch's own computation, no wait in the queue) over `bound_ms`;
// 0 when there is none.
double share_over(const std::vector<double>& batch_ms, double bound_ms);

class ServerSearch {
 public:
  // What the search needs of a finished test.
  struct Test {
    double qps = 0;                     // the offered rate
    bool valid = false;                 // LoadGen's verdict
    std::optional<double> latency_ms;   // LoadGen's latency at the percentile
    double batches_over_bound = 0;      // share_over() of its batches
  };

  ServerSearch(double capacity, double bound_ms, double percentile);

  double first() const { return first_; }
  // After a test at the rate asked for: the next rate, or nothing when the search is over
  // (outcome() says why).
  std::optional<double> next(const Test& test);
  // The search cannot run a test at `qps` within the time left: it is over.
  void out_of_time(double qps);

  // How it ended, for serving.search: "bracketed: ...", "no rate found VALID: ...", "stopped by
  // --max-seconds ...".
  const std::string& outcome() const { return outcome_; }
  // It found no VALID rate and stopped for want of time (a longer budget would test lower rates).
  bool out_of_time_without_valid() const { return out_of_time_ && !valid_at_; }
  std::optional<double> highest_valid() const { return valid_at_; }

 private:
  double capacity_;
  double bound_ms_;
  double percentile_;
  double first_;
  std::optional<double> valid_at_, invalid_at_;
  std::optional<double> lowest_invalid_latency_ms_;
  bool out_of_time_ = false;
  std::string outcome_;
};

}  // namespace inferbench
