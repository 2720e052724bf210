// SPDX-License-Identifier: Apache-2.0
// The immutable result of parsing `inferbench run`: what to measure and how. The driver
// expands it into cells; its JSON goes into the run record (with what the user changed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/cell.h"
#include "core/support/status.h"

namespace inferbench {

// Defaults reproduce the study's protocol.
inline constexpr const char* kDefaultModel = "mobilenet_v2";
inline constexpr int kDefaultBatch = 64;
inline constexpr int kDefaultWarmup = 50;
inline constexpr int kDefaultIterations = 100;
inline constexpr double kDefaultMaxSeconds = 600;   // per cell, warm-up + timed loop
inline constexpr double kDefaultTimeoutSeconds = 1800;  // per worker, hard kill
inline constexpr std::uint64_t kDefaultSeed = 0;
inline constexpr int kDefaultEvalSamples = 1000;  // --input samples the parity pass runs
inline constexpr int kMaxBatch = 4096;
inline constexpr int kMaxThreads = 1024;
inline constexpr int kMaxRounds = 100;
// The longest --max-seconds and --timeout, seconds: a week.
inline constexpr double kMaxCellSeconds = 604800;
inline constexpr int kMaxRequests = 256;

struct RunRequest {
  // Known model names or file paths, each measured on the whole matrix in turn (a sweep when
  // several).
  std::vector<std::string> models = {kDefaultModel};
  std::optional<std::filesystem::path> weights; // checkpoint for the one named model
  std::vector<std::int64_t> sample_shape;       // per-sample input shape for a model FILE
  std::vector<std::string> backends;            // empty = every known backend
  std::vector<std::string> devices;             // empty = every device each backend declares
  std::vector<std::string> precisions;          // empty = every precision each backend declares
  std::vector<std::string> scenarios;           // empty = each backend's default scenarios
  std::vector<int> batches = {kDefaultBatch};
  int warmup = kDefaultWarmup;
  int iterations = kDefaultIterations;
  // --protocol: "study" (warmup, iterations) or "adaptive" (warm-up to steady state, at most
  // warmup_max iterations; a timed window until `targets` are met); docs/metrics.md, "The adaptive protocol".
  std::string protocol = kStudyProtocol;
  int warmup_max = kDefaultWarmup;
  PrecisionTargets targets;
  double max_seconds = kDefaultMaxSeconds;
  double timeout_seconds = kDefaultTimeoutSeconds;
  std::vector<int> threads = {0};               // a sweep when several; 0 = each framework's default
  // Instances of each cell run at once (a sweep when several): 1 = one worker per cell.
  std::vector<int> instances = {1};
  // Requests in flight in the scenarios that keep several (a sweep when several): 0 = each
  // backend's recommendation.
  std::vector<int> requests = {0};
  // The LoadGen scenarios' settings (--target-qps, --latency-bound, ...); log_dir stays empty.
  ServingSettings serving;
  // Times the whole matrix is measured, in turn; each cell's rounds are merged into its row.
  int rounds = 1;
  std::uint64_t seed = kDefaultSeed;
  // The shortest timed window that gets an energy number, seconds (--min-energy-window); empty =
  // each energy source's own (docs/metrics.md, "Energy").
  std::optional<double> min_energy_window_s;
  // --profile: a profiling pass after each row's timed window (docs/metrics.md, "Where the time
  // goes"), of `profile_runs` profiled runs (--profile-runs).
  bool profile = false;
  int profile_runs = 10;
  // The user's input data (--input): a .npy array or a folder of images; empty = seeded random
  // values.
  std::optional<std::filesystem::path> input;
  // The samples of --input parity runs once each after the timed window (the first N); 0 = all.
  int eval_samples = kDefaultEvalSamples;
  // The true classes of --input's samples (--labels): a .npy array or a text file; empty = none
  // (or the class folders of --input).
  std::optional<std::filesystem::path> labels;
  // The user's calibration data for INT8 artefacts (--calibration), in the same forms; empty =
  // the exporters' seeded synthetic set.
  std::optional<std::filesystem::path> calibration;
  // backend -> key -> value, from --backend-option BACKEND:KEY=VALUE.
  std::map<std::string, std::map<std::string, std::string>> backend_options;
  std::optional<std::filesystem::path> out_dir;
  std::optional<std::filesystem::path> db_path;  // empty = default store
  bool store = true;
  bool verbose = false;                          // pass worker stderr through
  bool dry_run = false;                          // plan only: RunListener::plan, nothing runs
  bool overwrite = false;                        // --out may replace another run's files there
  // A fleet run (docs/fleet.md): the Ray cluster's address ("auto": RAY_ADDRESS) and the hosts to
  // measure on (empty or "all": every host of the cluster).
  std::optional<std::string> cluster;
  std::vector<std::string> hosts;
  // --resume: the rows the run already has. Cells with a row are not run again, but those whose
  // host was lost (RowHost::lost); rows already given are not given again.
  std::vector<Row> resumed_rows;
  // --resume RUN: the run to complete (the CLI reads its rows and its own arguments).
  std::optional<std::string> resume;
  std::vector<std::string> changed;              // flags the user set explicitly
};

nlohmann::json to_json(const RunRequest& request);

// Whether the user gave `flag` ("--timeout") on the command line (RunRequest::changed).
bool changed(const RunRequest& request, std::string_view flag);

// --protocol names a protocol, the flags given belong to it (--warmup and --iters to study;
// --warmup-max, --target-precision, --tail-precision and --max-window to adaptive) and its
// settings are in range; a Usage error naming the flag otherwise.
Status check_protocol(const RunRequest& request);

// The adaptive protocol's settings, as a row's `requested` records them (docs/metrics.md, "The
// adaptive protocol"): protocol, warmup_max, target_precision, tail_precision, max_window.
void add_adaptive_requested(const RunRequest& request, std::map<std::string, std::string>& requested);

}  // namespace inferbench
