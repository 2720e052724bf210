// SPDX-License-Identifier: Apache-2.0
// One interface for every source of a device's energy (docs/metrics.md, "Energy"): a worker opens
// one window around its timed loop, after the device has finished its work at both ends.
#pragma once

#include <optional>
#include <string>

#include "core/support/status.h"
#include "core/timing/clock.h"

namespace inferbench {

// What a source counted between begin() and end(): the whole device's energy, every process on it.
struct EnergyWindow {
  double joules = 0;
  Nanos length{0};  // between the two reads, on Clock
  // A second, independent look at the same window where the source has one: NVML's board power
  // readings over the window, time-averaged (trapezoid rule), beside its energy counter; W.
  std::optional<double> sampled_power_w = std::nullopt;
};

// A source of energy readings for one device. Not thread-safe: one caller, one window at a time.
class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;
  virtual std::string source() const = 0;  // "nvml" | "rapl", as the row's energy.source
  // What the reading covers, whole devices only: "GPU 0 board (NVIDIA H100 80GB HBM3)".
  virtual std::string scope() const = 0;
  virtual std::string method() const = 0;  // "energy counter" | "power samples"
  // The shortest window whose reading means something by default: many steps of the counter (an
  // NVML counter steps every 10-100 ms, RAPL's about every 1 ms). --min-energy-window replaces it.
  virtual Nanos min_window() const = 0;
  // Opens a window: reads the counters and starts the meter's sampling thread where it needs one
  // (RAPL: to see each wrap-around of its counters; NVML without a counter: power samples). Never
  // called inside a timed loop.
  [[nodiscard]] virtual Status begin() = 0;
  // Closes the window begin() opened: stops the thread and reads the counters again.
  [[nodiscard]] virtual Result<EnergyWindow> end() = 0;
};

}  // namespace inferbench
