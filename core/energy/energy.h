// SPDX-License-Identifier: Apache-2.0
// A row's energy (docs/metrics.md, "Energy"): which meter reads the row's device, the device's idle
// power just before the cell, and the row's record from a window's reading with the rule that a
// window too short for its counter, or a counter that did not move, gives no number.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/energy/energy_meter.h"
#include "core/result/row.h"

namespace inferbench {

// The meter of a row's device, or (meter empty) why there is none: "cpu" reads RAPL under
// $INFERBENCH_POWERCAP_ROOT (default /sys/class/powercap), "cuda" and "cuda:N" NVML from
// $INFERBENCH_NVML_LIBRARY (default libnvidia-ml.so.1); other devices have no source. Opening costs
// a few file reads (RAPL) or NVML's start-up, and nothing runs until begin().
struct EnergySource {
  std::unique_ptr<EnergyMeter> meter;
  std::string none_reason;
};
EnergySource open_energy_source(const std::string& device);

// The row's record when no meter reads its device: source "none" and the reason, no number.
Energy no_energy(const std::string& reason);

// The device's average power over about `window` (its length as measured beside it) with nothing
// of the cell running yet; empty, with `why` set, when the meter fails or its counter did not move.
struct IdlePower {
  double watts = 0;
  double window_s = 0;
};
std::optional<IdlePower> measure_idle_power(EnergyMeter& meter, Nanos window, std::string& why);

// The row's record from `reading` (the window's, or why it failed) for `samples` inputs run in
// it: energy, J per sample, samples per joule, average power. A window shorter than `min_window`
// or a reading of 0 J keeps every number empty, with the reason, and adds a warning naming the
// remedy to `warnings`.
Energy energy_record(const EnergyMeter& meter, const Result<EnergyWindow>& reading, std::int64_t samples,
                     Nanos min_window, std::vector<std::string>& warnings);

// Sets j_per_sample, samples_per_joule and avg_power_w from energy_j, samples and window_s (empty
// where one of those is missing or zero); used again when rows are merged.
void set_energy_rates(Energy& energy);

}  // namespace inferbench
