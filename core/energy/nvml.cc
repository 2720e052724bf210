// SPDX-License-Identifier: Apache-2.0
// The few NVML functions inferbench calls, declared here from NVML's API reference (no header is
// needed, none is copied), looked up by their versioned names where NVML versions them.
#include "core/energy/nvml.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "core/energy/periodic_sampler.h"

namespace inferbench {
namespace {

// nvmlReturn_t: an int-sized enum; 0 is NVML_SUCCESS, 3 NVML_ERROR_NOT_SUPPORTED.
using NvmlReturn = int;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr NvmlReturn kNvmlNotSupported = 3;
using NvmlDevice = struct NvmlDeviceOpaque*;  // nvmlDevice_t

struct NvmlApi {
  NvmlReturn (*init)();                                              // nvmlInit_v2
  NvmlReturn (*shutdown)();                                          // nvmlShutdown
  const char* (*error_string)(NvmlReturn);                           // nvmlErrorString
  NvmlReturn (*device_count)(unsigned int*);                         // nvmlDeviceGetCount_v2
  NvmlReturn (*handle_by_index)(unsigned int, NvmlDevice*);          // nvmlDeviceGetHandleByIndex_v2
  NvmlReturn (*handle_by_uuid)(const char*, NvmlDevice*);            // nvmlDeviceGetHandleByUUID
  NvmlReturn (*name)(NvmlDevice, char*, unsigned int);               // nvmlDeviceGetName
  NvmlReturn (*total_energy)(NvmlDevice, unsigned long long*);       // ...GetTotalEnergyConsumption, mJ
  NvmlReturn (*power_usage)(NvmlDevice, unsigned int*);              // nvmlDeviceGetPowerUsage, mW
};

// The library stays loaded and NVML initialised while a meter holds it.
class NvmlLibrary {
 public:
  NvmlLibrary(void* handle, NvmlApi api) : handle_(handle), api_(api) {}
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;
  ~NvmlLibrary() {
    if (initialised_) api_.shutdown();
    dlclose(handle_);
  }
  const NvmlApi& api() const { return api_; }
  void set_initialised() { initialised_ = true; }
  std::string error(NvmlReturn code) const {
    const char* text = api_.error_string(code);
    return (text ? text : "unknown error") + std::string(" (NVML error ") + std::to_string(code) + ")";
  }

 private:
  void* handle_;
  NvmlApi api_;
  bool initialised_ = false;
};

Status nvml_failure(const NvmlLibrary& nvml, const std::string& call, NvmlReturn code) {
  return Status(StatusCode::Unavailable, call + " failed: " + nvml.error(code));
}

class NvmlMeter final : public EnergyMeter {
 public:
  NvmlMeter(std::shared_ptr<NvmlLibrary> nvml, NvmlDevice device, std::string scope, bool counter, Nanos period)
      : nvml_(std::move(nvml)), device_(device), scope_(std::move(scope)), counter_(counter), period_(period) {}

  std::string source() const override { return "nvml"; }
  std::string scope() const override { return scope_; }
  std::string method() const override { return counter_ ? "energy counter" : "power samples"; }
  // The counter steps every 10-100 ms depending on the GPU: 1 s holds at least ten steps, so one
  // step missed at either end is at most a tenth. Power samples are 50 ms apart: likewise.
  Nanos min_window() const override { return std::chrono::seconds(1); }

  // With the counter, the board's power is sampled beside it (every 50 ms, off the timed thread):
  // not for the number, but as an independent check of the counter's average power
  // (EnergyWindow::sampled_power_w); a failed sample there only leaves the check out.
  Status begin() override {
    power_.clear();
    failure_.reset();
    if (counter_) {
      if (auto read = read_counter(); !read) return read.status();
      else start_mj_ = *read;
      started_ = Clock::now();
      (void)sample_power();
      sampler_.start(period_, [this] { (void)sample_power(); });
      return Status::ok();
    }
    started_ = Clock::now();
    if (Status read = sample_power(); !read) return read;
    sampler_.start(period_, [this] { (void)sample_power(); });
    return Status::ok();
  }

