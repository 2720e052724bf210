// SPDX-License-Identifier: Apache-2.0
// The backend-neutral measurement protocol: first inference, warm-up, then a timed loop of
// at least one and at most `iterations` iterations bounded by a deadline. Every framework is
// timed by this code; nothing slow happens inside the loop (samples are preallocated).
#pragma once

#include <cstdint>
#include <vector>

#include "core/timing/clock.h"

namespace inferbench {

struct LoopSpec {
  int warmup = 50;       // warm-up iterations; the first inference counts as one of them
  int iterations = 100;  // timed iterations wanted
  Nanos budget = std::chrono::seconds(600);  // warm-up + timed loop stop at this budget
};

struct LoopResult {
  Nanos first_inference{0};      // first iteration after prepare, timed on its own
  int warmup_done = 0;           // including the first inference
  std::vector<Nanos> samples;    // one per timed iteration, in order
  Nanos wall{0};                 // wall time of the timed window (first start to last end)
  bool budget_exhausted = false; // the deadline cut the warm-up or the timed loop short
  int failed_at = -1;            // iteration index (0 = first inference) whose call failed
};

// Runs the protocol. `iteration` is one inference including device completion (run + sync)
// and returns false on failure, which ends the loop (failed_at says where).
template <typename Iteration>
LoopResult measure_loop(const LoopSpec& spec, Iteration&& iteration) {
  LoopResult result;
  result.samples.reserve(static_cast<size_t>(spec.iterations > 0 ? spec.iterations : 0));
  const auto deadline = Clock::now() + spec.budget;

  auto t0 = Clock::now();
  if (!iteration()) {
    result.failed_at = 0;
    return result;
  }
  auto t1 = Clock::now();
  result.first_inference = t1 - t0;
  result.warmup_done = 1;

  int index = 1;
  for (; result.warmup_done < spec.warmup; ++result.warmup_done, ++index) {
    if (Clock::now() >= deadline) {
      result.budget_exhausted = true;
      break;
    }
    if (!iteration()) {
      result.failed_at = index;
      return result;
    }
  }

  const auto window_start = Clock::now();
  auto start = window_start;
  for (int i = 0; i < spec.iterations; ++i, ++index) {
    if (!iteration()) {
      result.failed_at = index;
      break;
    }
    const auto end = Clock::now();
    result.samples.push_back(end - start);
    // The deadline is checked after at least one timed sample, so every row has data.
    if (end >= deadline && i + 1 < spec.iterations) {
      result.budget_exhausted = true;
      start = end;
      break;
    }
    start = end;
  }
  result.wall = start - window_start;
  return result;
}

}  // namespace inferbench
