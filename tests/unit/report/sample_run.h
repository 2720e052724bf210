// SPDX-License-Identifier: Apache-2.0
// A hand-made run shared by the reporter and schema tests: two ok rows (the slower one first,
// so ranking has to reorder them), a failed row and an unavailable row, with values that
// exercise quoting (comma, quote, newline, pipe) in every format.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/result/row.h"

namespace inferbench::sample_run {

// A report's physical lines; the text ends with a newline, so there is no empty last element.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Row indices in make().rows (input order).
inline constexpr int kSlowRow = 0;
inline constexpr int kFailedRow = 1;
inline constexpr int kFastRow = 2;
inline constexpr int kUnavailableRow = 3;

inline RunResult make() {
  RunResult run;
  run.run.id = "20261126T130501Z-1a2b3c";
  run.run.started_at = "2026-11-26T13:05:01Z";
  run.run.host = "bench-01";
  run.run.env = {{"cpu", "Intel Xeon Gold 6338"}, {"cores", 2}};
  run.run.request = {{"batch", 64}, {"iterations", 100}};

  // Ok, slower: optional extras missing (no parity, no peak RSS), a pipe in a table cell.
  Row slow;
  slow.framework = "PyTorch (Native)";
  slow.framework_version = "2.5.1";
  slow.backend = "torch";
  slow.device = "cpu";
  slow.device_label = "CPU";
  slow.target_hardware = "Intel Xeon Gold 6338 | 2 threads";
  slow.precision = "fp32";
  slow.model = "mobilenet_v2";
  slow.artefact = "/cache/mobilenet_v2.pt2";
  slow.batch = 64;
  slow.scenario = "sync";
  slow.status = RowStatus::Ok;
  slow.compile_ms = 12.5;
  slow.first_inference_ms = 1500.25;
  slow.latency_ms = LatencySummary{.p50 = 1010.355,
                                   .p90 = 1100.0,
                                   .p95 = 1120.0,
                                   .p99 = 1151.889,
                                   .p999 = 1160.0,
                                   .min = 990.0,
                                   .max = 1161.0,
                                   .mean = 1020.0,
                                   .std = 25.5,
                                   .cv = 0.025};
  slow.fps = 63.34;
  slow.throughput = 62.5;
  slow.p99_over_p50 = 1.1401;
  slow.samples = 100;
  slow.warmup = 50;
  slow.wall_ms = 102400.0;
  slow.latency_samples_ms = {1010.0, 1010.5, 1011.0};

  // Failed: an error holding a comma, quotes and a newline.
  Row failed;
  failed.framework = "TensorRT";
  failed.framework_version = "10.7.0";
  failed.backend = "tensorrt";
  failed.device = "cuda";
  failed.device_label = "CUDA GPU";
  failed.target_hardware = "NVIDIA GeForce RTX 3060 Laptop GPU";
  failed.precision = "fp16";
  failed.model = "mobilenet_v2";
  failed.artefact = "/cache/mobilenet_v2.onnx";
  failed.batch = 64;
  failed.scenario = "sync";
  failed.status = RowStatus::Failed;
  failed.error =
      "worker crashed: signal 11, \"engine build\" did not finish\nlast log line: out of memory";
  failed.compile_ms = 818.83;

  // Ok, fastest: every field set; a comma in the hardware, a quote in a warning.
  Row fast;
  fast.framework = "OpenVINO";
  fast.framework_version = "2025.1.0";
  fast.backend = "openvino";
  fast.device = "cpu";
  fast.device_label = "CPU";
  fast.target_hardware = "Intel Xeon Gold 6338 (AVX-512, 2 threads)";
  fast.precision = "fp32";
  fast.model = "mobilenet_v2";
  fast.artefact = "/cache/mobilenet_v2.xml";
  fast.batch = 64;
  fast.scenario = "sync";
  fast.status = RowStatus::Ok;
  fast.compile_ms = 7835.45;
  fast.cached_compile_ms = 412.5;
  fast.export_ms = 2150.5;
  fast.first_inference_ms = 250.75;
  fast.latency_ms = LatencySummary{.p50 = 159.672,
                                   .p90 = 170.0,
                                   .p95 = 180.0,
                                   .p99 = 195.609,
                                   .p999 = 199.0,
                                   .min = 150.125,
                                   .max = 200.25,
                                   .mean = 162.5,
                                   .std = 8.125,
                                   .cv = 0.05};
  fast.p50_ci_ms = QuantileInterval{.lo = 158.5, .hi = 161.0, .confidence = 0.9648, .effective_samples = 100};
  fast.p99_ci_ms = QuantileInterval{.lo = 190.0, .hi = std::nullopt, .confidence = 0.634, .effective_samples = 100};
  fast.fps = 400.82;
  fast.throughput = 395.25;
  fast.p99_over_p50 = 1.225;
  fast.samples = 100;
  fast.warmup = 50;
  fast.wall_ms = 16192.0;
  fast.latency_samples_ms = {159.5, 159.75, 160.0};
  fast.peak_rss_mb = 512.4;
  fast.artefact_bytes = 14024704;
  fast.params = 3504872;
  fast.parity = Parity{.max_abs_err = 1.5e-05,
                       .cosine = 0.999987,
                       .top1_agreement = 1.0,
                       .reference = "PyTorch (Native) CPU FP32",
                       .samples = std::nullopt};
  fast.requested = {{"threads", "2"}};
  fast.effective = {{"threads", "2"}};
  fast.warnings = {"CV 5.0% is above 2%: governor is \"powersave\", set it to performance"};

  // Unavailable: a pipe in the error.
  Row unavailable;
  unavailable.framework = "LiteRT";
  unavailable.backend = "litert";
  unavailable.device = "cpu";
  unavailable.device_label = "CPU";
  unavailable.precision = "int8";
  unavailable.model = "mobilenet_v2";
  unavailable.batch = 64;
  unavailable.scenario = "sync";
  unavailable.status = RowStatus::Unavailable;
  unavailable.error = "libtensorflowlite_c.so not found | set LITERT_ROOT";

  run.rows = {slow, failed, fast, unavailable};
  return run;
}

// `run` with every row measured on host `name` (a fleet run on one host, docs/fleet.md).
inline RunResult on_host(RunResult run, const std::string& name) {
  for (Row& row : run.rows) row.host = RowHost{name, {{"cpu", {{"model", "Intel Xeon Gold 6338"}}}}, false};
  return run;
}

// A fleet run of two hosts: make()'s rows on host "a", then on host "b" the fast row's
// configuration again, faster there (800.50 FPS, so it ranks above a's), and the slow row's
// configuration failed because host b went away during the cell.
inline constexpr int kFastRowOnB = 4;
inline constexpr int kLostRowOnB = 5;
inline RunResult on_two_hosts() {
  RunResult run = on_host(make(), "a");
  Row fast = run.rows[kFastRow];
  fast.host = RowHost{"b", {{"cpu", {{"model", "AMD EPYC 9654"}}}}, false};
  fast.target_hardware = "AMD EPYC 9654 (AVX-512, 2 threads)";
  fast.fps = 800.5;
  fast.throughput = 790.0;
  fast.compile_ms = 5000.0;
  fast.cached_compile_ms.reset();
  fast.first_inference_ms = 100.0;
  fast.warnings.clear();
  Row lost;
  lost.framework = run.rows[kSlowRow].framework;
  lost.backend = run.rows[kSlowRow].backend;
  lost.device = "cpu";
  lost.device_label = "CPU";
  lost.precision = "fp32";
  lost.model = "mobilenet_v2";
  lost.batch = 64;
  lost.scenario = "sync";
  lost.status = RowStatus::Failed;
  lost.error = "host b lost during the cell";
  lost.host = RowHost{"b", {{"cpu", {{"model", "AMD EPYC 9654"}}}}, true};
  run.rows.push_back(fast);
  run.rows.push_back(lost);
  return run;
}

// The fast (OpenVINO CPU FP32) row with a multiply-add count and a physical limit: simple
// values, so that every format's rendering of them can be written down by hand.
inline RunResult with_compute_bound() {
  RunResult run = make();
  Row& row = run.rows[kFastRow];
  row.macs_per_sample = 300774272;
  row.compute_bound = ComputeBound{232.0, "AVX-512 FMA (vfmadd231ps zmm)", 2, 116.0, 0.5, 771.5};
  return run;
}

// A serving run (LoadGen's scenarios, docs/metrics.md): a server search that found 120 QPS VALID
// under P99 <= 100 ms, the same configuration's offline row (150 samples/s), and a server search
// of another runtime that found no rate VALID.
inline RunResult with_serving() {
  RunResult run;
  run.run.id = "20261206T120000Z-5e7f1a";
  run.run.started_at = "2026-12-06T12:00:00Z";
  run.run.host = "bench-01";
  const auto make_row = [](std::string framework, std::string backend, std::string scenario) {
    Row row;
    row.framework = std::move(framework);
    row.framework_version = "1";
    row.backend = std::move(backend);
    row.device = "cpu";
    row.device_label = "CPU";
    row.target_hardware = "Intel Xeon Gold 6338 (AVX-512, 2 threads)";
    row.precision = "fp32";
    row.model = "mobilenet_v2";
    row.batch = 8;
    row.scenario = std::move(scenario);
    row.status = RowStatus::Ok;
    row.compile_ms = 100.0;
    row.first_inference_ms = 60.0;
    row.latency_ms = LatencySummary{.p50 = 40.0, .p90 = 60.0, .p95 = 70.0, .p99 = 80.0, .p999 = 90.0,
                                    .min = 30.0, .max = 95.0, .mean = 45.0, .std = 10.0, .cv = 0.2222};
    row.samples = 1307;
    row.wall_ms = 11000.0;
    row.latency_samples_ms = {30.0, 40.0, 95.0};
    row.requested = {{"threads", "default"}, {"requests", "default"}};
    row.effective = {{"requests_in_flight", "2"}};
    return row;
  };
  const auto test = [](std::optional<double> target, double achieved, double latency, bool valid) {
    ServingTest t;
    t.target_qps = target;
    t.achieved_qps = achieved;
    t.latency_ms = latency;
    t.valid = valid;
    t.invalid_reason = valid ? "" : "Reduce target QPS to improve latency.";
    t.queries = 1307;
    t.mean_batch = 2.5;
    t.seconds = 11.0;
    return t;
  };

  Row server = make_row("OpenVINO", "openvino", "server");
  Serving s;
  s.loadgen_version = "6.0.17 @ d6147c7eb7";
  s.metric = "max_valid_qps";
  s.value = 120.0;
  s.valid = true;
  s.latency_bound_ms = 100.0;
  s.latency_percentile = 99.0;
  s.requests_in_flight = 2;
  s.max_batch = 8;
  s.mean_batch_fill = 0.3125;
  s.search = "bracketed: VALID at 120.0 QPS, INVALID at 125.0 QPS (within 5%)";
  s.tests = {test(100.0, 99.5, 70.0, true), test(125.0, 118.0, 180.0, false), test(120.0, 119.4, 80.0, true)};
  s.reported = s.tests[2];
  s.settings = {{"target_qps", "120"}, {"min_query_count", "1307"}};
  server.serving = s;
  server.fps = 120.0;
  server.throughput = 119.4;

  Row offline = make_row("OpenVINO", "openvino", "offline");
  Serving o;
  o.loadgen_version = s.loadgen_version;
  o.metric = "samples_per_second";
  o.value = 150.0;
  o.valid = true;
  o.requests_in_flight = 2;
  o.max_batch = 8;
  o.mean_batch_fill = 1.0;
  o.tests = {test(std::nullopt, 150.0, 0, true)};
  o.tests[0].latency_ms.reset();
  o.reported = o.tests[0];
  offline.serving = o;
  offline.fps = 150.0;
  offline.throughput = 150.0;

  Row hopeless = make_row("PyTorch (Native)", "torch", "server");
  Serving h = s;
  h.value.reset();
  h.valid = false;
  h.invalid_reason = "Reduce target QPS to improve latency.";
  h.search = "no rate found VALID: the lowest tried, 5.00 QPS, was INVALID, and a slower test would not fit --max-seconds";
  h.tests = {test(10.0, 9.0, 300.0, false), test(5.0, 4.9, 150.0, false)};
  h.reported = h.tests[1];
  hopeless.serving = h;
  hopeless.fps.reset();
  hopeless.throughput = 4.9;

  run.rows = {server, offline, hopeless};
  return run;
}

// A study-sized run of 13 rows on one model: 11 ok rows of five CPU runtimes and two GPU ones
// (FP32, FP16, INT8; one in async mode with 4 requests in flight), then a failed and an
// unavailable row. The names are the long real ones ("PyTorch (AOTInductor)", a target hardware
// string of 62 characters), so that its Table B is about 250 columns wide.
inline RunResult thirteen_rows() {
  RunResult run;
  run.run.id = "20261201T090000Z-0d0e0f";
  run.run.started_at = "2026-12-01T09:00:00Z";
  run.run.host = "bench-02";
  const std::string cpu = "Intel(R) Xeon(R) Platinum 8480+ (AVX-512 VNNI AMX, 16 threads)";
  const std::string gpu = "NVIDIA H100 80GB HBM3 (driver 550.54.15, CUDA 12.4)";
  const auto ok = [](std::string framework, std::string device, std::string hardware, std::string precision,
                     double compile_ms, double p50, double fps, double rss_mb) {
    Row row;
    row.framework = std::move(framework);
    row.framework_version = "1";
    row.backend = "b";
    row.device = device == "CUDA GPU" ? "cuda" : "cpu";
    row.device_label = std::move(device);
    row.target_hardware = std::move(hardware);
    row.precision = std::move(precision);
    row.model = "resnet50";
    row.batch = 1;
    row.scenario = "sync";
    row.status = RowStatus::Ok;
    row.compile_ms = compile_ms;
    row.first_inference_ms = compile_ms / 10.0;
    row.latency_ms = LatencySummary{.p50 = p50, .p90 = p50 * 1.1, .p95 = p50 * 1.15, .p99 = p50 * 1.25,
                                    .p999 = p50 * 1.3, .min = p50 * 0.9, .max = p50 * 1.4, .mean = p50,
                                    .std = p50 * 0.02, .cv = 0.02};
    row.fps = fps;
    row.throughput = fps * 0.99;
    row.p99_over_p50 = 1.25;
    row.samples = 1000;
    row.warmup = 50;
    row.wall_ms = 1000.0 * 1000.0 / fps;
    row.peak_rss_mb = rss_mb;
    row.parity = Parity{.max_abs_err = 1e-4, .cosine = 0.999991, .top1_agreement = 1.0,
                        .reference = "PyTorch (Native) CPU FP32", .samples = std::nullopt};
    return row;
  };
  Row async = ok("OpenVINO", "CPU", cpu, "int8", 2150.5, 4.512, 1742.18, 402.7);
  async.scenario = "async";
  async.effective = {{"requests_in_flight", "4"}};
  Row failed = ok("TensorRT", "CUDA GPU", gpu, "int8", 45210.33, 0, 0, 0);
  failed.status = RowStatus::Failed;
  failed.error = "engine build ran out of memory";
  failed.latency_ms.reset();
  failed.fps.reset();
  failed.throughput.reset();
  failed.p99_over_p50.reset();
  failed.peak_rss_mb.reset();
  failed.parity.reset();
  Row unavailable;
  unavailable.framework = "ExecuTorch (XNNPACK)";
  unavailable.backend = "executorch";
  unavailable.device = "cpu";
  unavailable.device_label = "CPU";
  unavailable.precision = "fp16";
  unavailable.model = "resnet50";
  unavailable.batch = 1;
  unavailable.scenario = "sync";
  unavailable.status = RowStatus::Unavailable;
  unavailable.error = "XNNPACK has no FP16 kernels on this CPU";
  run.rows = {
      ok("PyTorch (Native)", "CPU", cpu, "fp32", 12.5, 21.337, 46.71, 812.4),
      ok("PyTorch (AOTInductor)", "CPU", cpu, "fp32", 38211.07, 15.902, 62.83, 1024.9),
      ok("OpenVINO", "CPU", cpu, "fp32", 835.45, 9.672, 103.38, 455.1),
      ok("OpenVINO", "CPU", cpu, "int8", 1421.8, 4.208, 237.66, 398.2),
      async,
      ok("TFLite (LiteRT)", "CPU", cpu, "fp32", 120.33, 18.115, 55.19, 301.5),
      ok("TFLite (LiteRT)", "CPU", cpu, "int8", 98.02, 7.391, 135.28, 210.8),
      ok("ExecuTorch (XNNPACK)", "CPU", cpu, "fp32", 45.6, 12.884, 77.61, 288.3),
      ok("PyTorch (Native)", "CUDA GPU", gpu, "fp16", 2210.75, 1.284, 778.82, 2950.6),
      ok("TensorRT", "CUDA GPU", gpu, "fp16", 41003.2, 0.412, 2427.18, 1877.0),
      ok("TensorRT", "CUDA GPU", gpu, "fp32", 39120.9, 0.987, 1013.17, 1870.4),
      failed,
      unavailable,
  };
  return run;
}

}  // namespace inferbench::sample_run
