// SPDX-License-Identifier: Apache-2.0
#include "driver/compute_bound.h"

#include <algorithm>
#include <string>

#include "core/env/environment.h"

namespace inferbench {
namespace {

// Seconds each kernel runs per repetition: short, since every run pays for it before its first row.
constexpr double kSecondsPerKernel = 0.03;

bool has_flag(const nlohmann::json& env, const std::string& flag) {
  if (!env.is_object() || !env.contains("cpu") || !env["cpu"].is_object() || !env["cpu"].contains("flags")) {
    return false;
  }
  const auto& flags = env["cpu"]["flags"];
  return flags.is_array() && std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace

CpuLimits measure_cpu_limits(const nlohmann::json& env) {
  CpuLimits limits;
  limits.usable_cpus = std::max(1, usable_cpu_count());
  limits.peaks = measure_cpu_peaks(limits.usable_cpus, kSecondsPerKernel);
  limits.amx_bf16 = has_flag(env, "amx_bf16");
  limits.amx_int8 = has_flag(env, "amx_int8");
  return limits;
}

std::optional<ComputeBound> compute_bound(const Row& row, const CpuLimits& limits) {
  if (row.status != RowStatus::Ok || row.device != "cpu" || !row.macs_per_sample || *row.macs_per_sample <= 0 ||
      !row.fps || *row.fps <= 0) {
    return std::nullopt;
  }
  if ((row.precision == "bf16" && limits.amx_bf16) || (row.precision == "int8" && limits.amx_int8)) {
    return std::nullopt;
  }
  auto peak = std::find_if(limits.peaks.begin(), limits.peaks.end(),
                           [&](const ComputePeak& p) { return p.precision == row.precision; });
  if (peak == limits.peaks.end() || peak->gmacs <= 0 || peak->threads <= 0) return std::nullopt;

  // Every request's and every instance's threads (--requests, --instances): the cores the row
  // kept busy together.
  const int threads = std::min(effective_threads_total(row).value_or(limits.usable_cpus) * std::max(row.instances, 1),
                               limits.usable_cpus);
  ComputeBound bound;
  bound.kernel = peak->kernel;
  bound.threads = threads;
  bound.peak_gmacs = peak->gmacs * threads / peak->threads;
  bound.achieved_gmacs = static_cast<double>(*row.macs_per_sample) * *row.fps / 1e9;
  bound.utilisation = bound.achieved_gmacs / bound.peak_gmacs;
  bound.fps_bound = bound.peak_gmacs * 1e9 / static_cast<double>(*row.macs_per_sample);
  return bound;
}

CpuLimits best_of(const CpuLimits& a, const CpuLimits& b) {
  CpuLimits best = a;
  for (const ComputePeak& candidate : b.peaks) {
    auto same = std::find_if(best.peaks.begin(), best.peaks.end(),
                             [&](const ComputePeak& p) { return p.precision == candidate.precision; });
    if (same == best.peaks.end()) {
      best.peaks.push_back(candidate);
    } else if (candidate.gmacs > same->gmacs) {
      *same = candidate;
    }
  }
  return best;
}

namespace {

nlohmann::json peaks_json(const CpuLimits& limits) {
  nlohmann::json peaks = nlohmann::json::array();
  for (const auto& p : limits.peaks) {
    peaks.push_back({{"precision", p.precision}, {"kernel", p.kernel}, {"threads", p.threads}, {"gmacs", p.gmacs}});
  }
  return peaks;
}

}  // namespace

nlohmann::json to_json(const CpuLimits& limits, const std::vector<CpuLimits>& measurements) {
  nlohmann::json j = {{"usable_cpus", limits.usable_cpus},
                      {"amx_bf16", limits.amx_bf16},
                      {"amx_int8", limits.amx_int8},
                      {"peaks", peaks_json(limits)},
                      {"method", "each instruction's throughput loop run by every usable CPU at once, best of 3 "
                                 "(core/env/compute_peak.cc), at the start and at the end of the run; per "
                                 "precision the higher of the two"}};
  if (!measurements.empty()) {
    j["measurements"] = nlohmann::json::array();
    for (const CpuLimits& m : measurements) j["measurements"].push_back(peaks_json(m));
  }
  return j;
}

}  // namespace inferbench
