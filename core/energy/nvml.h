// SPDX-License-Identifier: Apache-2.0
// NVIDIA GPU energy through NVML, loaded at run time (dlopen) from the driver's libnvidia-ml.so.1,
// so that neither the build nor a machine without the driver needs it: the total-energy counter
// where the GPU has one (Volta and newer), else board power sampled and integrated over the window.
#pragma once

#include <memory>
#include <string>

#include "core/energy/energy_meter.h"

namespace inferbench {

// The environment variable naming the NVML library in place of kDefaultNvmlLibrary (tests load a
// stub built beside them).
inline constexpr const char* kNvmlLibraryVariable = "INFERBENCH_NVML_LIBRARY";
inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

// How often board power is sampled: on a GPU without the energy counter for the number, beside the
// counter as its check (EnergyWindow::sampled_power_w). Faster polling gives NVML errors or
// repeated values on some GPUs (Zeus, PR #186).
inline constexpr Nanos kNvmlPowerPeriod = std::chrono::milliseconds(50);

// The meter of CUDA device `cuda_index` (as CUDA numbers the devices this process sees: through
// CUDA_VISIBLE_DEVICES when set). An error (StatusCode::Unavailable) says why there is none: the
// library missing, NVML failing to start, no such GPU, a GPU with neither counter nor power
// reading, or several GPUs that CUDA may number in another order than NVML.
Result<std::unique_ptr<EnergyMeter>> open_nvml_meter(const std::string& library, int cuda_index,
                                                     Nanos power_period = kNvmlPowerPeriod);

}  // namespace inferbench