  Result<EnergyWindow> end() override {
    if (counter_) {
      auto read = read_counter();
      const auto ended = Clock::now();
      sampler_.stop();
      (void)sample_power();
      if (!read) return read.status();
      // A 64-bit count of millijoules since the driver loaded: it does not wrap.
      EnergyWindow window{static_cast<double>(*read - start_mj_) / 1e3, ended - started_};
      std::lock_guard lock(mutex_);
      if (!failure_ && power_.size() >= 2) {
        const double span = std::chrono::duration<double>(power_.back().first - power_.front().first).count();
        if (span > 0) window.sampled_power_w = integrated_joules() / span;
      }
      return window;
    }
    sampler_.stop();
    if (Status read = sample_power(); !read) return read;
    std::lock_guard lock(mutex_);
    if (failure_) return *failure_;
    return EnergyWindow{integrated_joules(), power_.back().first - power_.front().first};
  }

 private:
  Result<unsigned long long> read_counter() const {
    unsigned long long mj = 0;
    if (const NvmlReturn code = nvml_->api().total_energy(device_, &mj); code != kNvmlSuccess) {
      return nvml_failure(*nvml_, "nvmlDeviceGetTotalEnergyConsumption", code);
    }
    return mj;
  }

  // The trapezoid rule over the power samples, from the first (at begin) to the last (at end), J;
  // with mutex_ held.
  double integrated_joules() const {
    double joules = 0;
    for (std::size_t i = 1; i < power_.size(); ++i) {
      const double seconds = std::chrono::duration<double>(power_[i].first - power_[i - 1].first).count();
      joules += seconds * (power_[i].second + power_[i - 1].second) / 2;
    }
    return joules;
  }

  // One power sample, timed; the first failure is kept for end() to report.
  Status sample_power() {
    unsigned int mw = 0;
    const NvmlReturn code = nvml_->api().power_usage(device_, &mw);
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (code != kNvmlSuccess) {
      Status failed = nvml_failure(*nvml_, "nvmlDeviceGetPowerUsage", code);
      if (!failure_) failure_ = failed;
      return failed;
    }
    power_.emplace_back(now, mw / 1e3);
    return Status::ok();
  }

  std::shared_ptr<NvmlLibrary> nvml_;
  NvmlDevice device_;
  std::string scope_;
  bool counter_;
  Nanos period_;
  unsigned long long start_mj_ = 0;
  Clock::time_point started_{};
  std::mutex mutex_;
  std::vector<std::pair<Clock::time_point, double>> power_;  // (when, watts)
  std::optional<Status> failure_;
  PeriodicSampler sampler_;
};

template <typename Function>
bool find_symbol(void* handle, const char* name, Function& out) {
  out = reinterpret_cast<Function>(dlsym(handle, name));
  return out != nullptr;
}

// The NVML handle of the process's CUDA device `cuda_index`: CUDA_VISIBLE_DEVICES' entry (an index
// or a GPU-... UUID) when set, else the index itself, which NVML counts in PCI bus order. CUDA
// counts fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, so with several GPUs and no such
// setting the two may disagree: no reading then, rather than another GPU's.
Result<NvmlDevice> cuda_device_handle(const NvmlLibrary& nvml, int cuda_index, std::string& label) {
  std::vector<std::string> visible;
  const char* list = std::getenv("CUDA_VISIBLE_DEVICES");
  if (list) {
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) visible.push_back(item);
  }
  NvmlDevice device = nullptr;
  std::string entry = std::to_string(cuda_index);
  if (list) {
    if (cuda_index >= static_cast<int>(visible.size())) {
      return Status(StatusCode::Unavailable, "CUDA device " + std::to_string(cuda_index) +
                                                 " is not among CUDA_VISIBLE_DEVICES=" + list);
    }
    entry = visible[static_cast<std::size_t>(cuda_index)];
    if (entry.rfind("GPU-", 0) == 0) {
      if (const NvmlReturn code = nvml.api().handle_by_uuid(entry.c_str(), &device); code != kNvmlSuccess) {
        return nvml_failure(nvml, "nvmlDeviceGetHandleByUUID(" + entry + ")", code);
      }
      label = "GPU " + entry;
      return device;
    }
  }
  unsigned int count = 0;
  if (const NvmlReturn code = nvml.api().device_count(&count); code != kNvmlSuccess) {
    return nvml_failure(nvml, "nvmlDeviceGetCount_v2", code);
  }
  unsigned int index = 0;
  try {
    index = static_cast<unsigned int>(std::stoul(entry));
  } catch (const std::exception&) {
    return Status(StatusCode::Unavailable, "CUDA_VISIBLE_DEVICES entry '" + entry +
                                               "' is neither an index nor a GPU UUID NVML can look up");
  }
  const char* order = std::getenv("CUDA_DEVICE_ORDER");
  if (count > 1 && (!order || std::string(order) != "PCI_BUS_ID")) {
    return Status(StatusCode::Unavailable, "NVML sees " + std::to_string(count) +
                                               " GPUs and CUDA may number them in another order: set "
                                               "CUDA_DEVICE_ORDER=PCI_BUS_ID, or name the GPU by its UUID in "
                                               "CUDA_VISIBLE_DEVICES");
  }
  if (index >= count) {
    return Status(StatusCode::Unavailable, "NVML sees " + std::to_string(count) + " GPUs, no GPU " + entry);
  }
  if (const NvmlReturn code = nvml.api().handle_by_index(index, &device); code != kNvmlSuccess) {
    return nvml_failure(nvml, "nvmlDeviceGetHandleByIndex_v2", code);
  }
  label = "GPU " + entry;
  return device;
}

}  // namespace

