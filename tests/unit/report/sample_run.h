// SPDX-License-Identifier: Apache-2.0
// A hand-made run shared by the reporter and schema tests: two ok rows (the slower one first,
// so ranking has to reorder them), a failed row and an unavailable row, with values that
// exercise quoting (comma, quote, newline, pipe) in every format.
#pragma once

#include "core/result/row.h"

namespace inferbench::sample_run {

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

// The fast (OpenVINO CPU FP32) row with a multiply-add count and a physical limit: simple
// values, so that every format's rendering of them can be written down by hand.
inline RunResult with_compute_bound() {
  RunResult run = make();
  Row& row = run.rows[kFastRow];
  row.macs_per_sample = 300774272;
  row.compute_bound = ComputeBound{232.0, "AVX-512 FMA (vfmadd231ps zmm)", 2, 116.0, 0.5, 771.5};
  return run;
}

}  // namespace inferbench::sample_run
