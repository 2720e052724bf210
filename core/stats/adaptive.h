// SPDX-License-Identifier: Apache-2.0
// The adaptive protocol's two rules (docs/metrics.md, "The adaptive protocol"): warm-up ends at
// steady state, and the timed window ends once its statistics are as precise as asked. Both
// are pure functions of latencies, so the loops in core/timing stay free of statistics.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/timing/clock.h"

namespace inferbench {

// The steady-state test looks at this many of the latest warm-up latencies (the first inference
// never among them), so warm-up lasts at least the first inference + kSteadyWindow iterations.
inline constexpr int kSteadyWindow = 10;
// Each of its two tests calls a window unsteady below this two-sided p-value.
inline constexpr double kSteadyAlpha = 0.05;
// The timed window holds at least this many samples, so that its P99 exists, before precision
// can stop it.
inline constexpr int kAdaptiveMinSamples = 60;
// After the minimum, the intervals are recomputed once the sample count has grown by this factor
// (and at the window cap): a few dozen looks at most, each O(n log n), outside the samples.
inline constexpr double kCheckGrowth = 1.05;

// Two-sided p-value of the Mann-Kendall test for a monotonic trend in `x` (in time order): S, the
// sum over pairs i < j of sign(x[j] - x[i]), against its null variance n(n-1)(2n+5)/18 less the
// ties' share, with a continuity correction, read from the normal distribution. 1 for fewer than
// 3 values or when every value is equal.
double mann_kendall_p(std::span<const double> x);

// Two-sided p-value of the Mann-Whitney (Wilcoxon rank-sum) test that `x`'s first half and its
// second half come from one distribution: a level shift between them (normal approximation with
// tie and continuity corrections). 1 for fewer than 4 values or when every value is equal.
double level_shift_p(std::span<const double> x);

struct SteadyVerdict {
  bool steady = false;
  double trend_p = 1;  // mann_kendall_p of the window
  double shift_p = 1;  // level_shift_p of the window
};

// Whether `window`, the latest warm-up latencies in time order, shows neither a trend nor a
// level shift at kSteadyAlpha. Never steady with fewer than kSteadyWindow latencies.
SteadyVerdict steady_state(std::span<const double> window);

// The warm-up half of the protocol: fed each warm-up iteration's latency (after the first
// inference), says when warm-up has reached steady state.
class WarmUpRule {
 public:
  // True once the latest kSteadyWindow latencies pass steady_state().
  bool steady_after(Nanos latency);
  const SteadyVerdict& verdict() const { return verdict_; }
  // The latencies seen, ms, in order.
  const std::vector<double>& latencies_ms() const { return latencies_ms_; }

 private:
  std::vector<double> latencies_ms_;
  SteadyVerdict verdict_;
};

// What the timed window must reach before it stops (--target-precision, --tail-precision,
// --max-window): relative half-widths of 95% intervals.
struct PrecisionTargets {
  double p50 = 0.01;            // the P50's interval within +/-1% of P50
  double p99 = 0.05;            // the P99's within +/-5% of P99
  double max_window_s = 10;     // and stop anyway once the window is this long (after the minimum)
  int min_samples = kAdaptiveMinSamples;
  // Throughput rows (several requests in flight): the throughput's interval, within +/-p50,
  // instead of the two percentiles'.
  bool throughput = false;
  // p50 and p99 both 0: no precision target, the window stops at max_window_s alone (instances).
};

// How far each interval reaches from its estimate, relative to it: max(est - lo, hi - est) / est.
// Empty when the interval has an unbounded side (too few samples) or the estimate is 0.
struct PrecisionReached {
  std::optional<double> p50;
  std::optional<double> p99;
  std::optional<double> throughput;
};

// The precision of `samples_ms` (time order) as the row will report it: the P50's and P99's
// distribution-free intervals for effective_sample_size() samples, and the throughput's interval
// from the mean latency (throughput_half_width()).
PrecisionReached precision_of(std::span<const double> samples_ms);

// Relative half-width of the 95% interval of a throughput measured as count / (sum of
// latencies): 1.96 * sd / (mean * sqrt(n_eff)), the delta method for 1 / mean; empty below two
// samples or with a zero mean.
std::optional<double> throughput_half_width(std::span<const double> samples_ms);

enum class StopReason {
  None,       // not stopped by the rule (the loop's count or budget ended it)
  Precision,  // every target met
  Window,     // the window reached max_window_s before the targets
};

const char* stop_reason_name(StopReason reason);  // "" | "precision" | "max-window"

// The measurement half of the protocol. Called after every timed sample, it is cheap except at
// its checkpoints (the minimum, then every kCheckGrowth more samples, and the window cap), where
// it computes the intervals.
class PrecisionRule {
 public:
  explicit PrecisionRule(PrecisionTargets targets) : targets_(targets) {}
  // `samples` so far (time order) and the timed window's length so far: true ends the window.
  bool enough(const std::vector<Nanos>& samples, Nanos window);
  StopReason reason() const { return reason_; }
  // At the last checkpoint (empty before the first; a throughput row's holds its throughput alone).
  const PrecisionReached& reached() const { return reached_; }
  const PrecisionTargets& targets() const { return targets_; }
  // The targets met by `reached`.
  bool met(const PrecisionReached& reached) const;

 private:
  PrecisionTargets targets_;
  std::size_t next_check_ = 0;
  StopReason reason_ = StopReason::None;
  PrecisionReached reached_;
};

// "P50 +/-0.8% (target 1%), P99 unbounded (target 5%)": the precision reached against the targets,
// for the row's notes.
std::string describe_precision(const PrecisionReached& reached, const PrecisionTargets& targets);

}  // namespace inferbench