Result<std::unique_ptr<EnergyMeter>> open_nvml_meter(const std::string& library, int cuda_index, Nanos power_period) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return Status(StatusCode::Unavailable, "cannot load " + library + " (NVML, from the NVIDIA driver): " +
                                               (why ? why : "dlopen failed"));
  }
  NvmlApi api{};
  const char* missing = nullptr;
  for (const auto& [name, found] :
       {std::pair{"nvmlInit_v2", find_symbol(handle, "nvmlInit_v2", api.init)},
        std::pair{"nvmlShutdown", find_symbol(handle, "nvmlShutdown", api.shutdown)},
        std::pair{"nvmlErrorString", find_symbol(handle, "nvmlErrorString", api.error_string)},
        std::pair{"nvmlDeviceGetCount_v2", find_symbol(handle, "nvmlDeviceGetCount_v2", api.device_count)},
        std::pair{"nvmlDeviceGetHandleByIndex_v2", find_symbol(handle, "nvmlDeviceGetHandleByIndex_v2", api.handle_by_index)},
        std::pair{"nvmlDeviceGetHandleByUUID", find_symbol(handle, "nvmlDeviceGetHandleByUUID", api.handle_by_uuid)},
        std::pair{"nvmlDeviceGetName", find_symbol(handle, "nvmlDeviceGetName", api.name)},
        std::pair{"nvmlDeviceGetTotalEnergyConsumption",
                  find_symbol(handle, "nvmlDeviceGetTotalEnergyConsumption", api.total_energy)},
        std::pair{"nvmlDeviceGetPowerUsage", find_symbol(handle, "nvmlDeviceGetPowerUsage", api.power_usage)}}) {
    if (!found && !missing) missing = name;
  }
  if (missing) {
    dlclose(handle);
    return Status(StatusCode::Unavailable, library + " has no " + missing + ": an NVML older than inferbench needs");
  }
  auto nvml = std::make_shared<NvmlLibrary>(handle, api);
  if (const NvmlReturn code = api.init(); code != kNvmlSuccess) return nvml_failure(*nvml, "nvmlInit_v2", code);
  nvml->set_initialised();
  std::string label;
  auto device = cuda_device_handle(*nvml, cuda_index, label);
  if (!device) return device.status();
  char name[96] = {};
  const std::string scope =
      label + " board" + (api.name(*device, name, sizeof name) == kNvmlSuccess ? " (" + std::string(name) + ")" : "");
  unsigned long long mj = 0;
  const NvmlReturn counter = api.total_energy(*device, &mj);
  if (counter != kNvmlSuccess && counter != kNvmlNotSupported) {
    return nvml_failure(*nvml, "nvmlDeviceGetTotalEnergyConsumption", counter);
  }
  if (counter == kNvmlNotSupported) {
    unsigned int mw = 0;
    if (const NvmlReturn power = api.power_usage(*device, &mw); power != kNvmlSuccess) {
      return Status(StatusCode::Unavailable, scope + " has no energy counter, and nvmlDeviceGetPowerUsage failed: " +
                                                 nvml->error(power));
    }
  }
  return std::unique_ptr<EnergyMeter>(
      std::make_unique<NvmlMeter>(std::move(nvml), *device, scope, counter == kNvmlSuccess, power_period));
}

}  // namespace inferbench
