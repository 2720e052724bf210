// SPDX-License-Identifier: Apache-2.0
// A steady-clock instant as the wall-clock time it happened at, for records that must be set side
// by side across processes and machines (a row's timed window). Measurements never use it.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "core/timing/clock.h"

namespace inferbench {

// `at` as UTC ISO 8601 with milliseconds, "2026-12-06T23:01:02.345Z": the system clock now, less
// how long ago `at` was on the steady clock.
inline std::string utc_iso_ms(Clock::time_point at) {
  const auto ago = Clock::now() - at;
  const auto wall = std::chrono::system_clock::now() - std::chrono::duration_cast<std::chrono::system_clock::duration>(ago);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[80];  // room for any int the fields could hold, so the compiler can see nothing is cut
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

}  // namespace inferbench
