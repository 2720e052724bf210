// SPDX-License-Identifier: Apache-2.0
// Choosing a row's energy meter, its idle power, and its record.
#include "core/energy/energy.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/energy/nvml.h"
#include "core/energy/powercap.h"

namespace inferbench {
namespace {

std::string environment_or(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  return value && *value ? value : fallback;
}

double seconds_of(Nanos d) { return std::chrono::duration<double>(d).count(); }

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

}  // namespace

EnergySource open_energy_source(const std::string& device) {
  Result<std::unique_ptr<EnergyMeter>> opened = Status(StatusCode::Unavailable, "");
  if (device == "cpu") {
    opened = open_rapl_meter(environment_or(kPowercapRootVariable, kDefaultPowercapRoot));
  } else if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (device != "cuda") {
      try {
        index = std::stoi(device.substr(5));
      } catch (const std::exception&) {
        return {nullptr, "device '" + device + "' names no CUDA device index"};
      }
    }
    opened = open_nvml_meter(environment_or(kNvmlLibraryVariable, kDefaultNvmlLibrary), index);
  } else {
    return {nullptr, "no energy source for device '" + device + "': inferbench reads RAPL for cpu and NVML for cuda"};
  }
  if (!opened) return {nullptr, opened.status().message()};
  return {std::move(*opened), ""};
}

Energy no_energy(const std::string& reason) {
  Energy energy;
  energy.source = "none";
  energy.reason = reason;
  return energy;
}

std::optional<IdlePower> measure_idle_power(EnergyMeter& meter, Nanos window, std::string& why) {
  if (Status began = meter.begin(); !began) {
    why = began.message();
    return std::nullopt;
  }
  std::this_thread::sleep_for(window);
  const Result<EnergyWindow> idle = meter.end();
  if (!idle) {
    why = idle.status().message();
    return std::nullopt;
  }
  if (idle->joules <= 0 || idle->length <= Nanos::zero()) {
    why = "the counter did not move in " + seconds_text(seconds_of(idle->length));
    return std::nullopt;
  }
  return IdlePower{idle->joules / seconds_of(idle->length), seconds_of(idle->length)};
}

void set_energy_rates(Energy& energy) {
  energy.j_per_sample.reset();
  energy.samples_per_joule.reset();
  energy.avg_power_w.reset();
  if (!energy.energy_j || *energy.energy_j <= 0) return;
  if (energy.samples > 0) {
    energy.j_per_sample = *energy.energy_j / static_cast<double>(energy.samples);
    energy.samples_per_joule = static_cast<double>(energy.samples) / *energy.energy_j;
  }
  if (energy.window_s && *energy.window_s > 0) energy.avg_power_w = *energy.energy_j / *energy.window_s;
}

Energy energy_record(const EnergyMeter& meter, const Result<EnergyWindow>& reading, std::int64_t samples,
                     Nanos min_window, std::vector<std::string>& warnings) {
  Energy energy;
  energy.source = meter.source();
  energy.scope = meter.scope();
  energy.method = meter.method();
  energy.samples = samples;
  if (!reading) {
    energy.reason = reading.status().message();
    warnings.push_back("no energy: " + energy.reason);
    return energy;
  }
  const double window = seconds_of(reading->length);
  energy.window_s = window;
  if (reading->length < min_window) {
    energy.reason = "the timed window of " + seconds_text(window) + " is shorter than the " +
                    seconds_text(seconds_of(min_window)) + " a " + meter.source() + " reading needs";
    warnings.push_back("no energy: " + energy.reason +
                       " (its counter steps too coarsely for a shorter one): run more iterations (--iters, or "
                       "under --protocol adaptive a longer --max-window) or lower --min-energy-window");
    return energy;
  }
  if (reading->joules <= 0) {
    energy.reason = "the " + meter.source() + " counter did not move in " + seconds_text(window);
    warnings.push_back("no energy: " + energy.reason +
                       ": its update period may be longer than the window; run more iterations (--iters, or "
                       "under --protocol adaptive a longer --max-window) or raise --min-energy-window");
    return energy;
  }
  energy.energy_j = reading->joules;
  energy.sampled_power_w = reading->sampled_power_w;
  set_energy_rates(energy);
  return energy;
}

}  // namespace inferbench
