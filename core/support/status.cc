// SPDX-License-Identifier: Apache-2.0
// Status names and formatting.
#include "core/support/status.h"

namespace inferbench {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::Ok: return "ok";
    case StatusCode::Usage: return "usage";
    case StatusCode::Input: return "input";
    case StatusCode::Unavailable: return "unavailable";
    case StatusCode::Backend: return "backend";
    case StatusCode::Io: return "io";
    case StatusCode::Internal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  if (hint_.empty()) return message_;
  return message_ + "; " + hint_;
}

}  // namespace inferbench
