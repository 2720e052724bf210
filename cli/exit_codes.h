// SPDX-License-Identifier: Apache-2.0
// The process exit codes, listed in --help and the README.
#pragma once

#include "core/support/status.h"

namespace inferbench::cli {

inline constexpr int kExitOk = 0;          // every attempted row is ok (or unavailable with reason)
inline constexpr int kExitSomeFailed = 1;  // some rows failed; the others were measured and written
inline constexpr int kExitUsage = 2;       // bad flag, value or input file: nothing ran
inline constexpr int kExitNothingRan = 3;  // no row could be measured (all failed or unavailable)
inline constexpr int kExitIo = 4;          // results could not all be written, or read; internal error

inline int exit_code_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::Ok: return kExitOk;
    case StatusCode::Usage:
    case StatusCode::Input: return kExitUsage;
    case StatusCode::Unavailable:
    case StatusCode::Backend: return kExitNothingRan;
    case StatusCode::Io:
    case StatusCode::Internal: return kExitIo;
  }
  return kExitIo;
}

inline constexpr const char* kExitCodeHelp =
    "Exit codes: 0 all rows ok (unavailable rows say why), 1 some rows failed, 2 bad input "
    "(nothing ran), 3 no row could be measured, 4 results could not all be written (or an internal error); "
    "interrupted, 128 + the signal (130 for Ctrl-C).";

}  // namespace inferbench::cli
