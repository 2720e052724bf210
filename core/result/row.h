// SPDX-License-Identifier: Apache-2.0
// The records every reporter, the store and the driver consume: one Row per measured (or
// failed, or unavailable) cell, and one RunInfo per run. Units are in the field names where
// they leave the program (JSON keys, SQL columns); all times are milliseconds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace inferbench {

enum class RowStatus { Ok, Failed, Unavailable };

const char* row_status_name(RowStatus status);       // "ok" | "failed" | "unavailable"
std::optional<RowStatus> parse_row_status(const std::string& name);

// Per-iteration latency summary, milliseconds. Percentiles use linear interpolation between
// closest ranks (R type 7, NumPy's default); see docs/metrics.md.
struct LatencySummary {
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
  double min = 0, max = 0, mean = 0;
  double std = 0;  // sample standard deviation (n - 1)
  double cv = 0;   // std / mean
};

// A distribution-free 95% confidence interval for one quantile from order statistics.
// `hi` (or `lo`) is empty when the sample is too small to bound that side at 95%: with
// 100 samples, nothing above P99 bounds it from above.
struct QuantileInterval {
  std::optional<double> lo;
  std::optional<double> hi;
  double confidence = 0.95;  // achieved coverage (>= the nominal 0.95 when both sides exist)
  // The number of independent samples the interval was computed for: the sample count, or fewer
  // when the samples were correlated in time (docs/metrics.md, "Confidence intervals"). Empty in
  // rows stored before inferbench widened intervals for correlation.
  std::optional<double> effective_samples;
};

// Agreement of this row's output with the FP32 reference output on the same input.
// Accuracy against the samples' true classes (--labels, or --input's class folders): the row's,
// and the FP32 reference's on the same samples when the row has one (parity), so that the two
// together say what a lower precision or another runtime costs in accuracy.
struct LabelAccuracy {
  int samples = 0;             // how many labelled samples were scored
  double top1 = 0;             // fraction of samples whose arg-max class is their label
  std::optional<double> top5;  // label among the five largest outputs; none with 5 classes or fewer
  std::optional<double> reference_top1;  // none without an FP32 reference (a user's artefact file)
  std::optional<double> reference_top5;

  bool operator==(const LabelAccuracy&) const = default;
};

struct Parity {
  double max_abs_err = 0;
  double cosine = 0;          // cosine similarity of the flattened outputs
  double top1_agreement = 0;  // fraction of samples whose arg-max class matches
  std::string reference;      // what the reference was ("PyTorch (Native) CPU FP32")
  // How many samples were compared: the batch of seeded input, or every sample of --input read
  // (each once); none in rows recorded before inferbench counted them.
  std::optional<int> samples;
};

// One row's work against the hardware's limit (docs/metrics.md, "Physical limits"): the model's
// multiply-adds per sample at the row's FPS, and the multiply-add rate of the CPU's widest
// instruction for the row's precision, measured in this run with the threads the row used.
struct ComputeBound {
  double peak_gmacs = 0;      // measured peak rate of `threads` threads, 1e9 multiply-adds/s
  std::string kernel;         // the instruction measured: "AVX-512 FMA (vfmadd231ps zmm)"
  int threads = 0;
  double achieved_gmacs = 0;  // macs_per_sample × fps / 1e9
  double utilisation = 0;     // achieved_gmacs / peak_gmacs
  double fps_bound = 0;       // peak_gmacs × 1e9 / macs_per_sample: no row can serve faster

  bool operator==(const ComputeBound&) const = default;
};

// One LoadGen test of a serving row: the load offered, what LoadGen measured and its verdict.
struct ServingTest {
  std::optional<double> target_qps;   // server: the rate LoadGen scheduled queries at, samples/s
  double achieved_qps = 0;            // samples completed per second (LoadGen's completed rate)
  // LoadGen's latency at the bound's percentile (server) or at its scenario's percentile, ms:
  // sample latency from the scheduled issue to completion (multi-stream: query latency).
  std::optional<double> latency_ms;
  bool valid = false;                 // LoadGen's verdict: result_validity == VALID
  std::string invalid_reason;         // LoadGen's reason when not valid (with the early-stopping note)
  std::int64_t queries = 0;           // queries LoadGen issued and counted
  double mean_batch = 0;              // samples per batch the request slots ran
  double seconds = 0;                 // the test's duration, StartTest to its return
  std::string log_dir;                // its mlperf_log_summary.txt and mlperf_log_detail.txt

