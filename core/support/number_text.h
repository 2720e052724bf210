// SPDX-License-Identifier: Apache-2.0
// A number as a person writes it in a message: the shortest of %g ("1", "0.5", "2.5e+06"), or
// with a fixed number of decimals ("40.9").
#pragma once

#include <cstdio>
#include <string>

namespace inferbench {

inline std::string shortest_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

inline std::string fixed_number(double value, int decimals = 1) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace inferbench
