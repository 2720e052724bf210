// SPDX-License-Identifier: Apache-2.0
// The child side of a run: measures one cell with one plugin and reports one Row. Knows the
// plugin API, never a framework.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result/cell.h"
#include "core/result/row.h"

namespace inferbench {

// Loads the cell's plugin, prepares (timed as compile), sets the seeded input, runs the
// measurement protocol, checks the output and returns the row. Never aborts on a backend
// error: that becomes a failed (or unavailable) row.
Row run_cell(const Cell& cell);

// The plugin's describe() and its availability per declared device, as JSON:
// {"info": {...}, "devices": {"cpu": {"available": true, "reason": ""}}} or {"error": "..."}.
nlohmann::json describe_plugin(const std::string& plugin_path);

// `inferbench worker CELL.json` and `inferbench worker --describe PLUGIN`: the JSON result
// goes to the original stdout; anything the framework prints to stdout is moved to stderr.
int worker_main(int argc, char** argv);

}  // namespace inferbench
