// SPDX-License-Identifier: Apache-2.0
// The child side of a run: measures one cell with one plugin and reports one Row. Knows the
// plugin API, never a framework.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result/cell.h"
#include "core/result/row.h"

namespace inferbench {

// Loads the cell's plugin, prepares (timed as compile), sets the seeded input, runs the
// measurement protocol, checks the output and returns the row. Never aborts on a backend
// error: that becomes a failed (or unavailable) row. When `progress_fd` >= 0, phase changes
// and about one loop update a second are written there as progress messages
// (core/result/progress_message.h); a failed write only loses a display update. In a LoadGen
// scenario a request slot that hangs is ended by a watchdog, which hands the row measured so far
// to `abandon` (which writes it and ends the process: the hung call cannot be taken back); without
// one, the watchdog ends the process without a row. With --profile, the row measured so far goes
// to `measured` before the profiling pass (its profile says the pass did not finish), so that a
// pass that crashes or hangs the process loses nothing measured.
Row run_cell(const Cell& cell, int progress_fd = -1, const std::function<void(const Row&)>& abandon = {},
             const std::function<void(const Row&)>& measured = {});

// The plugin's describe() and its availability per declared device, as JSON:
// {"info": {...}, "devices": {"cpu": {"available": true, "reason": ""}}} or {"error": "..."}.
nlohmann::json describe_plugin(const std::string& plugin_path);

// `inferbench worker [--progress-fd N] CELL.json` and `inferbench worker --describe PLUGIN`:
// the JSON result goes to the original stdout; anything the framework prints to stdout is
// moved to stderr; progress messages go to file descriptor N when given.
int worker_main(int argc, char** argv);

}  // namespace inferbench
