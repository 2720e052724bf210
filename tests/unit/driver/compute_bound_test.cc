// SPDX-License-Identifier: Apache-2.0
// compute_bound(): a row's work against the CPU's measured peak, checked against values
// computed by hand.
#include "driver/compute_bound.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

CpuLimits two_cpus() {
  CpuLimits limits;
  limits.usable_cpus = 2;
  limits.peaks = {{"fp32", "AVX-512 FMA (vfmadd231ps zmm)", 2, 100.0},
                  {"bf16", "AVX512-BF16 (vdpbf16ps zmm)", 2, 200.0},
                  {"int8", "AVX512-VNNI (vpdpbusd zmm)", 2, 400.0}};
  return limits;
}

Row cpu_row(const std::string& precision, double fps, const std::string& threads) {
  Row row;
  row.status = RowStatus::Ok;
  row.device = "cpu";
  row.precision = precision;
  row.fps = fps;
  row.macs_per_sample = 300'000'000;  // MobileNetV2's 300.8 M, rounded
  if (!threads.empty()) row.effective["threads"] = threads;
  return row;
}

TEST(ComputeBound, Fp32RowOnAllCpus) {
  const auto bound = compute_bound(cpu_row("fp32", 100.0, "2"), two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->kernel, "AVX-512 FMA (vfmadd231ps zmm)");
  EXPECT_EQ(bound->threads, 2);
  EXPECT_DOUBLE_EQ(bound->peak_gmacs, 100.0);
  EXPECT_DOUBLE_EQ(bound->achieved_gmacs, 30.0);   // 300 M × 100 /s
  EXPECT_DOUBLE_EQ(bound->utilisation, 0.3);
  EXPECT_NEAR(bound->fps_bound, 333.333333, 1e-5);  // 100e9 / 300e6
}

// Two requests in flight of one thread each (LibTorch, LiteRT): the row keeps both CPUs busy, so
// its bound is the two-thread peak, not one thread's (which would put it at twice its real share).
TEST(ComputeBound, EveryRequestsThreadsCount) {
  Row row = cpu_row("fp32", 100.0, "1");
  row.effective[kThreadsTotal] = "2";
  auto bound = compute_bound(row, two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->threads, 2);
  EXPECT_DOUBLE_EQ(bound->peak_gmacs, 100.0);
  EXPECT_DOUBLE_EQ(bound->utilisation, 0.3);

  row.effective[kThreadsTotal] = "none";  // not a count: the row's threads, as before
  bound = compute_bound(row, two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->threads, 1);
}

TEST(ComputeBound, OneThreadGetsItsShareOfThePeak) {
  const auto bound = compute_bound(cpu_row("int8", 400.0, "1"), two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->threads, 1);
  EXPECT_DOUBLE_EQ(bound->peak_gmacs, 200.0);
  EXPECT_DOUBLE_EQ(bound->achieved_gmacs, 120.0);
  EXPECT_DOUBLE_EQ(bound->utilisation, 0.6);
}

TEST(ComputeBound, ThreadsBeyondTheUsableCpusAndUnreportedThreadsMeanAllCpus) {
  auto bound = compute_bound(cpu_row("bf16", 100.0, "8"), two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->threads, 2);
  EXPECT_DOUBLE_EQ(bound->peak_gmacs, 200.0);
  bound = compute_bound(cpu_row("bf16", 100.0, ""), two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->threads, 2);
  bound = compute_bound(cpu_row("bf16", 100.0, "default"), two_cpus());
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->threads, 2);
}

