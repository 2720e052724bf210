// SPDX-License-Identifier: Apache-2.0
// Physical limits beside the measured rows (docs/metrics.md, "Physical limits"): the CPU's peak
// multiply-add rate, measured at the start and at the end of a run, against each CPU row's work (the model's
// multiply-adds per sample at the row's FPS).
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/env/compute_peak.h"
#include "core/result/row.h"

namespace inferbench {

// What a bound needs to know about this run's CPU.
struct CpuLimits {
  std::vector<ComputePeak> peaks;  // each measured with `usable_cpus` threads at once
  int usable_cpus = 1;
  // With AMX, a framework's BF16/INT8 kernels may run on tile units far faster than the vector
  // instructions measured: no bound is given for those precisions there.
  bool amx_bf16 = false;
  bool amx_int8 = false;
};

// Measures the peaks with every usable CPU (about a third of a second); the AMX flags come from
// `env`, the run's describe_environment().
CpuLimits measure_cpu_limits(const nlohmann::json& env);

// The bound of an ok CPU row with a multiply-add count and an FPS, in a precision with a
// measured peak (and no AMX for it); nothing otherwise. The row's threads are its effective
// "threads_total" (all its requests' threads; else "threads", else all usable CPUs) times its
// instances, at most the usable CPUs; their peak is the measured all-CPU peak scaled by
// threads / usable CPUs.
std::optional<ComputeBound> compute_bound(const Row& row, const CpuLimits& limits);

// Per precision, the higher of two measurements of the same CPU (another tenant's load lowers a
// measurement; nothing raises one above what the hardware does). Precisions measured only once
// keep that measurement.
CpuLimits best_of(const CpuLimits& a, const CpuLimits& b);

// For the run's environment record: {"usable_cpus", "amx_bf16", "amx_int8", "peaks": [{precision,
// kernel, threads, gmacs}], "method"}; with `measurements`, also "measurements": one list of
// peaks per measurement, in order (start, end), from which `peaks` took the best.
nlohmann::json to_json(const CpuLimits& limits, const std::vector<CpuLimits>& measurements = {});

}  // namespace inferbench
