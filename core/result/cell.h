// SPDX-License-Identifier: Apache-2.0
// One cell of the run matrix: everything a worker process needs to measure one
// (model, backend, device, precision, batch, scenario) combination. The driver writes it as
// JSON; the worker reads it. Immutable once written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/row.h"
#include "core/stats/adaptive.h"

namespace inferbench {

// How a cell in one of LoadGen's scenarios is run (docs/metrics.md, "Serving scenarios"); the
// defaults are those of `inferbench run`. Ignored by the sync and async scenarios.
struct ServingSettings {
  // server: one test at this many queries (samples) per second (--target-qps); empty = search
  // for the highest rate LoadGen judges VALID under `latency_bound_ms`.
  std::optional<double> target_qps;
  // server: the bound on the `latency_percentile`-th percentile of sample latency, ms
  // (--latency-bound); empty with target_qps = LoadGen's default of 100 ms.
  std::optional<double> latency_bound_ms;
  double latency_percentile = 99;  // --latency-percentile, 0 < P < 100
  // server: how long a request slot waits, after the first queued sample, for more to fill its
  // batch (--batch-timeout, ms); 0 = it takes what is queued and never waits.
  double batch_timeout_ms = 0;
  // server, multi-stream, offline: how long, µs, an idle request slot's thread polls the queue
  // while no slot runs a batch, before it sleeps (--dispatch-poll); 0 = it sleeps at once.
  double dispatch_poll_us = 0;
  // The shortest a LoadGen test may last, seconds (--loadgen-seconds); every test also runs the
  // query count LoadGen's early stopping needs at its percentile.
  double min_seconds = 1;
  // The samples LoadGen's queries draw from (--loadgen-samples; LoadGen's performance sample
  // count): 0 = 64, and at least two batches; all resident before the first test.
  int samples = 0;
  // --loadgen-official: the durations, query counts and seeds of LoadGen's mlperf.conf
  // (ten-minute tests), for submission-length runs.
  bool official = false;
  // Where LoadGen writes this cell's logs, one folder per test; set by the driver.
  std::string log_dir;
};

// How a cell's warm-up and timed window end (--protocol; docs/metrics.md, "The adaptive protocol").
inline constexpr const char* kStudyProtocol = "study";
inline constexpr const char* kAdaptiveProtocol = "adaptive";
// The adaptive protocol's ceiling on timed samples: its window ends on precision, at
// --max-window or at --max-seconds long before.
inline constexpr int kAdaptiveMaxSamples = 10'000'000;
// The device timestamps (record_device_times) an adaptive cell keeps: its window's last ones.
inline constexpr int kAdaptiveDeviceTimes = 16384;

struct Protocol {
  // "study": Cell::warmup warm-up iterations, then Cell::iterations timed ones. "adaptive": warm-up
  // ends at steady state (at most Cell::warmup iterations), the timed window once `targets` are met.
  std::string name = kStudyProtocol;
  PrecisionTargets targets;  // adaptive only
  bool adaptive() const { return name == kAdaptiveProtocol; }
};

// The profiling pass after a cell's timed window (--profile; docs/metrics.md, "Where the time
// goes"): a fresh instance prepared for profiling, `warmup` runs or more (worker/profile_pass.h),
// then `runs` profiled ones.
struct ProfileSettings {
  bool enabled = false;
  int warmup = 5;
  int runs = 10;  // --profile-runs
  // What the profiling instance loads when it is not the cell's artefact: an AOTInductor package
  // exported with kernel profile markers. Empty = the cell's artefact.
  std::string artefact;
  // Where the worker writes the profile's Chrome trace, and what the row records for it (the path
  // relative to the results folder); set by the driver.
  std::string trace_path;
  std::string trace_label;
  // A folder for the framework's own trace (Kineto's JSON, an ETDump), and its label likewise.
  std::string native_dir;
  std::string native_label;
};

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
  int warmup = 50;               // warm-up iterations (adaptive: their ceiling)
  int iterations = 100;          // timed iterations (adaptive: their ceiling)
  double max_seconds = 600;      // warm-up + timed loop budget
  Protocol protocol;
  int threads = 0;               // 0 = framework default
  // Requests in flight (async and the LoadGen scenarios but single-stream): 0 = the backend's
  // recommendation.
  int requests = 0;
  ServingSettings serving;
  ProfileSettings profile;
  // The shortest timed window that gets an energy number, seconds (--min-energy-window); empty =
  // the energy source's own (docs/metrics.md, "Energy").
  std::optional<double> min_energy_window_s;
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
  // A fleet run's host that measures the cell (docs/fleet.md); empty = this machine. The worker
  // does not use it.
  std::string host;
};

void to_json(nlohmann::json& j, const ServingSettings& s);
void from_json(const nlohmann::json& j, ServingSettings& s);
void to_json(nlohmann::json& j, const ProfileSettings& p);
void from_json(const nlohmann::json& j, ProfileSettings& p);
void to_json(nlohmann::json& j, const Protocol& p);
void from_json(const nlohmann::json& j, Protocol& p);
void to_json(nlohmann::json& j, const Cell& c);
void from_json(const nlohmann::json& j, Cell& c);

// What tells one cell of a run from another (`run --resume` matches rows to cells with it): model,
// backend, variant, device, precision, scenario, batch, instances, the settings asked for (but
// --input's path) and the host. A cell's row gives the same as the cell.
std::string cell_identity(const Cell& cell);
std::string row_identity(const Row& row);

// A row that names the cell (framework, backend, variant, device, precision, model, batch,
// scenario, requested settings) with status failed and nothing measured yet.
Row row_for_cell(const Cell& cell);

// "CPU", "CUDA GPU", "GPU", ... for the table's Inf. Device column.
std::string device_label(const std::string& device);

}  // namespace inferbench