TEST(ComputeBound, NoBoundWhereItWouldMislead) {
  const CpuLimits limits = two_cpus();
  EXPECT_FALSE(compute_bound(cpu_row("fp16", 100.0, "2"), limits));  // no FP16 peak measured
  Row gpu = cpu_row("fp32", 100.0, "2");
  gpu.device = "cuda";
  EXPECT_FALSE(compute_bound(gpu, limits));
  Row failed = cpu_row("fp32", 100.0, "2");
  failed.status = RowStatus::Failed;
  EXPECT_FALSE(compute_bound(failed, limits));
  Row user_file = cpu_row("fp32", 100.0, "2");
  user_file.macs_per_sample.reset();
  EXPECT_FALSE(compute_bound(user_file, limits));
  Row no_fps = cpu_row("fp32", 100.0, "2");
  no_fps.fps.reset();
  EXPECT_FALSE(compute_bound(no_fps, limits));
  // AMX tiles outrun the vector instructions measured: no BF16/INT8 bound there, FP32 still.
  CpuLimits amx = limits;
  amx.amx_bf16 = amx.amx_int8 = true;
  EXPECT_FALSE(compute_bound(cpu_row("bf16", 100.0, "2"), amx));
  EXPECT_FALSE(compute_bound(cpu_row("int8", 100.0, "2"), amx));
  EXPECT_TRUE(compute_bound(cpu_row("fp32", 100.0, "2"), amx));
  // A CPU without the precision's instruction (no VNNI): nothing measured, no bound.
  CpuLimits avx2 = limits;
  avx2.peaks.resize(1);
  EXPECT_FALSE(compute_bound(cpu_row("int8", 100.0, "2"), avx2));
}

TEST(ComputeBound, MeasuredLimitsReadAmxFromTheEnvironment) {
  const CpuLimits plain = measure_cpu_limits(nlohmann::json::object());  // no flags recorded: no AMX
  EXPECT_FALSE(plain.amx_bf16);
  EXPECT_FALSE(plain.amx_int8);
  EXPECT_GE(plain.usable_cpus, 1);
  const CpuLimits amx = measure_cpu_limits({{"cpu", {{"flags", {"avx512f", "amx_bf16", "amx_int8"}}}}});
  EXPECT_TRUE(amx.amx_bf16);
  EXPECT_TRUE(amx.amx_int8);
}

TEST(ComputeBound, EnvironmentRecordListsThePeaks) {
  const auto json = to_json(two_cpus());
  EXPECT_EQ(json["usable_cpus"], 2);
  EXPECT_EQ(json["amx_bf16"], false);
  ASSERT_EQ(json["peaks"].size(), 3U);
  EXPECT_EQ(json["peaks"][2]["precision"], "int8");
  EXPECT_EQ(json["peaks"][2]["gmacs"], 400.0);
  EXPECT_FALSE(json.contains("measurements"));
}

// A neighbour's load lowers a measurement: per precision the higher of the start and end ones
// counts, and the record keeps both.
TEST(ComputeBound, TheHigherOfTwoMeasurementsCounts) {
  const CpuLimits start = two_cpus();
  CpuLimits end = two_cpus();
  end.peaks[0].gmacs = 70.0;   // fp32 measured under load at the end
  end.peaks[2].gmacs = 450.0;  // int8 measured under load at the start
  end.peaks.push_back({"fp16", "hypothetical", 2, 10.0});
  const CpuLimits best = best_of(start, end);
  ASSERT_EQ(best.peaks.size(), 4U);
  EXPECT_EQ(best.peaks[0].gmacs, 100.0);
  EXPECT_EQ(best.peaks[1].gmacs, 200.0);
  EXPECT_EQ(best.peaks[2].gmacs, 450.0);
  EXPECT_EQ(best.peaks[3].precision, "fp16");
  // The bound of a row follows: 300 M multiply-adds per sample at the int8 peak of 450 GMAC/s.
  EXPECT_DOUBLE_EQ(compute_bound(cpu_row("int8", 500, "2"), best)->fps_bound, 1500.0);
  const auto json = to_json(best, {start, end});
  ASSERT_EQ(json["measurements"].size(), 2U);
  EXPECT_EQ(json["measurements"][0][0]["gmacs"], 100.0);
  EXPECT_EQ(json["measurements"][1][0]["gmacs"], 70.0);
  EXPECT_EQ(json["peaks"][0]["gmacs"], 100.0);
}

}  // namespace
}  // namespace inferbench
