// SPDX-License-Identifier: Apache-2.0
// JSON as text for anything written out (a row, a report, a message between processes). Strings
// from frameworks, SDK error messages and model files may hold invalid UTF-8, on which
// nlohmann's default (strict) dump throws and the row would be lost: the bad bytes become U+FFFD
// and everything else stays exact.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace inferbench {

// `indent` as dump()'s: -1 on one line.
inline std::string json_text(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace inferbench