  bool operator==(const ServingTest&) const = default;
};

// What a row in one of LoadGen's scenarios measured (docs/metrics.md, "Serving scenarios"). The
// row's latency_ms and samples are the dispatcher's own per-sample timings (per batch for
// offline) of the reported test; the verdict and the scenario's metric are LoadGen's.
struct Serving {
  std::string loadgen_version;        // "6.0.17 @ d6147c7eb7"
  // The scenario's metric: "samples_per_second" (offline), "p90_latency_ms" (single-stream's
  // early-stopping estimate), "p99_query_latency_ms" (multi-stream's), "max_valid_qps" (server
  // search: the highest rate judged VALID), "qps" (server at --target-qps: the completed rate).
  std::string metric;
  std::optional<double> value;        // empty when nothing qualified (no VALID rate found)
  bool valid = false;                 // the reported test's verdict
  std::string invalid_reason;
  std::optional<double> latency_bound_ms;  // server
  double latency_percentile = 0;      // the percentile the bound (or the metric) applies to
  int requests_in_flight = 0;         // request slots the dispatcher ran batches on
  int max_batch = 0;                  // --batch: the most samples a slot runs at once
  double batch_timeout_ms = 0;        // server: the wait for a batch to fill
  double dispatch_poll_us = 0;        // how long an idle slot's thread polled before it slept
  double mean_batch_fill = 0;         // of the reported test: mean samples per batch / max_batch
  // The server search: why it stopped ("bracketed within 5%", "--max-seconds reached", ...).
  std::string search;
  ServingTest reported;               // the test the row reports (the highest VALID in a search)
  std::vector<ServingTest> tests;     // every test, in the order run (the probes of a search)
  // LoadGen's effective settings of the reported test (effective_* keys without the prefix).
  std::map<std::string, std::string> settings;

  bool operator==(const Serving&) const = default;
};

// Where a fleet run (docs/fleet.md) measured a row: the host's name (its Ray node's
// `inferbench/host` label) and that host's environment record (the describe_environment() of its
// own inferbench: CPU, GPU, memory, SDK versions). Rows of a run on one machine have none.
struct RowHost {
  std::string name;
  nlohmann::json env;
  // The host went away before or during the cell, so the row measured nothing of the cell itself
  // (a failed row, "host b lost during the cell" or "not run: host b gone"): `run --resume` runs
  // it again.
  bool lost = false;

  bool operator==(const RowHost&) const = default;
};

// The device's energy over the row's timed window (docs/metrics.md, "Energy"): a device-wide
// counter read just before the window opened and just after it closed, both after the device
// finished its work. `scope` says what it covers: the whole GPU board or CPU package, every process
// on it, never this process alone. Without a number (`energy_j` empty, never 0) `reason` says why:
// no counter visible here (source "none"), a window too short for the counter, a counter that did
// not move.
struct Energy {
  std::string source;  // "nvml" | "rapl" | "none"
  std::string scope;   // "GPU 0 board (NVIDIA H100 80GB HBM3)", "CPU package-0 + dram-0"; empty with none
  std::string method;  // "energy counter" | "power samples" (NVML without a counter); empty with none
  std::string reason;  // why there is no number; empty when energy_j has one
  std::optional<double> energy_j;           // the device's energy over the window, J
  std::optional<double> j_per_sample;       // energy_j / samples
  std::optional<double> samples_per_joule;  // samples / energy_j
  std::optional<double> avg_power_w;        // energy_j / window_s
  std::optional<double> window_s;           // between the two counter reads, s
  // NVML with its energy counter: the board's power readings over the window, time-averaged, W;
  // an independent check of avg_power_w (the counter's), never used for the number. Empty
  // elsewhere (RAPL has no power reading; NVML without the counter computes avg_power_w from them).
  std::optional<double> sampled_power_w;
  std::int64_t samples = 0;                 // inputs (batch x iterations) run in the window
  // The device's power over a short window just before the cell (before its model was loaded),
  // recorded beside the window's energy and never subtracted from it.
  std::optional<double> idle_power_w;
  std::optional<double> idle_window_s;

