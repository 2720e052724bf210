// SPDX-License-Identifier: Apache-2.0
// Environment fingerprint from /proc, /sys and uname.
#include "core/env/environment.h"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "core/support/build_info.h"
#include "core/timing/clock.h"

namespace inferbench {
namespace {

std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// Value of the first "key : value" line in /proc/cpuinfo.
std::optional<std::string> cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
  }
  return std::nullopt;
}

std::set<std::string> cpu_flags() {
  std::set<std::string> flags;
  std::istringstream words(cpuinfo_field("flags").value_or(""));
  for (std::string w; words >> w;) flags.insert(w);
  return flags;
}

// The flags that decide which kernels inference frameworks pick.
const std::vector<std::pair<std::string, std::string>> kInterestingFlags = {
    {"avx2", "AVX2"},          {"fma", "FMA"},
    {"avx512f", "AVX-512"},    {"avx512_vnni", "AVX512-VNNI"},
    {"avx512_bf16", "AVX512-BF16"}, {"avx512_fp16", "AVX512-FP16"},
    {"avx_vnni", "AVX-VNNI"},  {"amx_tile", "AMX"},
    {"amx_bf16", "AMX-BF16"},  {"amx_int8", "AMX-INT8"},
    {"amx_fp16", "AMX-FP16"},
};

std::optional<std::string> nvidia_driver_version() {
  const auto line = read_first_line("/proc/driver/nvidia/version");
  return line ? parse_nvidia_driver_version(*line) : std::nullopt;
}

const char* pci_vendor_name(const std::string& id) {
  if (id == "0x10de") return "NVIDIA";
  if (id == "0x8086") return "Intel";
  if (id == "0x1002") return "AMD";
  return nullptr;
}

// GPUs the kernel knows, without loading any GPU library: NVIDIA's driver lists its GPUs and
// version under /proc/driver/nvidia; other GPUs appear as DRM cards under /sys/class/drm with
// their PCI vendor and kernel driver. Empty when there is none (or none visible here).
nlohmann::json gpu_devices() {
  namespace fs = std::filesystem;
  nlohmann::json gpus = nlohmann::json::array();
  std::error_code ec;
  const auto nvidia_version = nvidia_driver_version();
  bool listed_nvidia = false;
  for (const auto& entry : fs::directory_iterator("/proc/driver/nvidia/gpus", ec)) {
    std::ifstream in(entry.path() / "information");
    std::string line, model;
    while (std::getline(in, line)) {
      if (line.rfind("Model:", 0) == 0) {
        model = line.substr(6);
        model.erase(0, model.find_first_not_of(" \t"));
      }
    }
    nlohmann::json gpu = {{"name", model.empty() ? "NVIDIA GPU" : model}, {"vendor", "NVIDIA"},
                          {"driver", "nvidia"}, {"bus", entry.path().filename().string()}};
    gpu["driver_version"] = nvidia_version ? nlohmann::json(*nvidia_version) : nlohmann::json(nullptr);
    gpus.push_back(gpu);
    listed_nvidia = true;
  }
  for (const auto& entry : fs::directory_iterator("/sys/class/drm", ec)) {
    const std::string name = entry.path().filename().string();
    // card0, card1, ...; connectors such as card0-HDMI-A-1 are not devices.
    if (name.rfind("card", 0) != 0 || name.find('-') != std::string::npos) continue;
    const auto vendor = read_first_line((entry.path() / "device" / "vendor").string());
    if (!vendor || (listed_nvidia && *vendor == "0x10de")) continue;
    const auto device = read_first_line((entry.path() / "device" / "device").string());
    const fs::path driver = fs::read_symlink(entry.path() / "device" / "driver", ec);
    const char* vendor_name = pci_vendor_name(*vendor);
    nlohmann::json gpu = {
        {"name", std::string(vendor_name ? vendor_name : "PCI vendor " + *vendor) + " GPU " +
                     device.value_or("?")},
        {"vendor", vendor_name ? vendor_name : *vendor},
        {"driver", ec ? std::string("?") : driver.filename().string()},
        {"bus", name}};
    gpu["driver_version"] = *vendor == "0x10de" && nvidia_version ? nlohmann::json(*nvidia_version)
                                                                  : nlohmann::json(nullptr);
    gpus.push_back(gpu);
  }
  return gpus;
}

}  // namespace

// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 ..." (proprietary module)
// or "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build ..." (open
// module): the first word after "Kernel Module" made of digits and dots.
std::optional<std::string> parse_nvidia_driver_version(const std::string& line) {
  const std::string marker = "Kernel Module";
  const auto at = line.find(marker);
  if (at == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(at + marker.size()));
  for (std::string word; rest >> word;) {
    const bool version_like = std::isdigit(static_cast<unsigned char>(word.front())) &&
                              word.find_first_not_of("0123456789.") == std::string::npos;
    if (version_like) return word;
  }
  return std::nullopt;
}

std::string cpu_model_name() { return cpuinfo_field("model name").value_or("unknown CPU"); }

std::string cpu_isa_summary() {
  const auto flags = cpu_flags();
  std::string summary;
  for (const auto& [flag, label] : kInterestingFlags) {
    if (flag == "avx2" || flag == "fma" || flag == "amx_tile") continue;  // implied by others
    if (flags.count(flag)) summary += (summary.empty() ? "" : ", ") + label;
  }
  if (summary.empty() && flags.count("avx2")) summary = "AVX2";
  return summary.empty() ? "no AVX2" : summary;
}

int usable_cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

std::optional<std::string> cpu_governor() {
  return read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
}

std::optional<double> total_memory_mb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  while (in >> key >> kb) {
    if (key == "MemTotal:") return kb / 1024.0;
    in.ignore(256, '\n');
  }
  return std::nullopt;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

nlohmann::json describe_environment() {
  nlohmann::json env;
  env["cpu"]["model"] = cpu_model_name();
  env["cpu"]["isa"] = cpu_isa_summary();
  nlohmann::json flags = nlohmann::json::array();
  const auto all_flags = cpu_flags();
  for (const auto& [flag, label] : kInterestingFlags) {
    if (all_flags.count(flag)) flags.push_back(flag);
  }
  env["cpu"]["flags"] = flags;
  env["cpu"]["logical_cpus_online"] = sysconf(_SC_NPROCESSORS_ONLN);
  env["cpu"]["usable_cpus"] = usable_cpu_count();
  if (auto mhz = cpuinfo_field("cpu MHz")) env["cpu"]["mhz_now"] = std::stod(*mhz);
  if (auto governor = cpu_governor()) {
    env["cpu"]["governor"] = *governor;
  } else {
    env["cpu"]["governor"] = nullptr;  // not readable (virtual machine or container)
  }
  if (auto mem = total_memory_mb()) env["memory_mb"] = *mem;
  env["gpu"] = gpu_devices();
  utsname uts{};
  if (uname(&uts) == 0) {
    env["os"]["kernel"] = std::string(uts.sysname) + " " + uts.release;
    env["os"]["machine"] = uts.machine;
  }
  if (auto pretty = [] () -> std::optional<std::string> {
        std::ifstream in("/etc/os-release");
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind("PRETTY_NAME=", 0) == 0) {
            auto value = line.substr(12);
            if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
            return value;
          }
        }
        return std::nullopt;
      }()) {
    env["os"]["name"] = *pretty;
  }
  env["host"] = host_name();
  env["timer"]["clock"] = "steady_clock (CLOCK_MONOTONIC)";
  env["timer"]["overhead_ns"] = timer_overhead().count();
  const auto& build = build_info();
  env["inferbench"] = {{"version", build.version},   {"git_revision", build.git_revision},
                       {"git_dirty", build.git_dirty}, {"git_diff", build.git_diff}, {"compiler", build.compiler},
                       {"build_type", build.build_type}};
  return env;
}

}  // namespace inferbench
