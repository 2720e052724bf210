// SPDX-License-Identifier: Apache-2.0
// The worker-to-driver progress protocol: one JSON object per line on a pipe the driver gives
// the worker (`inferbench worker --progress-fd N CELL.json`), separate from stdout, which
// carries only the final row. Messages are advisory: a lost or garbled line changes only what
// the display shows, never a result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace inferbench {

// Phases of one cell, in order. The driver adds "export" before the worker starts.
inline constexpr std::string_view kPhaseExport = "export";
inline constexpr std::string_view kPhaseLoad = "load";        // dlopen of the plugin
inline constexpr std::string_view kPhaseCompile = "compile";  // prepare(), timed as compile_ms
inline constexpr std::string_view kPhaseWarmUp = "warm-up";   // first inference and warm-up
inline constexpr std::string_view kPhaseMeasure = "measure";  // the timed loop
inline constexpr std::string_view kPhaseServe = "serve";      // LoadGen's tests (done: tests finished)
inline constexpr std::string_view kPhaseParity = "parity";    // --input's samples run once each (batches)
inline constexpr std::string_view kPhaseProfile = "profile";  // --profile's pass (runs)
inline constexpr std::string_view kPhaseFinish = "finish";    // output check, parity, statistics

struct ProgressMessage {
  std::string phase;  // one of the kPhase* names
  int done = 0;       // iterations done in the phase (warm-up, measure; parity: batches); 0 otherwise
  int total = 0;      // iterations the phase runs; 0 when it is not counted
};

// {"phase":"measure","done":40,"total":100} and a newline.
std::string format_progress_message(const ProgressMessage& message);

// The message on `line` (with or without its newline); empty when the line is not one.
std::optional<ProgressMessage> parse_progress_message(std::string_view line);

}  // namespace inferbench
