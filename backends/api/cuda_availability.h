// SPDX-License-Identifier: Apache-2.0
// For plugins that run on CUDA (they link the CUDA runtime themselves): why this process sees
// no CUDA device, in words a user can act on. Header-only, like backend_helper.h.
#pragma once

#include <cuda_runtime_api.h>

#include <optional>
#include <string>

namespace inferbench::plugin {

// "CUDA 13.0" from the runtime's encoding (1000 × major + 10 × minor).
inline std::string cuda_version_text(int version) {
  return "CUDA " + std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

// Nothing when a CUDA device is visible; otherwise "no CUDA device visible (<why>)". The CUDA
// runtime reports a machine with no NVIDIA driver at all (libcuda.so.1 absent) and one whose
// driver is too old alike, as "CUDA driver version is insufficient for CUDA runtime version": the
// driver version (0 without a driver) tells the two apart.
inline std::optional<std::string> no_cuda_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaSuccess && count > 0) return std::nullopt;
  if (status == cudaSuccess) return std::string("no CUDA device visible (the NVIDIA driver lists no GPU)");
  cudaGetLastError();  // clear it, so that a later CUDA call does not report it again
  std::string why = cudaGetErrorString(status);
  if (status == cudaErrorInsufficientDriver) {
    int driver = 0;
    int runtime = 0;
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    cudaGetLastError();
    why = driver == 0 ? "no NVIDIA driver on this machine: libcuda.so.1 was not found"
                      : "the NVIDIA driver supports up to " + cuda_version_text(driver) + ", this build's runtime is " +
                            cuda_version_text(runtime) + ": update the driver";
  }
  return "no CUDA device visible (" + why + ")";
}

}  // namespace inferbench::plugin
