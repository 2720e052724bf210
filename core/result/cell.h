// SPDX-License-Identifier: Apache-2.0
// One cell of the run matrix: everything a worker process needs to measure one
// (model, backend, device, precision, batch, scenario) combination. The driver writes it as
// JSON; the worker reads it. Immutable once written.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/row.h"

namespace inferbench {

struct Cell {
  int index = 0;                 // position in the run, 0-based
  std::string backend;           // plugin name, "torch"
  std::string variant;           // the plugin's variant, "aoti"; empty for a plugin without variants
  std::string plugin_path;       // libinferbench_backend_<name>.so
  std::string framework;         // table name (the variant's) used when the plugin cannot even load
  std::string device;            // "cpu"
  std::string precision;         // "fp32"
  std::string scenario = "sync";
  std::string model;             // "mobilenet_v2" or the user's file name
  std::string artefact;          // file the plugin loads
  std::vector<std::int64_t> input_shape;  // including batch, NCHW
  int batch = 1;
  int warmup = 50;
  int iterations = 100;
  double max_seconds = 600;      // warm-up + timed loop budget
  int threads = 0;               // 0 = framework default
  // Several instances of one cell run at once, each its own worker process (docs/metrics.md,
  // "Instances"): how many, which one this is (0-based), and the folder where they meet between
  // warm-up and timed window and again after it.
  int instances = 1;
  int instance = 0;
  std::string gate_dir;
  std::uint64_t seed = 0;        // input data seed
  // The user's input data (--input) as raw float32 samples one after the other, `input_samples`
  // of them; empty = seeded random values (`seed`). A batch takes samples 0, 1, ... in turn and
  // starts again at sample 0 after the last.
  std::string input_file;
  int input_samples = 0;
  // The parity pass over the user's data: after the timed window, the first `eval_samples` samples
  // of input_file run once each, batch by batch, and parity compares those outputs (the reference
  // cell writes them); 0 = parity on the timed batch's output. `labels_file` holds their true
  // classes (int32, one per sample) when the user gave labels; empty otherwise.
  int eval_samples = 0;
  std::string labels_file;
  std::map<std::string, std::string> options;  // --backend-option pairs for this backend
  std::string reference_out;     // when set, write the output here as raw float32
  std::string reference_in;      // when set, compare the output against this raw float32 file
  std::string reference_label;   // what the reference is, for the parity record
  std::map<std::string, std::string> requested;  // settings the user asked for, for the row
};

void to_json(nlohmann::json& j, const Cell& c);
void from_json(const nlohmann::json& j, Cell& c);

// A row that names the cell (framework, backend, variant, device, precision, model, batch,
// scenario, requested settings) with status failed and nothing measured yet.
Row row_for_cell(const Cell& cell);

// "CPU", "CUDA GPU", "GPU", ... for the table's Inf. Device column.
std::string device_label(const std::string& device);

}  // namespace inferbench
