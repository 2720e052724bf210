// SPDX-License-Identifier: Apache-2.0
// CPU energy from Linux powercap's RAPL zones (Intel, and AMD Zen through the same driver): every
// CPU package and each package's DRAM domain where it has one, their energy_uj counters read
// around the window and sampled in between, so that a counter wrapping at max_energy_range_uj is
// counted once per wrap.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "core/energy/energy_meter.h"

namespace inferbench {

// The environment variable naming the powercap folder in place of kDefaultPowercapRoot (tests
// point it at a fake tree).
inline constexpr const char* kPowercapRootVariable = "INFERBENCH_POWERCAP_ROOT";
inline constexpr const char* kDefaultPowercapRoot = "/sys/class/powercap";

// The text of one file, or why it cannot be read (strerror of the failing call: "Permission
// denied"). Tests give the meter another, since they run as root, whom chmod 000 does not stop.
using ReadText = std::function<Result<std::string>(const std::filesystem::path&)>;
Result<std::string> read_text_file(const std::filesystem::path& path);

// One RAPL counter's energy summed over its samples: each step is (now - previous) modulo the
// counter's range, so one wrap-around between two samples is counted right. More than one wrap
// between samples cannot be seen; the sampler's period keeps samples closer than that.
class WrappingCounter {
 public:
  explicit WrappingCounter(std::uint64_t range_uj) : range_uj_(range_uj) {}
  void add(std::uint64_t now_uj);  // the first call only sets the starting point
  std::uint64_t total_uj() const { return total_uj_; }

 private:
  std::uint64_t range_uj_;
  std::optional<std::uint64_t> previous_;
  std::uint64_t total_uj_ = 0;
};

// How often the sampler reads counters of `range_uj`: twice within the time the counter takes to
// wrap at kRaplMaxWatts, and at least once a second, never more than every 10 ms.
inline constexpr double kRaplMaxWatts = 1000;
Nanos rapl_sample_period(std::uint64_t range_uj);

// The meter over every package zone (intel-rapl:N named "package-N") under `root` and their
// "dram" subzones. An error (StatusCode::Unavailable) says why there is none: the folder absent,
// no package zone, a file that cannot be read (energy_uj is root-only since Linux 5.10).
Result<std::unique_ptr<EnergyMeter>> open_rapl_meter(const std::filesystem::path& root,
                                                     ReadText read = read_text_file);

}  // namespace inferbench