  bool operator==(const Energy&) const = default;
};

// One operator of a row's profile (docs/metrics.md, "Where the time goes").
struct ProfileOpTime {
  std::string name;      // the framework's node name
  std::string op_type;   // the framework's op type: "Convolution", "aten::conv2d", "CONV_2D"
  std::string kernel;    // the implementation that ran: "jit_avx512_dw_f32"; empty when unknown
  std::string category;  // a category id of core/profile/categories.h: "depthwise_convolution"
  std::string fused;     // comma list of the model layers fused into it; empty when none
  double ms = 0;         // per inference, the mean over the profiled runs
  double share = 0;      // of the profile's op time, 0..1
  std::optional<bool> in_delegate;  // empty for a framework without delegates
  bool on_device = false;           // a GPU kernel's device time, not host time

  bool operator==(const ProfileOpTime&) const = default;
};

// A category's part of a row's profile.
struct ProfileCategoryTime {
  std::string category;  // id: "depthwise_convolution"
  double ms = 0;         // per inference
  double share = 0;      // of the profile's op time, 0..1
  int ops = 0;           // operators in it

  bool operator==(const ProfileCategoryTime&) const = default;
};

// Where a row's inference spends its time, by operator, from the framework's own profiler, in a
// separate pass on a fresh instance after the row's timed window (--profile; docs/metrics.md,
// "Where the time goes"). Without one (`available` false) `reason` says why: a framework or
// variant that gives no per-operator events, a profiling pass that failed. Never a failed row.
struct Profile {
  bool available = false;
  std::string reason;         // why there is no profile; empty when there is one
  std::string source;         // the profiler: "OpenVINO performance counters (PERF_COUNT)"
  std::string configuration;  // what was profiled: "one request, run() + sync()"
  std::string timeline;       // "measured" (the framework's start times) | "synthesized"
  std::string coverage_note;  // what the op times leave out or count twice
  double pass_s = 0;          // the pass's wall time: prepare, warm-up, profiled runs, destroy
  int warmup = 0;             // runs before the profiled ones
  int runs = 0;               // profiled runs the means are over
  std::optional<double> latency_ms;  // the profiled runs' mean run() + sync(), ms
  std::optional<double> op_ms;       // the operators' times added up, per inference, ms
  std::optional<double> coverage;    // op_ms / latency_ms
  int op_count = 0;                  // operators executed in one inference
  std::vector<ProfileCategoryTime> categories;  // every category with time, largest first
  std::vector<ProfileOpTime> ops;               // the longest operators, longest first
  int rest_ops = 0;                             // the operators after `ops`...
  double rest_ms = 0;                           // ...and their time together, per inference
  std::string trace;         // Chrome-trace JSON of the profile, relative to the results folder
  std::string native_trace;  // the framework's own trace, relative to the results folder; empty when none

  bool operator==(const Profile&) const = default;
};

// Profile::reason of a row handed over before its profiling pass (worker.h, run_cell): should the
// pass end the worker, the driver keeps that row and says how the pass ended.
inline constexpr const char* kProfileUnfinished = "the profiling pass did not finish";

struct Row {
  // What ran.
  std::string framework;        // "PyTorch (Native)"
  std::string framework_version;
  std::string backend;          // plugin name: "torch"
  std::string variant;          // the plugin's way of running it: "aoti"; empty when it has one way only
  std::string device;           // "cpu" | "cuda" | "gpu" ...
  std::string device_label;     // table label: "CPU", "CUDA GPU"
  std::string target_hardware;  // what executed it: "Intel Xeon ... (AVX-512, 2 threads)"
  std::string precision;        // "fp32" | "fp16" | "bf16" | "int8"
  std::string model;            // "mobilenet_v2" or the user's file name
  std::string artefact;         // path of the artefact the backend loaded
  int batch = 0;
  std::string scenario;         // "sync" | "async" | "single-stream" | "multi-stream" | "server" | "offline"
  // Instances of the cell that ran at once, each its own process (docs/metrics.md, "Instances"):
  // above 1, the samples are all instances' and the throughput theirs together.
  int instances = 1;

