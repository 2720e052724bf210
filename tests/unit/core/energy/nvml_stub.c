/* SPDX-License-Identifier: Apache-2.0 */
/* A stand-in for the NVIDIA driver's libnvidia-ml.so.1, loaded by the energy tests through
 * INFERBENCH_NVML_LIBRARY: the functions inferbench calls, scripted by environment variables read
 * at nvmlInit_v2.
 *   INFERBENCH_NVML_STUB_INIT       the code nvmlInit_v2 returns (default 0, success)
 *   INFERBENCH_NVML_STUB_GPUS       GPUs it reports (default 1)
 *   INFERBENCH_NVML_STUB_ENERGY_MJ  the energy counter's first value, or "unsupported" for a GPU
 *                                   without the counter (NVML_ERROR_NOT_SUPPORTED, 3)
 *   INFERBENCH_NVML_STUB_STEP_MJ    added to the counter at each read after the first (default 0)
 *   INFERBENCH_NVML_STUB_POWER_MW   board power, constant (default 100000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int init_code;
static unsigned int gpus = 1;
static int counter_supported = 1;
static unsigned long long energy_mj;
static unsigned long long step_mj;
static unsigned int power_mw = 100000;
static int reads;

static unsigned long long number(const char* name, unsigned long long fallback) {
  const char* text = getenv(name);
  return text && *text ? strtoull(text, NULL, 10) : fallback;
}

int nvmlInit_v2(void) {
  const char* energy = getenv("INFERBENCH_NVML_STUB_ENERGY_MJ");
  init_code = (int)number("INFERBENCH_NVML_STUB_INIT", 0);
  gpus = (unsigned int)number("INFERBENCH_NVML_STUB_GPUS", 1);
  counter_supported = !(energy && strcmp(energy, "unsupported") == 0);
  energy_mj = counter_supported ? number("INFERBENCH_NVML_STUB_ENERGY_MJ", 1000000) : 0;
  step_mj = number("INFERBENCH_NVML_STUB_STEP_MJ", 0);
  power_mw = (unsigned int)number("INFERBENCH_NVML_STUB_POWER_MW", 100000);
  reads = 0;
  return init_code;
}

int nvmlShutdown(void) { return 0; }

const char* nvmlErrorString(int code) {
  switch (code) {
    case 3: return "Not Supported";
    case 9: return "Driver Not Loaded";
    default: return "Unknown Error";
  }
}

int nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = gpus;
  return 0;
}

/* A handle is the GPU's index plus one, so that none is NULL. */
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (index >= gpus) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
  *device = (void*)(size_t)(index + 1);
  return 0;
}

int nvmlDeviceGetHandleByUUID(const char* uuid, void** device) {
  if (strcmp(uuid, "GPU-stub-0") != 0) return 6; /* NVML_ERROR_NOT_FOUND */
  *device = (void*)(size_t)1;
  return 0;
}

int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
  snprintf(name, length, "Stub GPU %zu", (size_t)device - 1);
  return 0;
}

int nvmlDeviceGetTotalEnergyConsumption(void* device, unsigned long long* energy) {
  (void)device;
  if (!counter_supported) return 3;
  if (reads++ > 0) energy_mj += step_mj;
  *energy = energy_mj;
  return 0;
}

int nvmlDeviceGetPowerUsage(void* device, unsigned int* power) {
  (void)device;
  *power = power_mw;
  return 0;
}
