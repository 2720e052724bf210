// SPDX-License-Identifier: Apache-2.0
// Timer overhead estimate.
#include <algorithm>
#include <vector>

#include "core/timing/measure_loop.h"

namespace inferbench {

Nanos timer_overhead(int rounds) {
  std::vector<Nanos> deltas(static_cast<size_t>(rounds));
  for (auto& d : deltas) {
    const auto a = Clock::now();
    const auto b = Clock::now();
    d = b - a;
  }
  std::nth_element(deltas.begin(), deltas.begin() + rounds / 2, deltas.end());
  return deltas[static_cast<size_t>(rounds / 2)];
}

}  // namespace inferbench
