// SPDX-License-Identifier: Apache-2.0
// Where the instances of one cell (separate worker processes) wait for each other: between
// warm-up and timed window, so that their windows start together, and after the window.
#pragma once

#include <string>
#include <string_view>

#include "core/timing/clock.h"

namespace inferbench {

// Marks instance `index` of `instances` as having reached `stage` (creates `dir`/<stage>-<index>)
// and waits until every instance has, checking every 200 microseconds (so the instances leave
// within about that of each other, and a waiting instance takes almost no CPU from the others).
// False when `timeout` passes first or the mark cannot be made.
bool meet_instances(const std::string& dir, std::string_view stage, int index, int instances,
                    Nanos timeout);

}  // namespace inferbench