  RowStatus status = RowStatus::Failed;
  std::string error;  // empty when ok

  // Costs, milliseconds.
  std::optional<double> compile_ms;  // the backend's prepare(): see its README for scope
  // prepare() again with the framework's compiled-model cache already filled (plugins that
  // declare the `model_cache` option); empty for the others. See docs/metrics.md.
  std::optional<double> cached_compile_ms;
  std::optional<double> export_ms;   // Python exporter time for the artefact (from manifest)
  std::optional<double> first_inference_ms;

  // Timed window.
  std::optional<LatencySummary> latency_ms;
  std::optional<QuantileInterval> p50_ci_ms;
  std::optional<QuantileInterval> p99_ci_ms;
  std::optional<double> fps;           // batch / P50 (the study's definition), samples/s
  std::optional<double> throughput;    // batch * iterations / wall time of the timed window
  std::optional<double> p99_over_p50;
  // Lag-1 autocorrelation of the samples in measurement order (docs/metrics.md): near 0 when
  // iterations are independent, as the confidence intervals assume; empty below 20 samples or
  // when every sample is equal.
  std::optional<double> lag1_autocorrelation;
  int samples = 0;                     // timed iterations
  int warmup = 0;                      // warm-up iterations run
  std::optional<double> wall_ms;       // wall time of the timed window
  std::vector<double> latency_samples_ms;  // raw per-iteration latencies, in order
  // With --rounds N > 1: the measured throughput of each round, in round order (the row's
  // samples are all rounds' together); empty for a row measured in one round.
  std::vector<double> round_throughput;
  // Device time of each timed iteration, from timestamps the device records itself on its
  // stream (CUDA events), and their summary; empty for a device that does not record them.
  std::optional<LatencySummary> device_time_ms;
  std::vector<double> device_time_samples_ms;

  // Resources and model.
  std::optional<double> peak_rss_mb;   // worker's peak resident set
  std::optional<double> peak_device_memory_mb;  // most device memory the framework's allocator held
  std::optional<std::int64_t> artefact_bytes;
  std::optional<std::int64_t> params;
  std::optional<std::int64_t> macs_per_sample;  // multiply-adds of one sample (from the exporter)
  std::optional<ComputeBound> compute_bound;    // CPU rows whose precision has a measured peak
  std::optional<Parity> parity;
  std::optional<LabelAccuracy> accuracy;  // with labels (--labels, class folders) only
  std::optional<Serving> serving;          // LoadGen's scenarios only
  std::optional<RowHost> host;             // fleet runs only
  std::optional<Energy> energy;            // ok rows measured since energy was (docs/metrics.md)
  std::optional<Profile> profile;          // with --profile only

  // The timed window on the wall clock (UTC, ISO 8601 with milliseconds, "2026-12-06T23:01:02.345Z"),
  // so that windows of different rows can be set side by side (a host measures one at a time);
  // empty for rows without one (not measured, or recorded before rows carried it).
  std::string window_started_at;
  std::string window_finished_at;

  // Settings: what was asked and what the framework ran with ("threads": "2").
  std::map<std::string, std::string> requested;
  std::map<std::string, std::string> effective;

  // Judgements on the measurement, each naming a remedy.
  std::vector<std::string> warnings;
};

// effective[kCpusUsed]: the CPU time of the worker process in its timed window over the window's
// wall time, "1.97": how many CPUs it kept busy on average, spinning threads included.
inline constexpr const char* kCpusUsed = "cpus_used";

// effective[kInputStaging] of a LoadGen row: how many of the reported test's batches were written
// into their request slot while the slot's previous batch ran ("45 of 47 batches ..."), or why
// none could be (the plugin keeps one input per slot).
inline constexpr const char* kInputStaging = "input_staging";

