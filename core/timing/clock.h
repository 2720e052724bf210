// SPDX-License-Identifier: Apache-2.0
// The one clock every measurement uses: monotonic, nanosecond resolution (CLOCK_MONOTONIC
// through std::chrono::steady_clock), never adjusted by NTP steps.
#pragma once

#include <chrono>

namespace inferbench {

using Clock = std::chrono::steady_clock;
using Nanos = std::chrono::nanoseconds;

inline double to_ms(Nanos d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Median cost of one Clock::now() call, from `rounds` back-to-back pairs.
Nanos timer_overhead(int rounds = 1001);

}  // namespace inferbench
