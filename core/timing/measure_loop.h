// SPDX-License-Identifier: Apache-2.0
// The backend-neutral measurement protocol: first inference, warm-up, then a timed loop of
// at least one and at most `iterations` iterations bounded by a deadline. Every framework is
// timed by this code; nothing slow happens inside the loop (samples are preallocated).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/timing/clock.h"

namespace inferbench {

enum class LoopPhase { WarmUp, Measure };

// Where a loop is, for a live progress display. The loop calls `report` between iterations,
// never inside a timed sample: at the start of each phase (done = 0), then at most once per
// `interval`, detected by comparing the timestamp the loop already takes after each iteration
// with a deadline (one comparison per iteration), and once at the end of the timed loop. In
// the sync loop the time spent in `report` is excluded from the samples and from the timed
// window's wall time, so reporting does not change any measured number.
struct LoopProgress {
  std::function<void(LoopPhase phase, int done, int total)> report;
  Nanos interval = std::chrono::seconds(1);
};

struct LoopSpec {
  int warmup = 50;       // warm-up iterations; the first inference counts as one of them
  int iterations = 100;  // timed iterations wanted
  Nanos budget = std::chrono::seconds(600);  // warm-up + timed loop stop at this budget
  // When set, called once between the warm-up and the timed window (outside both): several
  // instances of a cell wait there for each other so that their timed windows start together.
  // Returning false ends the loop before the window with `gate_failed` set.
  std::function<bool()> before_timed;
  // The adaptive protocol (core/stats/adaptive.h), when set. `warmed_up` is given the latency of
  // each warm-up iteration after the first inference and ends warm-up by returning true
  // (`warmup` is then the ceiling). `enough` is given the timed samples so far and the window's
  // length so far after each sample and ends the window by returning true (`iterations` is then
  // the ceiling); the time it takes is left out of the samples and of the window's wall time.
  std::function<bool(Nanos latency)> warmed_up;
  std::function<bool(const std::vector<Nanos>& samples, Nanos window)> enough;
};

// Samples reserved before the timed window; a window that outgrows them (a ceiling far above what
// it reaches, as the adaptive protocol sets) grows the vector between two samples, outside both.
inline constexpr int kReservedSamples = 1 << 16;

// The next time a loop reports progress: never without a reporter.
inline Clock::time_point next_progress_report(const LoopProgress* progress, Clock::time_point now) {
  if (!progress || !progress->report) return Clock::time_point::max();
  return now + progress->interval;
}

inline void report_progress(const LoopProgress* progress, LoopPhase phase, int done, int total) {
  if (progress && progress->report) progress->report(phase, done, total);
}

struct LoopResult {
  Nanos first_inference{0};      // first iteration after prepare, timed on its own
  int warmup_done = 0;           // including the first inference
  std::vector<Nanos> samples;    // one per timed iteration, in order
  Nanos wall{0};                 // wall time of the timed window (first start to last end)
  // When the timed window opened and closed (steady clock: CLOCK_MONOTONIC on Linux, the same
  // in every process of the machine, so instances' windows can be laid side by side).
  Clock::time_point window_start{};
  Clock::time_point window_end{};
  bool budget_exhausted = false; // the deadline cut the warm-up or the timed loop short
  bool warmup_cut = false;       // ... the warm-up: the timed loop then ran one sample
  int failed_at = -1;            // iteration index (0 = first inference) whose call failed
  bool gate_failed = false;      // spec.before_timed returned false: no timed window
  bool warmed_up = false;        // spec.warmed_up ended the warm-up
  bool enough = false;           // spec.enough ended the timed window
  // Requests still in flight when the timed window ended early, run to completion after it and not
  // samples (measure_async_loop); the device did their work before the loop returned.
  int drained = 0;
};

inline void reserve_samples(const LoopSpec& spec, LoopResult& result) {
  result.samples.reserve(static_cast<size_t>(std::clamp(spec.iterations, 0, kReservedSamples)));
}

// Calls spec.before_timed when set; false when it refused (and marks `result`).
inline bool pass_gate(const LoopSpec& spec, LoopResult& result) {
  if (!spec.before_timed || spec.before_timed()) return true;
  result.gate_failed = true;
  return false;
}

// Runs the protocol. `iteration` is one inference including device completion (run + sync)
// and returns false on failure, which ends the loop (failed_at says where). `progress` (not
// owned, may be null) receives progress reports as LoopProgress describes.
template <typename Iteration>
LoopResult measure_loop(const LoopSpec& spec, Iteration&& iteration,
                        const LoopProgress* progress = nullptr) {
  LoopResult result;
  reserve_samples(spec, result);
  const auto deadline = Clock::now() + spec.budget;

  report_progress(progress, LoopPhase::WarmUp, 0, spec.warmup);
  auto t0 = Clock::now();
  if (!iteration()) {
    result.failed_at = 0;
    return result;
  }
  auto t1 = Clock::now();
  result.first_inference = t1 - t0;
  result.warmup_done = 1;

  auto next_report = next_progress_report(progress, t1);
  int index = 1;
  while (result.warmup_done < spec.warmup) {
    auto now = Clock::now();
    if (now >= deadline) {
      result.budget_exhausted = true;
      result.warmup_cut = true;
      break;
    }
    if (now >= next_report) {
      report_progress(progress, LoopPhase::WarmUp, result.warmup_done, spec.warmup);
      now = Clock::now();
      next_report = next_progress_report(progress, now);
    }
    if (!iteration()) {
      result.failed_at = index;
      return result;
    }
    ++result.warmup_done;
    ++index;
    if (spec.warmed_up && spec.warmed_up(Clock::now() - now)) {
      result.warmed_up = true;
      break;
    }
  }

  if (!pass_gate(spec, result)) return result;
  report_progress(progress, LoopPhase::Measure, 0, spec.iterations);
  const auto window_start = Clock::now();
  next_report = next_progress_report(progress, window_start);
  Nanos paused{0};  // time spent reporting progress inside the window, excluded from `wall`
  auto start = window_start;
  for (int i = 0; i < spec.iterations; ++i, ++index) {
    if (!iteration()) {
      result.failed_at = index;
      break;
    }
    const auto end = Clock::now();
    result.samples.push_back(end - start);
    start = end;
    // The deadline is checked after at least one timed sample, so every row has data.
    if (end >= deadline && i + 1 < spec.iterations) {
      result.budget_exhausted = true;
      break;
    }
    // Between two samples, each step below restarts the clock of the next sample after it.
    if (spec.enough) {
      const bool stop = spec.enough(result.samples, end - window_start - paused);
      start = Clock::now();
      paused += start - end;
      if (stop) {
        result.enough = true;
        break;
      }
    }
    if (result.samples.size() == result.samples.capacity() && i + 1 < spec.iterations) {
      result.samples.reserve(2 * result.samples.capacity() + 1);
      const auto after = Clock::now();
      paused += after - start;
      start = after;
    }
    if (start >= next_report && i + 1 < spec.iterations) {
      report_progress(progress, LoopPhase::Measure, i + 1, spec.iterations);
      const auto after = Clock::now();
      paused += after - start;
      start = after;
      next_report = next_progress_report(progress, start);
    }
  }
  result.wall = start - window_start - paused;
  result.window_start = window_start;
  result.window_end = start;
  report_progress(progress, LoopPhase::Measure, static_cast<int>(result.samples.size()),
                  spec.iterations);
  return result;
}

}  // namespace inferbench
