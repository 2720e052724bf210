// SPDX-License-Identifier: Apache-2.0
// The timer slack of the threads that run LoadGen's tests. LoadGen's server scenario issues each
// query from the thread that runs the test, sleeping until the query's scheduled time, and counts
// each sample's latency from that time. Linux wakes a sleeping thread up to its timer slack late
// (50 µs by default), so every sample would carry up to 50 µs of the kernel's timer batching: on
// the 2-vCPU Xeon VM LoadGen's median latency for a null system fell by 31–53 µs with 1 ns
// (bench/results/serving_timer_slack_xeon.txt).
#pragma once

namespace inferbench {

// The timer slack LoadGen's tests run with: 1 ns, the least Linux keeps.
inline constexpr unsigned long kServingTimerSlackNs = 1;

// While it lives, the calling thread, and every thread it creates meanwhile (the dispatcher's,
// LoadGen's), sleeps with `slack_ns` of timer slack; the previous slack is restored after. Linux
// only; elsewhere nothing changes.
class TimerSlack {
 public:
  explicit TimerSlack(unsigned long slack_ns);
  ~TimerSlack();
  TimerSlack(const TimerSlack&) = delete;
  TimerSlack& operator=(const TimerSlack&) = delete;

  // The calling thread's timer slack now, in ns (-1 where it cannot be read).
  static long current_ns();

 private:
  long previous_ns_ = -1;  // -1: nothing was changed
};

}  // namespace inferbench
