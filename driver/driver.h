// SPDX-License-Identifier: Apache-2.0
// The parent side of a run: validates the request, asks each plugin (in a worker process)
// what it can do, prepares artefacts, expands the matrix into cells, runs one worker per cell
// and turns every outcome — including crashes and hangs — into a row. Never loads a framework.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/cell.h"
#include "core/result/row.h"
#include "core/support/status.h"
#include "driver/cell_progress.h"
#include "driver/run_request.h"
#include "driver/variant_matrix.h"

namespace inferbench {

// A backend as the driver sees it: built or not, and if built what describe() said.
struct BackendDescription {
  std::string name;
  std::string framework;
  bool built = false;            // a plugin file exists
  bool loadable = false;         // the worker could load it
  std::string reason;            // why not built / not loadable
  std::string plugin_path;
  std::string version;
  std::vector<std::string> devices;
  std::vector<std::string> precisions;
  std::vector<std::string> suffixes;
  std::vector<std::string> scenarios;  // what a run measures when --scenarios is not given
  // Whether the plugin has request slots, so that it runs async and the LoadGen scenarios.
  bool request_slots = false;
  std::string artefact_format;
  std::map<std::string, std::string> unavailable_devices;  // device -> reason
  nlohmann::json options = nlohmann::json::array();         // [{name,type,default,doc}]
  // Its variants (the plugin's, else the catalogue's); one with an empty name for a backend
  // without variants. Never empty.
  std::vector<VariantDescription> variants;
};

// Sets d.variants from a JSON list of variants (name, framework, artefact_format, targets, doc, and
// the suffixes under `suffixes_key`), or to the one implicit variant when the list is empty.
void set_variants(BackendDescription& d, const nlohmann::json& variants, const char* suffixes_key);

struct DriverPaths {
  std::filesystem::path worker_executable;  // the inferbench binary (runs `worker`)
  std::filesystem::path plugin_dir;         // libinferbench_backend_<name>.so
  std::filesystem::path backend_table;      // build/backends.tsv: configure-time reasons
  std::filesystem::path artefact_root;
  static DriverPaths from_build();          // this binary's build tree (or INFERBENCH_* env)
};

// Called with each row as soon as it is final (so an interrupted run keeps every finished row),
// and with one-line progress messages.
// What a run would do (--dry-run): each cell to measure with its artefact, and the cells that
// are unavailable here, as rows with their reason.
struct PlannedCell {
  std::string label;     // "torch:aoti cpu fp32 sync batch 64"
  std::string artefact;  // "aoti fp32 cpu b64"; empty when the backend needs none
  std::optional<std::filesystem::path> cached;  // the cached artefact file, or empty: to export
  bool user_file = false;                        // the user's own --model file
  bool reference = false;  // a hidden PyTorch CPU FP32 cell that only computes the parity reference
};
struct RunPlan {
  std::vector<PlannedCell> cells;  // measured cells first, then hidden reference cells
  std::vector<Row> unavailable;
};

// What a run is about to measure, given to RunListener::started.
struct RunStart {
  bool cpu_cells = false;  // some cell runs on the CPU (so its rows can have physical limits)
  // With --input: what the data became, one entry per sample shape (InputData::description with
  // "sample_shape"); null without. The same for --calibration.
  nlohmann::json input;
  nlohmann::json calibration;
};

struct RunListener {
  // Once, after the request passed every check and the matrix is known, before any row.
  std::function<void(const RunStart&)> started;
  std::function<void(const Row&)> row;
  // Optional: replaces the row given `position`-th (0-based, in the order of `row` calls) with a
  // newer one. When set, a cell measured in several rounds (--rounds) is given after its first
  // round, with a warning naming the rounds still to come, and revised after each later round,
  // so an interrupted run keeps every round measured; when unset, such a cell's row is given
  // once, after its last round.
  std::function<void(std::size_t position, const Row&)> revise;
  std::function<void(const std::string&)> progress;
  // Optional: the running cell's phase as it changes, and about once a second during a phase
  // (elapsed time, iterations done, time left). When unset, workers send no progress at all.
  std::function<void(const CellPhase&)> phase;
  // --dry-run: called once with the plan instead of running anything.
  std::function<void(const RunPlan&)> plan;
};

class Driver {
 public:
  explicit Driver(DriverPaths paths);

  // Every catalogued backend (testing ones only when asked), described by worker processes.
  std::vector<BackendDescription> describe_backends(bool include_testing) const;
  BackendDescription describe_backend(const std::string& name) const;

  // Checks names, ranges and options of a request before anything runs: a Usage or Input
  // error with one line saying what is wrong and what to do.
  Status validate(const RunRequest& request) const;

  // Runs the request. Returns an error only when nothing could be attempted (for example an
  // unusable model file); every cell outcome, good or bad, is a row given to `listener`.
  Status run(const RunRequest& request, const RunListener& listener) const;

 private:
  DriverPaths paths_;
};

}  // namespace inferbench
