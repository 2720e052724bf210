// SPDX-License-Identifier: Apache-2.0
// The measured CPU peak: one entry per precision the CPU's flags promise, each rate inside what
// the hardware could physically do. Loose on purpose: the machine may be shared and noisy.
#include "core/env/compute_peak.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace inferbench {
namespace {

constexpr double kSecondsPerKernel = 0.02;

#if defined(__x86_64__)

// The words of /proc/cpuinfo's first "flags" line, or nullopt when it cannot be read.
std::optional<std::set<std::string>> cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    return flags;
  }
  return std::nullopt;
}

const ComputePeak* find(const std::vector<ComputePeak>& peaks, const std::string& precision) {
  for (const auto& p : peaks) {
    if (p.precision == precision) return &p;
  }
  return nullptr;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ComputePeak, OneEntryPerPrecisionTheFlagsPromise) {
  const auto flags = cpuinfo_flags();
  if (!flags) GTEST_SKIP() << "/proc/cpuinfo has no flags line to compare with";
  const auto has = [&](const char* flag) { return flags->count(flag) > 0; };

  const auto peaks = measure_cpu_peaks(2, kSecondsPerKernel);

  const ComputePeak* fp32 = find(peaks, "fp32");
  if (has("avx512f")) {
    ASSERT_NE(fp32, nullptr);
    EXPECT_TRUE(contains(fp32->kernel, "AVX-512")) << fp32->kernel;
  } else if (has("avx2") && has("fma")) {
    ASSERT_NE(fp32, nullptr);
    EXPECT_TRUE(contains(fp32->kernel, "AVX2")) << fp32->kernel;
  }
  EXPECT_EQ(find(peaks, "bf16") != nullptr, has("avx512_bf16"));
  EXPECT_EQ(find(peaks, "int8") != nullptr, has("avx512_vnni") || has("avx_vnni"));
  for (const auto& p : peaks) {
    EXPECT_TRUE(p.precision == "fp32" || p.precision == "bf16" || p.precision == "int8")
        << p.precision;
  }
}

// Per thread, no core starts more than two of these instructions per cycle, and none runs at
// 6 GHz: above that bound the work was optimised away or miscounted. Below 0.5 GMAC/s per
// thread (a hundredth of a Zen 4 core's fp32 rate) the loop is not the instruction it names.
TEST(ComputePeak, RatesAreWithinWhatTheHardwareCanDo) {
  constexpr int kThreads = 2;
  const auto peaks = measure_cpu_peaks(kThreads, kSecondsPerKernel);
  ASSERT_FALSE(peaks.empty()) << "no x86-64 CPU made in the last ten years lacks AVX2 FMA";
  for (const auto& p : peaks) {
    SCOPED_TRACE(p.precision + ", " + p.kernel);
    EXPECT_EQ(p.threads, kThreads);
    const double lanes = contains(p.kernel, "zmm") ? 16 : 8;
    const double macs_per_lane = p.precision == "int8" ? 4 : p.precision == "bf16" ? 2 : 1;
    const double max_per_thread = 2 * lanes * macs_per_lane * 6.0;
    const double per_thread = p.gmacs / p.threads;
    EXPECT_GT(per_thread, 0.5);
    EXPECT_LT(per_thread, max_per_thread);
  }
}

TEST(ComputePeak, NonPositiveThreadCountRunsOneThread) {
  for (const auto& p : measure_cpu_peaks(0, 0.001)) {
    EXPECT_EQ(p.threads, 1) << p.precision;
    EXPECT_GT(p.gmacs, 0) << p.precision;
  }
}

#else

TEST(ComputePeak, EmptyOffX86) { EXPECT_TRUE(measure_cpu_peaks(1, kSecondsPerKernel).empty()); }

#endif

}  // namespace
}  // namespace inferbench
