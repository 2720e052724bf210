// SPDX-License-Identifier: Apache-2.0
// The one clock every measurement uses: monotonic, nanosecond resolution (CLOCK_MONOTONIC
// through std::chrono::steady_clock), never adjusted by NTP steps.
#pragma once

#include <sys/resource.h>

#include <chrono>

namespace inferbench {

using Clock = std::chrono::steady_clock;
using Nanos = std::chrono::nanoseconds;

inline double to_ms(Nanos d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time this process has used so far, user and system, every thread.
inline double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Median cost of one Clock::now() call, from `rounds` back-to-back pairs.
Nanos timer_overhead(int rounds = 1001);

}  // namespace inferbench
