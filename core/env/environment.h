// SPDX-License-Identifier: Apache-2.0
// The machine a run measured: CPU model and vector/matrix ISA flags, cores, memory, OS,
// frequency governor, GPUs and their driver, timer overhead and build provenance. Read from
// /proc and /sys; fields that cannot be read are left out rather than guessed.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace inferbench {

std::string cpu_model_name();                  // "Intel(R) Xeon(R) ..." or "unknown CPU"
std::string cpu_isa_summary();                 // "AVX-512, VNNI, AMX-BF16/INT8"
int usable_cpu_count();                        // CPUs in this process's affinity mask
std::optional<std::string> cpu_governor();     // cpu0's scaling governor when readable
std::optional<double> total_memory_mb();
std::string host_name();
// The driver version in the first line of /proc/driver/nvidia/version, from either kernel module's
// wording; nullopt when the line names none.
std::optional<std::string> parse_nvidia_driver_version(const std::string& line);

// Everything above plus OS, kernel, CPU flags of interest, GPUs ("gpu": [{name, vendor, driver,
// driver_version, bus}], empty when none is visible), build provenance.
nlohmann::json describe_environment();

}  // namespace inferbench