// effective[kKernelsOutsideDelegate]: set by a plugin whose delegate did not take the whole model,
// naming the kernels that ran the rest ("TFLite built-in kernels", "ExecuTorch kernels").
inline constexpr const char* kKernelsOutsideDelegate = "kernels_outside_delegate";

// effective[kWindowStartNs] / [kWindowEndNs]: an instance's timed window on the machine's steady
// clock (nanoseconds), which the driver turns into the instances' common window and removes.
inline constexpr const char* kWindowStartNs = "window_start_ns";
inline constexpr const char* kWindowEndNs = "window_end_ns";
// effective[kInstancesStartSpread]: how far apart the instances' timed windows opened, ms.
inline constexpr const char* kInstancesStartSpread = "instances_start_spread_ms";

// The thread count the row was asked to run with: requested.threads, "default" when --threads
// named none (or in runs recorded before rows carried it).
std::string requested_threads(const Row& row);

// The threads the framework reported it ran with (effective.threads), when that is a positive
// integer. With several requests in flight a plugin may report one request's share (LibTorch,
// LiteRT: each request runs on threads of its own) or one pool they all share (OpenVINO,
// ExecuTorch).
std::optional<int> effective_threads(const Row& row);

// effective[kThreadsTotal]: the CPU threads the framework computes on across all the row's
// request slots (one instance): what the row keeps busy, for its bound against the CPU's peak.
inline constexpr const char* kThreadsTotal = "threads_total";

// effective.threads_total when it is a positive integer, else effective.threads.
std::optional<int> effective_threads_total(const Row& row);

struct RunInfo {
  std::string id;          // unique run id: "20261126T130501Z-1a2b3c"
  std::string started_at;  // ISO 8601 UTC
  std::string host;
  nlohmann::json env;      // CPU, flags, cores, governor, OS, build provenance
  nlohmann::json request;  // the effective run configuration and what the user changed
};

struct RunResult {
  RunInfo run;
  std::vector<Row> rows;
};

// JSON mapping used by results.json, the worker protocol and the store. Optional fields are
// written as null; readers accept missing keys as empty.
void to_json(nlohmann::json& j, const LatencySummary& s);
void from_json(const nlohmann::json& j, LatencySummary& s);
void to_json(nlohmann::json& j, const QuantileInterval& c);
void from_json(const nlohmann::json& j, QuantileInterval& c);
void to_json(nlohmann::json& j, const LabelAccuracy& a);
void from_json(const nlohmann::json& j, LabelAccuracy& a);
void to_json(nlohmann::json& j, const Parity& p);
void from_json(const nlohmann::json& j, Parity& p);
void to_json(nlohmann::json& j, const ComputeBound& b);
void from_json(const nlohmann::json& j, ComputeBound& b);
void to_json(nlohmann::json& j, const ServingTest& t);
void from_json(const nlohmann::json& j, ServingTest& t);
void to_json(nlohmann::json& j, const Serving& s);
void from_json(const nlohmann::json& j, Serving& s);
void to_json(nlohmann::json& j, const RowHost& h);
void from_json(const nlohmann::json& j, RowHost& h);
void to_json(nlohmann::json& j, const Energy& e);
void from_json(const nlohmann::json& j, Energy& e);
void to_json(nlohmann::json& j, const ProfileOpTime& o);
void from_json(const nlohmann::json& j, ProfileOpTime& o);
void to_json(nlohmann::json& j, const ProfileCategoryTime& c);
void from_json(const nlohmann::json& j, ProfileCategoryTime& c);
void to_json(nlohmann::json& j, const Profile& p);
void from_json(const nlohmann::json& j, Profile& p);
void to_json(nlohmann::json& j, const Row& r);
void from_json(const nlohmann::json& j, Row& r);
void to_json(nlohmann::json& j, const RunInfo& r);
void from_json(const nlohmann::json& j, RunInfo& r);
void to_json(nlohmann::json& j, const RunResult& r);
void from_json(const nlohmann::json& j, RunResult& r);

}  // namespace inferbench
