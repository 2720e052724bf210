// SPDX-License-Identifier: Apache-2.0
// The throughput protocol ("async" scenario): several inference requests in flight, each
// resubmitted as soon as it completes, requests waited for in submission order. Per-request
// latency (submission to completion, queueing included) is sampled for every timed request;
// throughput is completed requests over the wall time of the timed window.
#pragma once

#include <algorithm>
#include <vector>

#include "core/timing/measure_loop.h"

namespace inferbench {

// `start(slot)` submits one inference on request slot `slot`, `wait(slot)` blocks until it is
// done; both return false on failure. `slots` >= 1 requests are kept in flight.
// LoopResult fields: first_inference (one request alone, before the pipeline fills),
// warmup_done (requests completed before the timed window, the first included), samples
// (per-request latencies of the timed window, in completion order), wall (timed window from
// the first timed submission to the last completion), failed_at (request index that failed).
// Progress (`progress`, may be null) is reported as in measure_loop, between a completion and the
// resubmission of its slot; the other requests stay in flight meanwhile, so a report costs
// that one slot a few microseconds once per interval.
template <typename Start, typename Wait>
LoopResult measure_async_loop(const LoopSpec& spec, int slots, Start&& start, Wait&& wait,
                              const LoopProgress* progress = nullptr) {
  LoopResult result;
  result.samples.reserve(static_cast<size_t>(spec.iterations > 0 ? spec.iterations : 0));
  const auto deadline = Clock::now() + spec.budget;
  std::vector<Clock::time_point> started(static_cast<size_t>(slots));

  report_progress(progress, LoopPhase::WarmUp, 0, spec.warmup);
  auto t0 = Clock::now();
  if (!start(0) || !wait(0)) {
    result.failed_at = 0;
    return result;
  }
  result.first_inference = Clock::now() - t0;
  result.warmup_done = 1;
  int index = 1;

  // Runs `count` requests through the pipeline; records latencies when `timed`. The pipeline
  // is drained at the end, so warm-up and timed windows do not overlap.
  auto pipeline = [&](int count, bool timed) {
    const LoopPhase phase = timed ? LoopPhase::Measure : LoopPhase::WarmUp;
    // Warm-up counts the first inference, which ran before the pipeline.
    const int offset = timed ? 0 : 1;
    const int total = timed ? spec.iterations : spec.warmup;
    auto next_report = next_progress_report(progress, Clock::now());
    int submitted = 0, completed = 0;
    const int depth = std::min(slots, count);
    for (int s = 0; s < depth; ++s, ++submitted) {
      started[static_cast<size_t>(s)] = Clock::now();
      if (!start(s)) return index + submitted;
    }
    while (completed < count) {
      const int s = completed % depth;
      if (!wait(s)) return index + completed;
      const auto done = Clock::now();
      if (timed) result.samples.push_back(done - started[static_cast<size_t>(s)]);
      ++completed;
      if (done >= next_report && completed < count) {
        report_progress(progress, phase, offset + completed, total);
        next_report = next_progress_report(progress, Clock::now());
      }
      if (done >= deadline) {
        // Drain what is in flight without recording it, then stop.
        for (int k = completed; k < submitted; ++k) {
          if (!wait(k % depth)) return index + k;
        }
        result.budget_exhausted = completed < count;
        index += completed;
        return -1;
      }
      if (submitted < count) {
        started[static_cast<size_t>(s)] = Clock::now();
        if (!start(s)) return index + submitted;
        ++submitted;
      }
    }
    index += completed;
    return -1;
  };

  if (spec.warmup > 1) {
    const int before = index;
    result.failed_at = pipeline(spec.warmup - 1, false);
    result.warmup_done += index - before;
    if (result.failed_at >= 0) return result;
  }
  if (result.budget_exhausted) {
    // The budget ran out during warm-up: one timed request still gives the row data.
    result.budget_exhausted = false;
  }
  if (!pass_gate(spec, result)) return result;
  report_progress(progress, LoopPhase::Measure, 0, spec.iterations);
  const auto window_start = Clock::now();
  result.failed_at = pipeline(spec.iterations, true);
  result.window_start = window_start;
  result.window_end = Clock::now();
  result.wall = result.window_end - window_start;
  report_progress(progress, LoopPhase::Measure, static_cast<int>(result.samples.size()),
                  spec.iterations);
  return result;
}

}  // namespace inferbench
