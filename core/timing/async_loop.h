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
  reserve_samples(spec, result);
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
  auto window_start = Clock::now();
  auto last_done = window_start;  // the last completion the timed window recorded

  // Runs up to `count` requests through the pipeline; records latencies when `timed`. It stops
  // early at the deadline or when the adaptive protocol's rule says so (spec.warmed_up in warm-up,
  // spec.enough in the timed window), and is drained at the end either way, without recording
  // what was still in flight, so warm-up and timed windows do not overlap.
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
      const Nanos latency = done - started[static_cast<size_t>(s)];
      bool stop = false;
      if (timed) {
        result.samples.push_back(latency);
        last_done = done;
        if (spec.enough && spec.enough(result.samples, done - window_start)) stop = result.enough = true;
      } else if (spec.warmed_up && spec.warmed_up(latency)) {
        stop = result.warmed_up = true;
      }
      ++completed;
      if (!stop && done >= next_report && completed < count) {
        report_progress(progress, phase, offset + completed, total);
        next_report = next_progress_report(progress, Clock::now());
      }
      if (stop || done >= deadline) {
        // Drain what is in flight without recording it, then stop.
        for (int k = completed; k < submitted; ++k) {
          if (!wait(k % depth)) return index + k;
        }
        if (timed) result.drained = submitted - completed;
        result.budget_exhausted = !stop && completed < count;
        index += completed;
        return -1;
      }
      if (submitted < count) {
        if (timed && result.samples.size() == result.samples.capacity()) {
          result.samples.reserve(2 * result.samples.capacity() + 1);
        }
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
  window_start = Clock::now();
  last_done = window_start;
  result.failed_at = pipeline(spec.iterations, true);
  // The window closes at its last recorded completion: requests drained after it are not samples.
  result.window_start = window_start;
  result.window_end = last_done;
  result.wall = result.window_end - window_start;
  report_progress(progress, LoopPhase::Measure, static_cast<int>(result.samples.size()),
                  spec.iterations);
  return result;
}

}  // namespace inferbench
