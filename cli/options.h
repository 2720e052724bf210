// SPDX-License-Identifier: Apache-2.0
// `inferbench run` options in groups — model, matrix, measurement, output — each a struct
// that registers its flags (with help and defaults) and writes its part of the RunRequest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/support/status.h"
#include "driver/run_request.h"

namespace inferbench::cli {

struct ModelOptions {
  std::string model = kDefaultModel;
  std::string weights;
  std::string input_shape;  // "3x224x224"
  void add_to(CLI::App& app);
  Status apply(RunRequest& request) const;
};

struct MatrixOptions {
  std::string backends = "all";
  std::string devices = "all";
  std::string precisions = "all";
  std::string scenarios = "default";
  std::string batches = std::to_string(kDefaultBatch);
  std::vector<std::string> backend_options;  // BACKEND:KEY=VALUE
  void add_to(CLI::App& app);
  Status apply(RunRequest& request) const;
};

struct MeasurementOptions {
  int warmup = kDefaultWarmup;
  int iterations = kDefaultIterations;
  std::string protocol = kStudyProtocol;
  int warmup_max = kDefaultWarmup;
  std::string target_precision = "1";  // percent, "1" or "1%"
  std::string tail_precision = "5";
  std::string max_window = "10";       // seconds
  double max_seconds = kDefaultMaxSeconds;
  double timeout_seconds = kDefaultTimeoutSeconds;
  std::string threads = "0";
  std::string instances = "1";
  int rounds = 1;
  std::uint64_t seed = kDefaultSeed;
  std::string input;  // .npy or a folder of images; empty = seeded random values
  std::string calibration;  // the same forms, for INT8 calibration; empty = seeded synthetic
  std::string eval_samples = std::to_string(kDefaultEvalSamples);  // N or "all"
  std::string labels;  // .npy or text file of --input's true classes; empty = none
  std::string min_energy_window;  // seconds; empty = each energy source's own
  bool profile = false;
  std::string profile_runs = "10";
  void add_to(CLI::App& app);
  Status apply(RunRequest& request) const;
};

// The LoadGen scenarios' settings, and the requests in flight of every scenario that keeps
// several.
struct ServingOptions {
  std::string requests = "0";
  std::string target_qps;       // empty = search (with --latency-bound)
  std::string latency_bound;    // ms; empty = none
  std::string latency_percentile = "99";
  std::string batch_timeout = "0";
  std::string dispatch_poll = "0";
  std::string loadgen_seconds = "1";
  int loadgen_samples = 0;
  bool loadgen_official = false;
  void add_to(CLI::App& app);
  Status apply(RunRequest& request) const;
};

struct OutputOptions {
  std::string out_dir;
  std::string db;
  bool no_store = false;
  bool verbose = false;
  bool dry_run = false;
  bool overwrite = false;
  // --wide: Table B with every column on a terminal too. Display only: the request does not
  // carry it (what is measured, stored and written to files is the same either way).
  bool wide = false;
  void add_to(CLI::App& app);
  Status apply(RunRequest& request) const;
};

// Splits "a,b,c"; "all" alone gives an empty list meaning "everything". An empty item (or an
// empty text) or an item given twice is a Usage error naming `flag`.
Result<std::vector<std::string>> parse_list(const std::string& text, const char* flag);

// "1,8,64" -> {1, 8, 64}; any item that is not an integer is a Usage error naming it.
Result<std::vector<int>> parse_int_list(const std::string& text, const char* flag);

// "BACKEND:KEY=VALUE" -> (backend, key, value). Only the first '=' splits, so values may
// contain '='.
struct BackendOption {
  std::string backend, key, value;
};
Result<BackendOption> parse_backend_option(const std::string& text);

// All `run` groups together.
// Fleet runs (docs/fleet.md), and completing a run that stopped short.
struct FleetOptions {
  std::string cluster;        // Ray address, "auto"; empty = this machine only
  std::string hosts = "all";  // comma list of host names
  std::string resume;         // run id (or unique prefix) or results.json whose missing cells to run
  void add_to(CLI::App& app);
  Status apply(RunRequest& request) const;
};

struct RunOptions {
  ModelOptions model;
  FleetOptions fleet;
  MatrixOptions matrix;
  MeasurementOptions measurement;
  ServingOptions serving;
  OutputOptions output;
  void add_to(CLI::App& app);
  // After `app` parsed: the request, with the flags the user set listed in `changed`.
  Result<RunRequest> to_request(const CLI::App& app) const;
};

// Parses `run` arguments (without the program and subcommand names) into a RunRequest;
// used by the CLI and by tests. Errors are Usage statuses with one-line messages.
Result<RunRequest> parse_run_arguments(const std::vector<std::string>& args);

}  // namespace inferbench::cli
